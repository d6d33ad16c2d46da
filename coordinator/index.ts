export * from './config.ts';
export * from './server.ts';
export * from './admin.ts';
export { createCoordinator, type Coordinator, type CoordinatorDeps } from './coordinator.ts';
export type { MemberSocket, ConnectionHandler, SocketAcceptor } from './transport.ts';
export type * from './store/repositories.ts';
export { SqliteCoordinatorStore, type SqliteCoordinatorStoreOptions } from './store/sqlite-store.ts';
export { createTrust, storeRevocations, type CoordinatorTrust } from './trust.ts';
