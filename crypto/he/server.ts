/**
 * Node side of encrypted 1:N matching: scores an encrypted probe against the whole gallery and masks each
 * score so the analyst learns only sign(s - tau) per position.
 *
 * Per query:
 *  1. session keys and probe are checked against the pinned templates (seal-format.ts), then loaded by
 *     SEAL; the session's keys are also copied, expanded, into a slot of the server's workspace;
 *  2. the h-1 probe rotations P_k = rot(P_0, k) are computed once (tree over power-of-two keys, one
 *     key switch each) and shared by every gallery block — the rotation cost is amortized over the gallery;
 *  3. per block, sum_k P_k * G_k;
 *  4. per pair of blocks (o1, o2), with fresh R1, R2 (exactly real slots, log-uniform > 0) and noise:
 *     W = c+ + conj(c-), c± = R1*o1 ± T*(R2*o2), T = X^(N/2); then W + A. Real part of slot j is
 *     2 r1_j (s1_j - tau) + 2 e1_j, imaginary part 2 r2_j (s2_j - tau) + 2 e2_j; every other linear
 *     combination (the imaginary "garbage" of the two-dims-per-slot packing) is cancelled by the conjugation.
 * `mode: 'fused'` (default) runs 2–4 on our kernels (fused.ts: wasm key switching, the wasm SIMD
 * multiply-accumulate reading the gallery in place, masking on residues), split between the main thread
 * and a worker; `mode: 'seal'` runs them as SEAL calls on the main thread (the baseline kept for
 * cross-checking, and the fallback without WebAssembly SIMD). Both give the same words.
 */
