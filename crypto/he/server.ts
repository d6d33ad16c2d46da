/**
 * Node side of encrypted 1:N matching: scores an encrypted probe against the whole gallery and masks each
 * score so the analyst learns only sign(s - tau) per position.
 *
 * Per query:
 *  1. session keys and probe are checked against the pinned templates (seal-format.ts), then loaded;
 *  2. the h-1 probe rotations P_k = rot(P_0, k) are computed once (tree over power-of-two keys, one
 *     key switch each) and shared by every gallery block — the rotation cost is amortized over the gallery;
 *  3. per block, sum_k P_k * G_k — by the fused wasm SIMD kernel (`mode: 'fused'`, default; JS kernel
 *     without wasm SIMD or with `kernel: 'js'`) or by SEAL
 *     `multiply_plain`/`add` (`mode: 'seal'`, the baseline kept for cross-checking);
 *  4. per pair of blocks (o1, o2), with fresh R1, R2 (exactly real slots, log-uniform > 0) and noise:
 *     W = c+ + conj(c-), c± = R1*o1 ± T*(R2*o2), T = X^(N/2); then W + A. Real part of slot j is
 *     2 r1_j (s1_j - tau) + 2 e1_j, imaginary part 2 r2_j (s2_j - tau) + 2 e2_j; every other linear
 *     combination (the imaginary "garbage" of the two-dims-per-slot packing) is cancelled by the conjugation.
 *     Fused mode computes the products on residues (mask.ts) and only the conjugation in SEAL.
 *  With a worker, rotations, blocks and mask pairs are split between the two threads.
 */
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { randomBytes, type Rng } from '../bytes.ts';
import { CryptoError } from '../errors.ts';
import { heContext, type HeContext } from './context.ts';
import { GalleryEncoding } from './gallery.ts';
import { macBlocks, newPreparedProbe, putDiagonal } from './kernel.ts';
import { maskPairResidues, maskRandomBytes, multiplierCoeffs, rotateWords } from './mask.ts';
import { permutationPlan, type PermutationPlan, type PositionPermutation } from './permute.ts';
import { newKernelMemory, probeView, putDiagonalU32, WasmMac, wasmKernelAvailable, type WasmMemory } from './wasm-kernel.ts';
import { isHeParamId, type HeParamId } from './params.ts';
import { ckksCodec, nttTables, roundSelfConjugate, toResidues } from './ring.ts';
import { checkAgainstShape, readResidues, writeF64, writeResidues } from './seal-format.ts';
import { keep, withBag, type GaloisKeys, type CipherText, type PlainText, type Deletable } from './seal.ts';
import { ctWords, KIND_MASKED, KIND_UNMASKED, writeResult } from './wire.ts';

export interface ScoreOptions {
  /** Serialized session keys (from `HeClient.sessionKeys()`), checked and cached by their hash. */
  readonly sessionKeys: Uint8Array;
  /** Encrypted probe (from `HeClient.encryptProbe()`). */
  readonly probe: Uint8Array;
  readonly gallery: GalleryEncoding;
  /** Decision threshold; defaults to the parameter set's. Must be in (0, 1). */
  readonly threshold?: number;
  /** Randomness for the masks (tests pass a seeded one). */
  readonly rng?: Rng;
  /**
   * 'fused' (default): kernel over NTT residues and masking on residues (only conjugations in SEAL);
   * 'seal': one SEAL call per block-diagonal and SEAL masking (baseline).
   */
  readonly mode?: 'fused' | 'seal';
  /** Fused mode: 'wasm' (default when WebAssembly SIMD is available) or the plain JS kernel. */
  readonly kernel?: 'wasm' | 'js';
  /** Tests and benchmarks only: return raw scores (no masking). Never for a peer. */
  readonly unmaskedForTesting?: boolean;
  /**
   * Per-query keyed permutation of the positions the analyst sees (permute.ts): result ciphertexts and
   * halves are shuffled and each result ciphertext's slots rotated. The node maps a claimed position back
   * with `unpermutePosition(p, { key, queryId, positions: ScoreResult.positions, paramId })`. The result's
   * header then counts the padded position space (2·2048 per result ciphertext); `ScoreResult.positions`
   * stays the gallery size. Not with `unmaskedForTesting`.
   */
  readonly permutation?: PositionPermutation;
}

