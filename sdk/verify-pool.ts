/**
 * Checking the answers of a query on worker threads. A query to every member brings ~194 answers, each
 * costing a signature check, a DLEQ proof verification and a finalization per key (≈ 15 scalar
 * multiplications): on one thread that is the largest part of the query's latency. The pool splits a
 * query's answers into small batches, one message per batch, and keeps every worker busy until the
 * last batch is done; results come back in the answers' order. Below `INLINE_BELOW` answers the
 * messages cost more than they save, and the answers are checked on the calling thread.
 *
 * Every answer is still checked in full (`checkAnswer`); only where it runs changes. The blinds travel
 * to the workers by structured clone inside this process.
 */
import type { Worker } from 'node:worker_threads';
import { type AnswerCheck, type AnswerChecker, type AnswerJob, checkAnswer } from './verify-answer.ts';
import { defaultWorkerCount, siblingModule, startTsWorker } from './workers.ts';

/** Fewer answers than this are checked inline. */
export const INLINE_BELOW = 4;
/** Answers per message to a worker: small enough to balance the workers, large enough to amortize a message. */
const BATCH = 8;

interface Task {
  readonly jobs: readonly AnswerJob[];
  readonly resolve: (r: AnswerCheck[]) => void;
  readonly reject: (e: unknown) => void;
}

export class VerifyPool implements AsyncDisposable {
  readonly size: number;
  #workers: Promise<Worker[]> | undefined;
  readonly #idle: Worker[] = [];
  readonly #queue: Task[] = [];
  readonly #running = new Map<Worker, Task>();
  #closed = false;
  #alive = 0;

  /** `threads` workers (default: one per core). */
  constructor(threads = 0) {
    this.size = defaultWorkerCount(threads);
  }

  /** The checker to hand to `verifyAnswers`. */
  readonly check: AnswerChecker = async (jobs) => {
    if (jobs.length < INLINE_BELOW || this.#closed) return jobs.map(checkAnswer);
    await this.start();
    const parts: Array<Promise<AnswerCheck[]>> = [];
    for (let i = 0; i < jobs.length; i += BATCH) parts.push(this.#submit(jobs.slice(i, i + BATCH)));
    return (await Promise.all(parts)).flat();
  };

  /** Start the workers now (they take a moment to load), instead of at the first large query. */
  start(): Promise<Worker[]> {
    this.#workers ??= this.#spawn();
    return this.#workers;
  }

  async #spawn(): Promise<Worker[]> {
    const url = siblingModule('verify-worker', import.meta.url);
    const ws = Array.from({ length: this.size }, () => startTsWorker(url, {}));
    await Promise.all(
      ws.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('error', reject);
            w.on('message', (m: { ready: true } | { results: AnswerCheck[] }) => {
              if ('ready' in m) {
                w.off('error', reject);
                w.on('error', (e) => this.#failed(w, e));
                resolve();
                return;
              }
              const t = this.#running.get(w);
              this.#running.delete(w);
              t?.resolve(m.results);
              this.#next(w);
            });
          }),
      ),
    );
    this.#alive = ws.length;
    for (const w of ws) this.#next(w);
    return ws;
  }

  #submit(jobs: readonly AnswerJob[]): Promise<AnswerCheck[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ jobs, resolve, reject });
      const w = this.#idle.pop();
      if (w) this.#next(w);
    });
  }

  /** Give `w` the next batch; an idle worker does not keep the process alive, a busy one does. */
  #next(w: Worker): void {
    const t = this.#queue.shift();
    if (!t) {
      w.unref();
      this.#idle.push(w);
      return;
    }
    w.ref();
    this.#running.set(w, t);
    w.postMessage({ jobs: t.jobs });
  }

  /** A worker that crashed fails its batch and leaves the pool; with none left, everything queued fails. */
  #failed(w: Worker, e: unknown): void {
    const t = this.#running.get(w);
    this.#running.delete(w);
    t?.reject(e);
    this.#alive--;
    if (this.#alive === 0) {
      this.#closed = true;
      for (const q of this.#queue.splice(0)) q.reject(e);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const ws = this.#workers ? await this.#workers.catch(() => []) : [];
    this.#workers = undefined;
    for (const t of this.#queue.splice(0)) t.reject(new Error('verify pool closed'));
    await Promise.all(ws.map((w) => w.terminate()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
