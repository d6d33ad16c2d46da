export * from './config.ts';
export * from './server.ts';
export * from './admin-ops.ts';
export * from './policy.ts';
export { importFile, type ImportReport, type ImportProgress } from './import/import.ts';
export { NodeStore } from './store/sqlite-store.ts';
export { DisclosureDesk, releaseFields, type DisclosureView } from './disclosure/desk.ts';
export { DisclosureOutbox } from './disclosure/outgoing.ts';
export * from './console/index.ts';
