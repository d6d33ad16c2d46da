export * from './authority.ts';
export * from './paths.ts';
export * from './root-key.ts';
