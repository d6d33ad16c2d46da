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
  #workers: Worker[] | undefined;
  #nextTask = 0;
  readonly #waiting = new Map<number, (tags: Uint8Array) => void>();

  constructor(epochs: Array<{ epoch: number; secret: Uint8Array }>, workers = 0) {
    this.#epochs = epochs;
    for (const e of epochs) this.#keys.set(e.epoch, OprfKey.fromBytes('voprf', e.secret));
    this.#workerCount = defaultWorkerCount(workers);
  }

  async tags(epoch: number, inputs: readonly Uint8Array[], onProgress?: (done: number) => void): Promise<Uint8Array[]> {
    const key = this.#keys.get(epoch);
    if (!key) throw new Error(`no key for epoch ${epoch}`);
    if (inputs.length < INLINE_BELOW) {
      const r = inputs.map((i) => evaluate(key, i).subarray(0, LIMITS.tagBytes));
      onProgress?.(inputs.length);
      return r;
    }
    const workers = await this.#pool();
    const out: Uint8Array[] = new Array(inputs.length);
    let done = 0;
    let next = 0;
    const runOn = async (w: Worker): Promise<void> => {
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
    await Promise.all(workers.map(runOn));
    return out;
  }

  #run(w: Worker, epoch: number, packed: Uint8Array): Promise<Uint8Array> {
    const id = this.#nextTask++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      w.postMessage({ id, epoch, packed }, [packed.buffer as ArrayBuffer]);
    });
  }

  async #pool(): Promise<Worker[]> {
    if (this.#workers) return this.#workers;
    const url = siblingModule('index-worker', import.meta.url);
    const ws = Array.from({ length: this.#workerCount }, () => startTsWorker(url, { epochs: this.#epochs }));
    await Promise.all(
      ws.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('error', reject);
            const onMsg = (m: { ready: true } | { id: number; tags: Uint8Array }) => {
              if ('ready' in m) {
                resolve();
                return;
              }
              const cb = this.#waiting.get(m.id);
              this.#waiting.delete(m.id);
              cb?.(m.tags);
            };
            w.on('message', onMsg);
          }),
      ),
    );
    this.#workers = ws;
    return ws;
  }

  async close(): Promise<void> {
    const ws = this.#workers ?? [];
    this.#workers = undefined;
    await Promise.all(ws.map((w) => w.terminate()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
