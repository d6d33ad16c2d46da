export * from './synthetic-records.ts';
export * from './local-network.ts';
export * from './synthetic-biometrics.ts';
export * from './population/index.ts';
