/**
 * Worker threads running TypeScript modules, whatever started the parent (tsx CLI, vitest, node). Used
 * by the SDK (proof verification) and, through `#platform`, by node and coordinator.
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const bootstrap = new URL('./worker-bootstrap.mjs', import.meta.url);

export function startTsWorker(module: URL, data: Record<string, unknown>): Worker {
  return new Worker(bootstrap, { workerData: { ...data, __veilWorkerModule: module.href } });
}

export function defaultWorkerCount(requested = 0): number {
  return requested > 0 ? requested : Math.max(1, availableParallelism());
}
