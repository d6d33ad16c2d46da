export * from './admin.ts';
export * from './config.ts';
export { type Coordinator, type CoordinatorDeps, createCoordinator } from './coordinator.ts';
export * from './server.ts';
export type * from './store/repositories.ts';
export { SqliteCoordinatorStore, type SqliteCoordinatorStoreOptions } from './store/sqlite-store.ts';
export type { ConnectionHandler, MemberSocket, SocketAcceptor } from './transport.ts';
export { type CoordinatorTrust, createTrust, storeRevocations } from './trust.ts';
