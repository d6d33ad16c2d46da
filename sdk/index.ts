export * from './credential.ts';
export * from './members.ts';
export * from './types.ts';
export type { DisclosureContext } from './disclosure.ts';
export * from './client.ts';
