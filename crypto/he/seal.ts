/**
 * The one place that loads node-seal (Microsoft SEAL 4.1 compiled to WebAssembly, pinned at 6.0.3).
 *
 * - Under `module: nodenext` the package's default import is typed as a namespace but is the factory at
 *   run time; it is normalized once here.
 * - The library is loaded once per thread (a worker has its own instance and heap).
 * - We capture the module's `WebAssembly.Memory` while it is instantiated so tests and benchmarks can
 *   watch the heap (`sealHeapBytes()`): SEAL's WASM heap grows but never shrinks, so a leaked object per
 *   query is visible as growth over many queries.
 */
import * as sealModule from 'node-seal/throws_wasm_node_umd.js';
import type { SEALLibrary } from 'node-seal/implementation/seal';

export type Seal = SEALLibrary;

let loading: Promise<Seal> | undefined;
let loaded: Seal | undefined;
let memory: WebAssembly.Memory | undefined;

type Factory = () => Promise<Seal>;

function factoryOf(mod: unknown): Factory {
  const m = mod as { default?: unknown };
  const f = typeof m === 'function' ? m : typeof m.default === 'function' ? m.default : (m.default as { default?: unknown } | undefined)?.default;
  if (typeof f !== 'function') throw new Error('node-seal: no factory export');
  return f as Factory;
}

/** Load SEAL once per thread. */
export function loadSeal(): Promise<Seal> {
  if (loading) return loading;
  loading = (async () => {
    const original = WebAssembly.instantiate;
    // Capture the exported memory of the one module node-seal instantiates (restored right after).
    const patched = async function (this: unknown, ...args: Parameters<typeof WebAssembly.instantiate>) {
      const res = (await (original as (...a: unknown[]) => Promise<unknown>).apply(WebAssembly, args)) as
        | WebAssembly.WebAssemblyInstantiatedSource
        | WebAssembly.Instance;
      const inst = 'instance' in res ? res.instance : res;
      for (const v of Object.values(inst.exports)) if (v instanceof WebAssembly.Memory) memory = v;
      return res;
    };
    (WebAssembly as { instantiate: unknown }).instantiate = patched;
    try {
      loaded = await factoryOf(sealModule)();
    } finally {
      (WebAssembly as { instantiate: unknown }).instantiate = original;
    }
    return loaded;
  })();
  return loading;
}

/** The loaded library; throws if `loadSeal()` has not completed. */
export function seal(): Seal {
  if (!loaded) throw new Error('crypto/he: call await loadSeal() (or HeClient.create / HeServer.create) first');
  return loaded;
}

/** Current size of SEAL's WebAssembly heap in bytes (0 if not captured). */
export function sealHeapBytes(): number {
  return memory ? memory.buffer.byteLength : 0;
}

/** Anything with a SEAL `delete()`. */
export interface Deletable {
  delete(): void;
}

/** Run `fn` and delete every SEAL object pushed to the bag, whatever happens. */
export function withBag<T>(fn: (bag: Deletable[]) => T): T {
  const bag: Deletable[] = [];
  try {
    return fn(bag);
  } finally {
    for (let i = bag.length - 1; i >= 0; i--) bag[i]!.delete();
  }
}

/** Track a SEAL object in a bag and return it (typed). */
export function keep<T extends Deletable>(bag: Deletable[], obj: T | void): T {
  if (!obj) throw new Error('SEAL returned nothing');
  bag.push(obj);
  return obj;
}
