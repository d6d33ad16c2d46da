/**
 * Tag computation for a node's own records: `tag = Evaluate(k, matchKey)[0..16]`, on all
 * cores through worker threads for large batches, inline for small ones (a worker costs more to start
 * than a few hundred evaluations).
 */
import type { Worker } from 'node:worker_threads';
import { evaluate, OprfKey } from '#crypto';
import { defaultWorkerCount, siblingModule, startTsWorker } from '#platform';
import { LIMITS } from '#protocol';

const INLINE_BELOW = 256;
const CHUNK = 256;
const WINDOW = 2;

/**
 * Tags remembered per builder (across calls, so across the batches of one import): a large file repeats
 * many match keys — a common name with a year of birth, a phonetic code — in records far apart. About
 * 200 bytes each; the first ones computed are kept, nothing is evicted.
 */
const REMEMBER = 1 << 19;

/** The distinct inputs (as `latin1` strings of their bytes), and for each input the index of its value among them. */
function dedupe(inputs: readonly Uint8Array[]): { unique: Uint8Array[]; names: string[]; slot: Uint32Array } {
  const seen = new Map<string, number>();
  const unique: Uint8Array[] = [];
  const names: string[] = [];
  const slot = new Uint32Array(inputs.length);
  inputs.forEach((input, i) => {
    const k = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
    let s = seen.get(k);
    if (s === undefined) {
      s = unique.length;
      seen.set(k, s);
      unique.push(input);
      names.push(k);
    }
    slot[i] = s;
  });
  return { unique, names, slot };
}

/** Pack inputs as `u32 length || bytes` records into one buffer (one transfer per task). */
export function packInputs(inputs: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const i of inputs) total += 4 + i.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  let off = 0;
  for (const i of inputs) {
    dv.setUint32(off, i.length);
    out.set(i, off + 4);
    off += 4 + i.length;
  }
  return out;
}

export function unpackInputs(packed: Uint8Array): Uint8Array[] {
  const dv = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < packed.length) {
    const n = dv.getUint32(off);
    out.push(packed.subarray(off + 4, off + 4 + n));
    off += 4 + n;
  }
  return out;
}

export class TagBuilder implements AsyncDisposable {
  readonly #keys = new Map<number, OprfKey>();
  readonly #epochs: Array<{ epoch: number; secret: Uint8Array }>;
  readonly #workerCount: number;
  #workers: Promise<Worker[]> | undefined;
  #started: Worker[] = [];
  #closing = false;
  #nextTask = 0;
  readonly #waiting = new Map<number, { resolve: (tags: Uint8Array) => void; reject: (e: Error) => void }>();
  readonly #memo = new Map<number, Map<string, Uint8Array>>();
  #remembered = 0;

  constructor(epochs: Array<{ epoch: number; secret: Uint8Array }>, workers = 0) {
    this.#epochs = epochs;
    for (const e of epochs) this.#keys.set(e.epoch, OprfKey.fromBytes('voprf', e.secret));
    this.#workerCount = defaultWorkerCount(workers);
  }

  /**
   * Tags of `inputs` under `epoch`'s key, in order. Identical inputs (many records share a name and a
   * year of birth) are evaluated once, and inputs this builder has already evaluated are not evaluated
   * again (up to REMEMBER of them). Calls may overlap: their tasks queue at the same workers.
   */
  async tags(epoch: number, inputs: readonly Uint8Array[], onProgress?: (done: number) => void): Promise<Uint8Array[]> {
    const key = this.#keys.get(epoch);
    if (!key) throw new Error(`no key for epoch ${epoch}`);
    const { unique, names, slot } = dedupe(inputs);
    let memo = this.#memo.get(epoch);
    if (!memo) {
      memo = new Map();
      this.#memo.set(epoch, memo);
    }
    const known = names.map((n) => memo.get(n));
    const todo = unique.filter((_, i) => known[i] === undefined);
    let fresh: Uint8Array[];
    if (todo.length < INLINE_BELOW) {
      fresh = todo.map((i) => evaluate(key, i).subarray(0, LIMITS.tagBytes));
    } else {
      fresh = await this.#onWorkers(epoch, todo, onProgress && ((done) => onProgress(Math.floor((done * inputs.length) / todo.length))));
    }
    let f = 0;
    const evaluated = known.map((k, i) => {
      if (k !== undefined) return k;
      const tag = fresh[f++] as Uint8Array;
      if (this.#remembered < REMEMBER) {
        memo.set(names[i] as string, tag);
        this.#remembered++;
      }
      return tag;
    });
    onProgress?.(inputs.length);
    return Array.from(slot, (s) => evaluated[s] as Uint8Array);
  }

  async #onWorkers(epoch: number, inputs: readonly Uint8Array[], onProgress?: (done: number) => void): Promise<Uint8Array[]> {
    const workers = await this.#pool();
    const out: Uint8Array[] = new Array(inputs.length);
    let done = 0;
    let next = 0;
    // Each worker has WINDOW tasks queued, so it never waits for this thread to hand it the next one
    // (this thread may be busy writing an earlier batch to the database).
    const lane = async (w: Worker): Promise<void> => {
      while (next < inputs.length) {
        const start = next;
        const slice = inputs.slice(start, start + CHUNK);
        next += slice.length;
        const tags = await this.#run(w, epoch, packInputs(slice));
        for (let i = 0; i < slice.length; i++) out[start + i] = tags.subarray(i * LIMITS.tagBytes, (i + 1) * LIMITS.tagBytes);
        done += slice.length;
        onProgress?.(done);
      }
    };
    await Promise.all(workers.flatMap((w) => Array.from({ length: WINDOW }, () => lane(w))));
    return out;
  }

  #run(w: Worker, epoch: number, packed: Uint8Array): Promise<Uint8Array> {
    const id = this.#nextTask++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      w.postMessage({ id, epoch, packed }, [packed.buffer as ArrayBuffer]);
    });
  }

  /** Start the workers now (they are otherwise started by the first call that needs them). */
  async start(): Promise<void> {
    await this.#pool();
  }

  /** The worker pool, started once (overlapping calls share it). */
  #pool(): Promise<Worker[]> {
    this.#workers ??= this.#start();
    return this.#workers;
  }

  async #start(): Promise<Worker[]> {
    const url = siblingModule('index-worker', import.meta.url);
    const ws = Array.from({ length: this.#workerCount }, () => startTsWorker(url, { epochs: this.#epochs }));
    this.#started = ws;
    // A worker that fails or exits fails every task still waiting, rather than leaving it hanging.
    const failAll = (e: unknown) => {
      const err = e instanceof Error ? e : new Error('tag worker stopped');
      for (const t of this.#waiting.values()) t.reject(err);
      this.#waiting.clear();
    };
    await Promise.all(
      ws.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.on('error', (e) => {
              reject(e);
              failAll(e);
            });
            w.on('exit', () => {
              if (!this.#closing) failAll(new Error('tag worker exited'));
            });
            w.on('message', (m: { ready: true } | { id: number; tags: Uint8Array }) => {
              if ('ready' in m) {
                resolve();
                return;
              }
              const t = this.#waiting.get(m.id);
              this.#waiting.delete(m.id);
              t?.resolve(m.tags);
            });
          }),
      ),
    );
    return ws;
  }

  async close(): Promise<void> {
    const ws = this.#started;
    this.#started = [];
    this.#workers = undefined;
    this.#closing = true;
    await Promise.all(ws.map((w) => w.terminate()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
