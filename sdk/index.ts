export * from './credential.ts';
export * from './members.ts';
export * from './types.ts';
export { httpTransport, type Transport, type TransportResponse } from './transport.ts';
export type { Clock } from './flow-deps.ts';
export { heSessions, type BioSession, type BioSessionFactory } from './bio-match.ts';
export type { DisclosureContext } from './disclosure.ts';
export * from './client.ts';