export interface ScoreResult {
  /** The result blob for the analyst (`HeClient.decryptMasked`). */
  readonly result: Uint8Array;
  /** Number of positions covered (= gallery.size). */
  readonly positions: number;
  /** Timings in ms, for benchmarks. */
  readonly timings: { rotations: number; mac: number; mask: number; total: number };
}

const KEY_CACHE = 8;

export interface HeServerOptions {
  /**
   * Threads sharing a query (main thread included): 2 on a 2-core node. Extra threads are worker_threads
   * running crypto/he/score-worker.ts (needs a TypeScript loader such as tsx in the process).
   */
  readonly workers?: number;
}

/** One worker thread with a sequential request queue. */
class WorkerLink {
  private readonly w: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: unknown) => void }>();
  readonly sessions = new Set<string>();
  constructor() {
    // The worker is a .ts module: register tsx's loader in the worker first when it is available.
    const url = new URL('./score-worker.ts', import.meta.url).href;
    let tsx: string | undefined;
    try {
      tsx = import.meta.resolve('tsx/esm/api');
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

function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}

export class HeServer {
  readonly paramId: HeParamId;
  private readonly c: HeContext;
  private readonly keyCache = new Map<string, GaloisKeys>();
  private readonly fixed: { t: PlainText } | undefined;
  private disposed = false;
  private readonly worker: WorkerLink | undefined;
  private kmem: WasmMemory | undefined;
  private wmac: WasmMac | undefined;
  private lock: Promise<unknown> = Promise.resolve();

  private constructor(c: HeContext, opts: HeServerOptions) {
    this.c = c;
    this.paramId = c.id;
    const d = c.d;
    // T = X^(N/2) in NTT form: slot j becomes i * sigma_j (sigma_j = +-1).
    const coeffs = new Float64Array(d.n);
    coeffs[d.n / 2] = 1;
    this.fixed = { t: this.plaintext(coeffs, 1) };
    if ((opts.workers ?? 1) > 2) throw new CryptoError('bad_request', 'workers: at most 2 (main thread + 1 worker)');
    this.worker = (opts.workers ?? 1) > 1 ? new WorkerLink() : undefined;
  }

  static async create(paramId: HeParamId, opts: HeServerOptions = {}): Promise<HeServer> {
    if (!isHeParamId(paramId)) throw new CryptoError('bad_request', 'unknown HE parameter id');
    return new HeServer(await heContext(paramId), opts);
  }

  /** Rounded integer coefficients -> SEAL plaintext (NTT form, first level) with the given scale field. */
  private plaintext(coeffs: Float64Array, scale: number): PlainText {
    const c = this.c;
    const d = c.d;
    const bytes = c.ptTemplate.slice();
    const r = new Uint32Array(d.n);
    for (let pi = 0; pi < d.q.length; pi++) {
      toResidues(coeffs, d.q[pi]!, r);
      nttTables(d.q[pi]!, d.n).forward(r);
      writeResidues(bytes, c.ptData.offset + pi * d.n * 8, r, d.n);
    }
    writeF64(bytes, c.ptScaleOffset, scale);
    const pt = c.seal.PlainText();
    pt.loadArray(c.ctx, bytes);
    return pt;
  }

  private ciphertext(words: Uint32Array, scale: number): CipherText {
    const c = this.c;
    const bytes = c.ctTemplate.slice();
    writeResidues(bytes, c.ctData.offset, words, words.length);
    writeF64(bytes, c.ctScaleOffset, scale);
    const ct = c.seal.CipherText();
    ct.loadArray(c.ctx, bytes);
    return ct;
  }

  private words(ct: CipherText): Uint32Array {
    const c = this.c;
    const bytes = ct.saveArray(c.seal.ComprModeType.none);
    const w = new Uint32Array(ctWords(c.d));
    readResidues(bytes, bytes.length - w.length * 8, w.length, w);
    return w;
  }

  /** Validate and load (or fetch from cache) session keys. */
  private galoisKeys(blob: Uint8Array): { gk: GaloisKeys; id: string } {
    const c = this.c;
    if (!(blob instanceof Uint8Array)) throw new CryptoError('bad_request', 'sessionKeys: expected bytes');
    if (blob.length > c.keysShape.template.length) throw new CryptoError('too_large', 'sessionKeys: too large');
    // Native SHA-256 (≈ 2 ms for 1.7 MiB; noble's JS one costs ≈ 15 ms on every query).
    const id = createHash('sha256').update(blob).digest('hex');
    const hit = this.keyCache.get(id);
    if (hit) {
      this.keyCache.delete(id);
      this.keyCache.set(id, hit);
      return { gk: hit, id };
    }
    checkAgainstShape(blob, c.keysShape, 'bad_key', 'sessionKeys');
    const gk = c.seal.GaloisKeys();
    try {
      gk.loadArray(c.ctx, blob);
    } catch (e) {
      gk.delete();
      throw new CryptoError('bad_key', 'sessionKeys: SEAL rejected the keys', { cause: e });
    }
    this.keyCache.set(id, gk);
    while (this.keyCache.size > KEY_CACHE) {
      const [oldId, old] = this.keyCache.entries().next().value as [string, GaloisKeys];
      this.keyCache.delete(oldId);
      old.delete();
    }
    return { gk, id };
  }

  private loadProbe(blob: Uint8Array): CipherText {
    const c = this.c;
    checkAgainstShape(blob, c.probeShape, 'bad_ciphertext', 'probe');
    const ct = c.seal.CipherText();
    try {
      ct.loadArray(c.ctx, blob);
    } catch (e) {
      ct.delete();
      throw new CryptoError('bad_ciphertext', 'probe: SEAL rejected the ciphertext', { cause: e });
    }
    return ct;
  }

  /** Score an encrypted probe against the gallery; returns the masked result blob. Queries run one at a time. */
  scoreMasked(opts: ScoreOptions): Promise<ScoreResult> {
    const run = () => this.score(opts);
    const p = this.lock.then(run, run);
    this.lock = p.catch(() => undefined);
    return p;
  }

  private async score(opts: ScoreOptions): Promise<ScoreResult> {
    if (this.disposed) throw new CryptoError('bad_request', 'HeServer: disposed');
    const c = this.c;
    const d = c.d;
    const { gallery } = opts;
    if (!(gallery instanceof GalleryEncoding) || gallery.paramId !== this.paramId) {
      throw new CryptoError('bad_request', 'gallery: wrong parameter set');
    }
    const tau = opts.threshold ?? d.p.threshold;
    if (typeof tau !== 'number' || !(tau > 0 && tau < 1)) throw new CryptoError('bad_request', 'threshold must be in (0, 1)');
    const rng = opts.rng ?? randomBytes;
    if (opts.permutation !== undefined && opts.unmaskedForTesting) throw new CryptoError('bad_request', 'permutation: not with unmasked results');
    const mode = opts.mode ?? 'fused';
    const kernel = mode === 'fused' && (opts.kernel ?? 'wasm') === 'wasm' && this.wasmReady() ? 'wasm' : 'js';
    const t0 = performance.now();
    const { gk, id: sessionId } = this.galoisKeys(opts.sessionKeys);
    gallery.flush();
    const positions = gallery.size;
    const nb = Math.ceil(positions / d.blockSize);
    const plan: PermutationPlan | undefined = opts.permutation !== undefined ? permutationPlan(d, positions, opts.permutation) : undefined;
    const blocks = gallery.blocks.slice(0, nb);
    const worker = mode === 'fused' ? this.worker : undefined;
    // Worker requests that need the session's keys are retried once with them.
    const withKeys = (msg: Record<string, unknown>): Promise<unknown> => {
      const w = worker!;
      const send = (keys: boolean) => w.request({ ...msg, sessionId, keys: keys ? opts.sessionKeys : undefined });
      const known = w.sessions.has(sessionId);
      w.sessions.add(sessionId);
      const p = send(!known).then((r) => (r === 'need-keys' ? send(true) : r));
      p.catch(() => undefined); // awaited below; never an unhandled rejection if this thread fails first
      return p;
    };

    const bag: Deletable[] = [];
    try {
      const p0 = keep(bag, this.loadProbe(opts.probe));
      let p0words = this.words(p0);
      if (worker) {
        const s = new Uint32Array(new SharedArrayBuffer(p0words.length * 4));
        s.set(p0words);
        p0words = s;
      }
      const outs: Uint32Array[] = [];
      let t1: number;
      if (mode === 'fused') {
        // 2. rotations, shared by all blocks; with a worker, it computes diagonals [h/2, h).
        const mem = kernel === 'wasm' ? this.kmem! : undefined;
        const probeU32 = mem ? probeView(d, mem) : undefined;
        const pp = mem ? undefined : worker ? d.q.map(() => sharedF64(d.n * d.h * 4)) : newPreparedProbe(d);
        const put = (k: number, w: Uint32Array) => (probeU32 ? putDiagonalU32(d, probeU32, k, w) : putDiagonal(d, pp!, k, w));
        const split = worker ? d.h / 2 : d.h;
        const pending = worker
          ? withKeys({ t: 'rot', paramId: this.paramId, probe: opts.probe, from: split, to: d.h, pp, mem })
          : undefined;
        put(0, p0words);
        const rot: CipherText[] = [p0];
        for (let k = 1; k < split; k++) {
          const low = k & -k;
          const r = keep(bag, c.evaluator.rotateVector(rot[k - low]!, low, gk));
          rot.push(r);
          put(k, this.words(r));
        }
        await pending;
        t1 = performance.now();
        // 3. per-block inner products; with a worker, it takes the second half of the blocks.
        const live = blocks.map((b, i) => (b.count > 0 ? i : -1)).filter((i) => i >= 0);
        const liveOuts = live.map(() => (worker ? new Uint32Array(new SharedArrayBuffer(ctWords(d) * 4)) : new Uint32Array(ctWords(d))));
        const half = worker ? Math.floor(live.length / 2) : live.length;
        const mine = live.slice(0, half);
        const theirs = live.slice(half);
        const wp = worker && theirs.length
          ? worker.request({ t: 'mac', paramId: this.paramId, pp, mem, gs: theirs.map((i) => blocks[i]!.residues!), outs: liveOuts.slice(half) })
          : undefined;
        wp?.catch(() => undefined);
        const gs = mine.map((i) => blocks[i]!.residues!);
        if (mem) this.wmac!.macBlocks(gs, liveOuts.slice(0, half));
        else macBlocks(d, pp!, gs, liveOuts.slice(0, half));
        await wp;
        const liveIndex = new Map(live.map((b, i) => [b, i]));
        for (let b = 0; b < nb; b++) {
          const li = liveIndex.get(b);
          outs.push(li !== undefined ? liveOuts[li]! : p0words);
        }
      } else {
        const rot: CipherText[] = [p0];
        for (let k = 1; k < d.h; k++) {
          const low = k & -k;
          rot.push(keep(bag, c.evaluator.rotateVector(rot[k - low]!, low, gk)));
        }
        t1 = performance.now();
        for (let b = 0; b < nb; b++) outs.push(blocks[b]!.count > 0 ? this.macSeal(rot, blocks[b]!.residues!) : p0words);
      }
      const t2 = performance.now();
      // 4. masking.
      let result: Uint8Array;
      if (opts.unmaskedForTesting) {
        result = writeResult(this.paramId, d, KIND_UNMASKED, positions, outs.length ? outs : [p0words]);
      } else {
        const npairs = Math.max(1, Math.ceil(nb / 2));
        const masked: Uint32Array[] = [];
        // Result ciphertext t masks layout halves src(2t) (real parts) and src(2t+1) (imaginary parts).
        const src = (h: number) => (plan ? plan.src[h]! : h);
        const rots = plan ? Array.from(plan.offsets) : undefined;
        if (mode === 'seal') {
          for (let t = 0; t < npairs; t++) {
            const w = this.maskPairSeal(outs[src(2 * t)] ?? p0words, outs[src(2 * t + 1)], gk, tau, rng);
            if (rots?.[t]) rotateWords(c, gk, w, rots[t]!, d.probeScale * d.galleryScale);
            masked.push(w);
          }
        } else {
          // Randomness drawn in the baseline's order (R1, R2, e per pair), then pairs split between threads.
          const per = maskRandomBytes(d);
          const rnd = new Uint8Array(worker ? new SharedArrayBuffer(npairs * per) : new ArrayBuffer(npairs * per));
          for (let t = 0; t < npairs; t++) {
            rnd.set(rng(d.slots * 4), t * per);
            rnd.set(rng(d.slots * 4), t * per + d.slots * 4);
            rnd.set(rng(2 * d.slots * 4), t * per + 2 * d.slots * 4);
          }
          for (let t = 0; t < npairs; t++) masked.push(new Uint32Array(worker ? new SharedArrayBuffer(ctWords(d) * 4) : new ArrayBuffer(ctWords(d) * 4)));
          const pairs = Array.from({ length: npairs }, (_, t) => ({ o1: outs[src(2 * t)] ?? p0words, o2: outs[src(2 * t + 1)] }));
          const mineP = worker ? Math.ceil(npairs / 2) : npairs;
          const wm = worker && mineP < npairs
            ? withKeys({
                t: 'mask',
                paramId: this.paramId,
                tau,
                pairs: pairs.slice(mineP),
                rots: rots?.slice(mineP),
                rnd: rnd.subarray(mineP * per),
                outs: masked.slice(mineP),
              })
            : undefined;
          for (let t = 0; t < mineP; t++) {
            maskPairResidues(c, gk, pairs[t]!.o1, pairs[t]!.o2, tau, rnd.subarray(t * per, (t + 1) * per), masked[t]!, rots?.[t] ?? 0);
          }
          await wm;
        }
        result = writeResult(this.paramId, d, KIND_MASKED, plan ? plan.space : positions, masked);
      }
      const t3 = performance.now();
      return { result, positions, timings: { rotations: t1 - t0, mac: t2 - t1, mask: t3 - t2, total: t3 - t0 } };
    } finally {
      for (let i = bag.length - 1; i >= 0; i--) bag[i]!.delete();
    }
  }

  private wasmReady(): boolean {
    if (this.kmem) return true;
    if (this.c.d.h % 64 !== 0 || !wasmKernelAvailable()) return false;
    this.kmem = newKernelMemory(this.c.d);
    this.wmac = new WasmMac(this.c.d, this.kmem, 0);
    return true;
  }

  /** Baseline: sum_k P_k * G_k with one SEAL multiply_plain + add per diagonal. */
  private macSeal(rot: CipherText[], g: readonly Uint32Array[]): Uint32Array {
    const c = this.c;
    const d = c.d;
    return withBag((bag) => {
      let acc: CipherText | undefined;
      const col = new Uint32Array(d.n);
      for (let k = 0; k < d.h; k++) {
        const bytes = c.ptTemplate.slice();
        for (let pi = 0; pi < d.q.length; pi++) {
          const G = g[pi]!;
          for (let i = 0; i < d.n; i++) col[i] = G[i * d.h + k]!;
          writeResidues(bytes, c.ptData.offset + pi * d.n * 8, col, d.n);
        }
        writeF64(bytes, c.ptScaleOffset, d.galleryScale);
        const pt = keep(bag, c.seal.PlainText());
        pt.loadArray(c.ctx, bytes);
        const prod = keep(bag, c.evaluator.multiplyPlain(rot[k]!, pt));
        if (acc) c.evaluator.add(acc, prod, acc);
        else acc = prod;
      }
      return this.words(acc!);
    });
  }

  /** Draw a log-uniform multiplier vector and encode it exactly real; returns plaintext and exact slot values. */
  private multiplier(rng: Rng, sign: Float64Array | undefined, bag: Deletable[]): { pt: PlainText; rho: Float64Array } {
    const { coeffs, rho } = multiplierCoeffs(this.c.d, rng(this.c.d.slots * 4), sign);
    return { pt: keep(bag, this.plaintext(coeffs, 1)), rho };
  }


  private sigma: Float64Array | undefined;
  /** sigma_j = Im(T slot j) = +-1. */
  private sigmas(): Float64Array {
    if (!this.sigma) {
      const d = this.c.d;
      const coeffs = new Float64Array(d.n);
      coeffs[d.n / 2] = 1;
      const re = new Float64Array(d.slots);
      const im = new Float64Array(d.slots);
      ckksCodec(d.n).decode(coeffs, 1, re, im);
      this.sigma = im.map((x) => (x > 0 ? 1 : -1));
    }
    return this.sigma;
  }

  /** Baseline masking: every step a SEAL call (kept for cross-checking the residue path). */
  private maskPairSeal(o1: Uint32Array, o2: Uint32Array | undefined, gk: GaloisKeys, tau: number, rng: Rng): Uint32Array {
    const c = this.c;
    const d = c.d;
    const ev = c.evaluator;
    const scale = d.probeScale * d.galleryScale;
    const sigma = this.sigmas();
    return withBag((bag) => {
      const R1 = this.multiplier(rng, undefined, bag);
      const R2 = this.multiplier(rng, sigma, bag);
      const c1 = keep(bag, this.ciphertext(o1, scale));
      const u = keep(bag, ev.multiplyPlain(c1, R1.pt));
      let cp: CipherText = u;
      let cm: CipherText = u;
      if (o2) {
        const c2 = keep(bag, this.ciphertext(o2, scale));
        const v = keep(bag, ev.multiplyPlain(c2, R2.pt));
        const tv = keep(bag, ev.multiplyPlain(v, this.fixed!.t));
        cp = keep(bag, ev.add(u, tv));
        cm = keep(bag, ev.sub(u, tv));
      }
      const cj = keep(bag, ev.complexConjugate(cm, gk));
      const w = keep(bag, ev.add(cp, cj));
      // A = 2(-rho1 tau + e1) + i 2(-sigma rho2 tau + e2), e ~ U[0, rho 2^-eBits).
      const e = new Uint32Array(2 * d.slots);
      new Uint8Array(e.buffer).set(rng(2 * d.slots * 4));
      const aRe = new Float64Array(d.slots);
      const aIm = new Float64Array(d.slots);
      const eMax = 2 ** -d.p.eBits / 2 ** 32;
      for (let j = 0; j < d.slots; j++) {
        const r1 = R1.rho[j]!;
        const r2 = sigma[j]! * R2.rho[j]!;
        aRe[j] = 2 * (-r1 * tau + r1 * e[j]! * eMax);
        aIm[j] = 2 * (-r2 * tau + r2 * e[d.slots + j]! * eMax);
      }
      const coeffs = new Float64Array(d.n);
      ckksCodec(d.n).encodeFloat(aRe, aIm, scale, coeffs);
      const A = keep(bag, this.plaintext(coeffs, scale));
      ev.addPlain(w, A, w);
      return this.words(w);
    });
  }

  /** Number of cached session keys. */
  get cachedSessions(): number {
    return this.keyCache.size;
  }

  dispose(): void {
    void this.worker?.close();
    for (const gk of this.keyCache.values()) gk.delete();
    this.keyCache.clear();
    this.fixed?.t.delete();
    this.disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
