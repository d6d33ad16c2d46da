export * from './config.ts';
export * from './server.ts';
export * from './admin.ts';
export { CoordinatorStore, prefixUpperBound } from './store/legacy-sqlite-store.ts';
