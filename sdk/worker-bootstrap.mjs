// Entry of every worker thread: registers the TypeScript loader (tsx) inside the worker, then loads the
// worker's own module. Workers do not inherit loaders from the parent under every runner (vitest, tsx,
// plain node), so each registers its own.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__veilWorkerModule);
