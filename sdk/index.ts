export * from './credential.ts';
export * from './members.ts';
export * from './client.ts';
