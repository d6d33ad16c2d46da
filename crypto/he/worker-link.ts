/**
 * One worker thread running crypto/he/score-worker.ts, with a sequential request queue: the HE server's
 * second thread. Requests are posted at once and answered in order, matched by id.
 */
import { Worker } from 'node:worker_threads';
import { CryptoError } from '../errors.ts';

/** One worker thread with a sequential request queue. */
export class WorkerLink {
  private readonly w: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: unknown) => void }>();
  readonly sessions = new Set<string>();
  constructor() {
    // Compiled (dist/, .js) the worker module runs as it is; from the TypeScript sources the worker
    // registers tsx's loader first.
    const compiled = new URL(import.meta.url).pathname.endsWith('.js');
    const url = new URL(compiled ? './score-worker.js' : './score-worker.ts', import.meta.url).href;
    let tsx: string | undefined;
    try {
      tsx = compiled ? undefined : import.meta.resolve('tsx/esm/api');
    } catch {
      tsx = undefined;
    }
    const code = tsx
      ? `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); })`
      : `import(${JSON.stringify(url)})`;
    this.w = new Worker(code, { eval: true });
    this.w.unref();
    this.w.on('message', (m: { id: number; ok: boolean; r?: unknown; error?: string }) => {
      const p = this.settle(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.r);
      else p.reject(new CryptoError('internal', `worker: ${m.error ?? 'failed'}`));
    });
    this.w.on('error', (e: unknown) => {
      for (const id of [...this.pending.keys()]) this.settle(id)?.reject(new CryptoError('internal', 'worker crashed', { cause: e }));
    });
    this.w.on('exit', () => {
      for (const id of [...this.pending.keys()]) this.settle(id)?.reject(new CryptoError('internal', 'worker exited'));
    });
  }
  /**
   * Post a request now (synchronously: the main thread usually starts its own share of the work right after,
   * without yielding, so a post deferred to a promise callback would serialize the two threads) and resolve
   * with the worker's answer, matched by id. The worker handles requests in order.
   */
  request(msg: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.w.ref();
      try {
        this.w.postMessage({ ...msg, id });
      } catch (e) {
        this.settle(id);
        reject(new CryptoError('internal', 'worker: post failed', { cause: e }));
      }
    });
  }
  private settle(id: number): { resolve: (r: unknown) => void; reject: (e: unknown) => void } | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.w.unref();
    return p;
  }
  async close(): Promise<void> {
    try {
      await this.request({ t: 'close' });
    } finally {
      await this.w.terminate();
    }
  }
}
