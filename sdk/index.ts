export { type BioSession, type BioSessionFactory, heSessions } from './bio-match.ts';
export * from './client.ts';
export * from './credential.ts';
export type { DisclosureContext } from './disclosure.ts';
export type { Clock } from './flow-deps.ts';
export * from './members.ts';
export { httpTransport, nodeTransport, type Transport, type TransportResponse } from './transport.ts';
export * from './types.ts';
export { defaultWorkerCount, siblingModule, startTsWorker } from './workers.ts';
