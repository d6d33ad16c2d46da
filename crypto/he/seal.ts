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

export type Seal = Awaited<ReturnType<typeof sealModule.default.default>>;
/** Instance types of the SEAL classes we use (node-seal's implementation types are not exported). */
export type Context = ReturnType<Seal['Context']>;
export type Evaluator = ReturnType<Seal['Evaluator']>;
export type CKKSEncoder = ReturnType<Seal['CKKSEncoder']>;
export type CipherText = ReturnType<Seal['CipherText']>;
export type PlainText = ReturnType<Seal['PlainText']>;
export type GaloisKeys = ReturnType<Seal['GaloisKeys']>;
export type KeyGenerator = ReturnType<Seal['KeyGenerator']>;
export type SecretKey = ReturnType<KeyGenerator['secretKey']>;
export type PublicKey = ReturnType<KeyGenerator['createPublicKey']>;
export type Encryptor = ReturnType<Seal['Encryptor']>;
export type Decryptor = ReturnType<Seal['Decryptor']>;

// Minimal WebAssembly typing (the project's lib has no DOM / WebAssembly declarations).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  instantiate: (...args: unknown[]) => Promise<unknown>;
  Memory: new (...args: unknown[]) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let loading: Promise<Seal> | undefined;
let loaded: Seal | undefined;
let memory: WasmMemory | undefined;

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
    const original = WA.instantiate;
    // Capture the exported memory of the one module node-seal instantiates (restored right after).
    WA.instantiate = async (...args: unknown[]) => {
      const res = (await original.apply(WA, args)) as { instance?: { exports: Record<string, unknown> }; exports?: Record<string, unknown> };
      const exportsObj = res.instance?.exports ?? res.exports ?? {};
      for (const v of Object.values(exportsObj)) if (v instanceof WA.Memory) memory = v;
      return res;
    };
    try {
      loaded = await factoryOf(sealModule)();
    } finally {
      WA.instantiate = original;
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
// biome-ignore lint/suspicious/noConfusingVoidType: node-seal declares its factories as returning `T | void`
export function keep<T extends Deletable>(bag: Deletable[], obj: T | void): T {
  if (!obj) throw new Error('SEAL returned nothing');
  bag.push(obj);
  return obj;
}
