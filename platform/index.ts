export * from './sqlite.ts';
export * from './log.ts';
export * from './audit.ts';
export * from './net.ts';
export * from './files.ts';
export * from './workers.ts';
export * from './http-status.ts';
