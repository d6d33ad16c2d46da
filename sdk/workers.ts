/**
 * Worker threads running the project's own modules, whatever started the parent: the compiled CLI
 * (JavaScript in dist/, started directly), or tsx and vitest (TypeScript sources, started through a
 * bootstrap that registers the TypeScript loader inside the worker). Used by the SDK (proof
 * verification) and, through `#platform`, by node and coordinator.
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const bootstrap = new URL('./worker-bootstrap.mjs', import.meta.url);

/**
 * The module `name` (without extension) beside the module at `of` (an `import.meta.url`), with the
 * extension that module has: `.js` when running compiled, `.ts` when running the sources.
 */
export function siblingModule(name: string, of: string): URL {
  const ext = /\.js$/.test(new URL(of).pathname) ? '.js' : '.ts';
  return new URL(`./${name}${ext}`, of);
}

export function startTsWorker(module: URL, data: Record<string, unknown>): Worker {
  if (module.pathname.endsWith('.js')) return new Worker(module, { workerData: data });
  return new Worker(bootstrap, { workerData: { ...data, __veilWorkerModule: module.href } });
}

export function defaultWorkerCount(requested = 0): number {
  return requested > 0 ? requested : Math.max(1, availableParallelism());
}
