export * from './paths.ts';
export * from './root-key.ts';
export * from './authority.ts';
