export * from './admin.ts';
export * from './config.ts';
export { type Coordinator, type CoordinatorDeps, createCoordinator } from './coordinator.ts';
export { createHttpApp } from './http.ts';
export * from './server.ts';
export type * from './store/repositories.ts';
export { SqliteCoordinatorStore, type SqliteCoordinatorStoreOptions } from './store/sqlite-store.ts';
export { attachWebSockets, type ConnectionHandler, type MemberSocket, type SocketAcceptor } from './transport.ts';
export { type CoordinatorTrust, createTrust, storeRevocations } from './trust.ts';