import { createHash } from 'node:crypto';
import { type Rng, randomBytes } from '../bytes.ts';
import { CryptoError } from '../errors.ts';
import { type HeContext, heContext } from './context.ts';
import { type FusedInput, fusedMac, fusedMask } from './fused.ts';
import { GalleryEncoding } from './gallery.ts';
import { type HeParamId, isHeParamId } from './params.ts';
import { type PermutationPlan, type PositionPermutation, permutationPlan } from './permute.ts';
import { type CipherText, type Deletable, type GaloisKeys, keep, type PlainText } from './seal.ts';
import { SealBaseline } from './seal-baseline.ts';
import { checkAgainstShape } from './seal-format.ts';
import { plaintextOf, sealRotations, wordsOf } from './seal-io.ts';
import { wasmKernelAvailable } from './wasm-kernel.ts';
import { KIND_MASKED, KIND_UNMASKED, writeResult } from './wire.ts';
import { WorkerLink } from './worker-link.ts';
import { KEY_SLOTS, Workspace } from './workspace.ts';

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
   * 'fused' (default): our key switching, the multiply-accumulate kernel over NTT residues and masking on
   * residues; 'seal': one SEAL call per rotation, block-diagonal and masking step (baseline).
   */
  readonly mode?: 'fused' | 'seal';
  /** Fused mode's multiply-accumulate: the wasm SIMD kernel (default) or the plain JS kernel (cross-checks). */
  readonly kernel?: 'wasm' | 'js';
  /** Tests and benchmarks only: return raw scores (no masking). Never for a peer. */
  readonly unmaskedForTesting?: boolean;
  /**
   * Per-query permutation of the positions the analyst sees (permute.ts), from a seed the node draws at
   * random for this query: result ciphertexts and halves are shuffled and each result ciphertext's slots
   * rotated. The node keeps the seed and maps a claimed position back with
   * `unpermutePosition(p, { seed, positions: ScoreResult.positions, paramId })`. The result's
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

export class HeServer {
  readonly paramId: HeParamId;
  private readonly c: HeContext;
  private readonly keyCache = new Map<string, GaloisKeys>();
  private readonly fixed: { t: PlainText };
  private readonly baseline: SealBaseline;
  private disposed = false;
  private readonly worker: WorkerLink | undefined;
  private ws: Workspace | undefined;
  /** Session id -> workspace key slot, most recently used last. */
  private readonly slots = new Map<string, number>();
  private lock: Promise<unknown> = Promise.resolve();

  private constructor(c: HeContext, opts: HeServerOptions) {
    this.c = c;
    this.paramId = c.id;
    const d = c.d;
    // T = X^(N/2) in NTT form: slot j becomes i * sigma_j (sigma_j = +-1).
    const coeffs = new Float64Array(d.n);
    coeffs[d.n / 2] = 1;
    this.fixed = { t: plaintextOf(this.c, coeffs, 1) };
    this.baseline = new SealBaseline(c, this.fixed.t);
    if ((opts.workers ?? 1) > 2) throw new CryptoError('bad_request', 'workers: at most 2 (main thread + 1 worker)');
    this.worker = (opts.workers ?? 1) > 1 ? new WorkerLink() : undefined;
  }

  static async create(paramId: HeParamId, opts: HeServerOptions = {}): Promise<HeServer> {
    if (!isHeParamId(paramId)) throw new CryptoError('bad_request', 'unknown HE parameter id');
    return new HeServer(await heContext(paramId), opts);
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
    const mode = opts.mode === 'seal' || !this.wasmReady() ? 'seal' : 'fused';
    const kernel = (opts.kernel ?? 'wasm') === 'wasm' ? 'wasm' : 'js';
    const t0 = performance.now();
    const { gk, id: sessionId } = this.galoisKeys(opts.sessionKeys);
    gallery.flush();
    const positions = gallery.size;
    const nb = Math.ceil(positions / d.blockSize);
    const plan: PermutationPlan | undefined = opts.permutation !== undefined ? permutationPlan(d, positions, opts.permutation) : undefined;
    const worker = mode === 'fused' ? this.worker : undefined;

    const bag: Deletable[] = [];
    try {
      const p0 = keep(bag, this.loadProbe(opts.probe));
      let p0words = wordsOf(this.c, p0);
      if (worker) {
        const s = new Uint32Array(new SharedArrayBuffer(p0words.length * 4));
        s.set(p0words);
        p0words = s;
      }
      let outs: Uint32Array[];
      let fused: FusedInput | undefined;
      let t1: number;
      if (mode === 'fused') {
        const ws = this.ws!;
        fused = { paramId: this.paramId, d, ws, slot: this.keySlot(sessionId, gk), p0: p0words, gallery, nb, kernel, worker };
        const r = await fusedMac(fused);
        outs = r.outs;
        t1 = r.rotationsDone;
      } else {
        const rot: CipherText[] = [p0];
        for (let k = 1; k < d.h; k++) {
          const low = k & -k;
          rot.push(keep(bag, c.evaluator.rotateVector(rot[k - low]!, low, gk)));
        }
        t1 = performance.now();
        outs = [];
        for (let b = 0; b < nb; b++) outs.push(gallery.blocks[b]!.count > 0 ? this.baseline.mac(rot, gallery.arenas.residues(b)) : p0words);
      }
      const t2 = performance.now();
      // 4. masking.
      let result: Uint8Array;
      if (opts.unmaskedForTesting) {
        result = writeResult(this.paramId, d, KIND_UNMASKED, positions, outs.length ? outs : [p0words]);
      } else {
        const npairs = Math.max(1, Math.ceil(nb / 2));
        // Result ciphertext t masks layout halves src(2t) (real parts) and src(2t+1) (imaginary parts).
        const src = (h: number) => (plan ? plan.src[h]! : h);
        const rots = plan ? Array.from(plan.offsets) : undefined;
        let masked: Uint32Array[];
        if (fused) {
          const pairs = Array.from({ length: npairs }, (_, t) => ({ o1: outs[src(2 * t)] ?? p0words, o2: outs[src(2 * t + 1)] }));
          masked = await fusedMask(fused, pairs, rots, tau, rng);
        } else {
          masked = [];
          const sr = sealRotations(c, gk, d.probeScale * d.galleryScale);
          for (let t = 0; t < npairs; t++) {
            const w = this.baseline.maskPair(outs[src(2 * t)] ?? p0words, outs[src(2 * t + 1)], gk, tau, rng);
            if (rots?.[t]) sr.rotate(w, rots[t]!);
            masked.push(w);
          }
        }
        result = writeResult(this.paramId, d, KIND_MASKED, plan ? plan.space : positions, masked);
      }
      const t3 = performance.now();
      return { result, positions, timings: { rotations: t1 - t0, mac: t2 - t1, mask: t3 - t2, total: t3 - t0 } };
    } finally {
      for (let i = bag.length - 1; i >= 0; i--) bag[i]!.delete();
    }
  }

  /** The workspace slot holding this session's expanded keys (copied in from SEAL's loaded keys when new). */
  private keySlot(sessionId: string, gk: GaloisKeys): number {
    const hit = this.slots.get(sessionId);
    if (hit !== undefined) {
      this.slots.delete(sessionId);
      this.slots.set(sessionId, hit);
      return hit;
    }
    let slot = this.slots.size;
    if (slot >= KEY_SLOTS) {
      const [oldId, oldSlot] = this.slots.entries().next().value as [string, number];
      this.slots.delete(oldId);
      slot = oldSlot;
    }
    this.ws!.ks.loadKeys(slot, gk.saveArray(this.c.seal.ComprModeType.none));
    this.slots.set(sessionId, slot);
    return slot;
  }

  private wasmReady(): boolean {
    if (this.ws) return true;
    if (this.c.d.h % 64 !== 0 || !wasmKernelAvailable()) return false;
    this.ws = Workspace.create(this.c.d);
    return true;
  }

  /** Number of cached session keys. */
  get cachedSessions(): number {
    return this.keyCache.size;
  }

  dispose(): void {
    void this.worker?.close();
    for (const gk of this.keyCache.values()) gk.delete();
    this.keyCache.clear();
    this.fixed.t.delete();
    this.disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
