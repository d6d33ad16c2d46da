/**
 * CKKS rotations and conjugation by our own key switching, word for word what SEAL 4.1 computes
 * (`Evaluator::apply_galois_inplace` + `switch_key_inplace`), on WebAssembly kernels (ntt-wasm.ts,
 * keyswitch-wasm.ts) over a shared memory both query threads use.
 *
 * For a ciphertext (c0, c1) in NTT form over the data primes q0, q1, Galois element g and its key
 * K[j] = (K[j][0], K[j][1]) over q0, q1 and the special prime p (one per data prime j):
 *  1. c0' = g(c0), c1' = g(c1): a permutation of NTT points (SEAL's `apply_galois_ntt` table);
 *  2. digits d_j = INTT_qj(c1'_j) in [0, q_j), brought into NTT form mod every other prime r of q0, q1, p
 *     (the own prime keeps c1'_j);
 *  3. acc[k][r] = sum_j d_j * K[j][k] mod r for both output polynomials k;
 *  4. modulus switch down: v = centred INTT_p(acc[k][p]); out[k][i] = (acc[k][i] - NTT_qi(v)) * p^-1
 *     mod q_i, plus c0' for k = 0.
 * Every step is exact modular arithmetic (SEAL's rounding: the centred representative of v), so the
 * result equals SEAL's rotate_vector / complex_conjugate exactly (keyswitch.test.ts).
 *
 * Memory layout from `base` (all offsets in bytes): NTT tables per prime, the Galois permutation tables
 * of the pinned elements, `keySlots` session-key slots (keys expanded by SEAL, copied in with their Shoup
 * factors / quotients), and one scratch area per thread. Tables and keys are written by the main thread;
 * both threads read them.
 */

import { KEYSWITCH_FUNCS } from './keyswitch-wasm.ts';
import type { Derived } from './params.ts';
import { nttTables } from './ring.ts';
import { parseCiphertext } from './seal-format.ts';
import { assembleModule } from './wasm-asm.ts';
import type { WasmMemory } from './wasm-kernel.ts';
import { NTT30_FUNCS } from './wasm-ntt.ts';
import { P49_FUNCS } from './wasm-p49-ops.ts';

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

type Fn = (...args: (number | bigint)[]) => void;
interface Kernels {
  ntt30: Fn;
  intt30: Fn;
  ntt49: Fn;
  intt49: Fn;
  permute32: Fn;
  mulacc30: Fn;
  moddown30: Fn;
  mulacc49: Fn;
  widen: Fn;
  reduce32: Fn;
  centered: Fn;
  shoup32: Fn;
}

let compiled: object | undefined;
function module(): object {
  if (!WA) throw new Error('keyswitch: WebAssembly unavailable');
  compiled ??= new WA.Module(assembleModule([...NTT30_FUNCS, ...P49_FUNCS, ...KEYSWITCH_FUNCS]));
  return compiled;
}

/** Galois elements of the pinned keys, in `HeContext.galoisSteps` order: rotations by 1, 2, …, h/2, then conjugation. */
export function galoisElements(d: Derived): number[] {
  const m = 2n * BigInt(d.n);
  const els = d.rotationSteps.map((s) => {
    let r = 1n;
    for (let i = 0; i < s; i++) r = (r * 3n) % m;
    return Number(r);
  });
  return [...els, 2 * d.n - 1];
}

function bitrev(x: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) r = (r << 1) | ((x >>> i) & 1);
  return r >>> 0;
}

function powmod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  let x = b % m;
  let k = e;
  while (k > 0n) {
    if (k & 1n) r = (r * x) % m;
    x = (x * x) % m;
    k >>= 1n;
  }
  return r;
}

/** SEAL's NTT twiddles for a prime of any size: bit-reversed powers of the minimal primitive 2N-th root and of its inverse. */
function bigTables(p: bigint, n: number): { fwd: bigint[]; inv: bigint[]; nInv: bigint } {
  let g = 0n;
  for (let x = 2n; ; x++) {
    const c = powmod(x, (p - 1n) / BigInt(2 * n), p);
    if (powmod(c, BigInt(n), p) === p - 1n) {
      g = c;
      break;
    }
  }
  const g2 = (g * g) % p;
  let cur = g;
  let psi = g;
  for (let i = 0; i < n; i++) {
    if (cur < psi) psi = cur;
    cur = (cur * g2) % p;
  }
  const psiInv = powmod(psi, p - 2n, p);
  const pw: bigint[] = [1n];
  const pwInv: bigint[] = [1n];
  for (let i = 1; i < n; i++) {
    pw.push((pw[i - 1]! * psi) % p);
    pwInv.push((pwInv[i - 1]! * psiInv) % p);
  }
  const logn = Math.log2(n);
  const fwd: bigint[] = [];
  const inv: bigint[] = [];
  for (let i = 0; i < n; i++) {
    fwd.push(pw[bitrev(i, logn)]!);
    inv.push(pwInv[bitrev(i, logn)]!);
  }
  return { fwd, inv, nInv: powmod(BigInt(n), p - 2n, p) };
}

/** Byte offsets of everything the key switcher keeps in the shared memory. */
export class KeySwitchLayout {
  readonly n: number;
  /** Per data prime: forward [w; n][w'; n] u32 and inverse tables; for p: [w; n u64][w/p; n f64]. */
  readonly fwd: number[];
  readonly inv: number[];
  readonly galois: number;
  readonly elements: number[];
  readonly keys: number;
  readonly keySlotBytes: number;
  readonly scratch: number;
  readonly scratchBytes: number;
  readonly end: number;

  constructor(
    readonly d: Derived,
    readonly base: number,
    readonly keySlots: number,
    threads: number,
  ) {
    const n = d.n;
    this.n = n;
    let o = base;
    this.fwd = [];
    this.inv = [];
    for (let pi = 0; pi < 3; pi++) {
      const bytes = pi < 2 ? 8 * n : 16 * n;
      this.fwd.push(o);
      o += bytes;
      this.inv.push(o);
      o += bytes;
    }
    this.elements = galoisElements(d);
    this.galois = o;
    o += this.elements.length * 4 * n;
    this.keys = o;
    this.keySlotBytes = this.elements.length * 4 * 32 * n;
    o += keySlots * this.keySlotBytes;
    this.scratch = o;
    this.scratchBytes = 128 * n;
    o += threads * this.scratchBytes;
    this.end = o;
  }

  /** Offset of key part (slot, element index e, digit j, polynomial k): [q0: k, k'][q1: k, k'][p: k u64, k/p f64]. */
  key(slot: number, e: number, j: number, k: number): number {
    return this.keys + slot * this.keySlotBytes + ((e * 2 + j) * 2 + k) * 32 * this.n;
  }
}

/** One thread's key switcher over the shared memory (an instance of the kernels plus its scratch area). */
export class KeySwitcher {
  private readonly k: Kernels;
  private readonly u8: Uint8Array;
  private readonly s: Record<'x' | 'dg' | 't' | 'w' | 'acc' | 'a49' | 'y' | 'c0', number>;
  private readonly qs: number[];
  private readonly p: bigint;
  private readonly pinv: number[];
  private readonly nInv30: number[];

  constructor(
    readonly layout: KeySwitchLayout,
    readonly memory: WasmMemory,
    thread: number,
  ) {
    const inst = new WA!.Instance(module(), { e: { m: memory } });
    this.k = inst.exports as unknown as Kernels;
    this.u8 = new Uint8Array(memory.buffer);
    const n = layout.n;
    const b = layout.scratch + thread * layout.scratchBytes;
    // u32 areas: x (2n), dg (2n), t (2n), acc (4n), y (n), c0 (2n); u64: w (2n), a49 (2n)
    this.s = { x: b, dg: b + 8 * n, t: b + 16 * n, acc: b + 24 * n, y: b + 40 * n, c0: b + 44 * n, w: b + 56 * n, a49: b + 72 * n };
    const d = layout.d;
    this.qs = [...d.q];
    this.p = d.special;
    this.pinv = d.q.map((q) => Number(powmod(this.p % BigInt(q), BigInt(q - 2), BigInt(q))));
    this.nInv30 = d.q.map((q) => nttTables(q, n).nInv);
  }

  /** Shoup factor of a 30-bit constant. */
  private static shoup(w: number, q: number): number {
    return Number((BigInt(w) << 32n) / BigInt(q));
  }

  /** Write the NTT and Galois tables (once per memory, by one thread). */
  writeTables(): void {
    const { layout: L } = this;
    const n = L.n;
    const d = L.d;
    const dv = new DataView(this.memory.buffer);
    for (let pi = 0; pi < 2; pi++) {
      const q = d.q[pi]!;
      const t = nttTables(q, n);
      for (const [base, src] of [
        [L.fwd[pi]!, t.psiRev],
        [L.inv[pi]!, t.psiInvRev],
      ] as const) {
        for (let i = 0; i < n; i++) {
          dv.setUint32(base + 4 * i, src[i]!, true);
          dv.setUint32(base + 4 * n + 4 * i, KeySwitcher.shoup(src[i]!, q), true);
        }
      }
    }
    const p = d.special;
    const bt = bigTables(p, n);
    const pf = Number(p);
    for (const [base, src] of [
      [L.fwd[2]!, bt.fwd],
      [L.inv[2]!, bt.inv],
    ] as const) {
      for (let i = 0; i < n; i++) {
        dv.setBigUint64(base + 8 * i, src[i]!, true);
        dv.setFloat64(base + 8 * n + 8 * i, Number(src[i]!) / pf, true);
      }
    }
    const logn = Math.log2(n);
    for (const [e, elt] of L.elements.entries()) {
      const base = L.galois + e * 4 * n;
      for (let i = n; i < 2 * n; i++) {
        const idx = Number((BigInt(elt) * BigInt(bitrev(i, logn + 1))) >> 1n) & (n - 1);
        dv.setUint32(base + 4 * (i - n), bitrev(idx, logn), true);
      }
    }
  }

  /**
   * Copy SEAL-expanded Galois keys (the uncompressed serialization of a loaded `GaloisKeys`, trusted) into
   * key slot `slot`, with their Shoup factors and quotients.
   */
  loadKeys(slot: number, expanded: Uint8Array): void {
    const L = this.layout;
    const n = L.n;
    const d = L.d;
    const primes = d.p.primes;
    const dv = new DataView(expanded.buffer, expanded.byteOffset, expanded.byteLength);
    const mdv = new DataView(this.memory.buffer);
    const u64 = (o: number) => dv.getUint32(o + 4, true) * 2 ** 32 + dv.getUint32(o, true);
    // GaloisKeys: header(16) parms_id(32) count(u64), then per Galois element index (elt >> 1) a vector of
    // key-switching ciphertexts (empty where no key).
    let off = 16 + 32;
    const slots = u64(off);
    off += 8;
    const want = new Map(L.elements.map((elt, e) => [elt >> 1, e]));
    let found = 0;
    for (let idx = 0; idx < slots; idx++) {
      const count = u64(off);
      off += 8;
      const e = want.get(idx);
      for (let j = 0; j < count; j++) {
        const ct = parseCiphertext(expanded, off, primes);
        off = ct.end;
        if (e === undefined) continue;
        for (let k = 0; k < 2; k++) {
          const dst = L.key(slot, e, j, k);
          for (let pi = 0; pi < 3; pi++) {
            const src = ct.data.offset + (k * 3 + pi) * n * 8;
            if (pi < 2) {
              const o = dst + pi * 8 * n;
              for (let i = 0; i < n; i++) mdv.setUint32(o + 4 * i, dv.getUint32(src + 8 * i, true), true);
              this.k.shoup32(o, o + 4 * n, n, BigInt(d.q[pi]!));
            } else {
              const o = dst + 16 * n;
              const pf = Number(d.special);
              for (let i = 0; i < n; i++) {
                const v = u64(src + 8 * i);
                mdv.setBigUint64(o + 8 * i, BigInt(v), true);
                mdv.setFloat64(o + 8 * n + 8 * i, v / pf, true);
              }
            }
          }
        }
      }
      if (e !== undefined && count === 2) found++;
    }
    if (found !== L.elements.length) throw new Error('keyswitch: a pinned Galois key is missing');
  }

  /**
   * out = the key switch of Galois element index `e` (into `layout.elements`) applied to the ciphertext
   * words at `inPtr` (u32, [poly][prime][i]), using key slot `slot`. in and out may be the same area.
   */
  apply(slot: number, e: number, inPtr: number, outPtr: number): void {
    const { k, s, layout: L } = this;
    const n = L.n;
    const q = this.qs;
    const p = this.p;
    const tab = L.galois + e * 4 * n;
    // 1. automorphism: c0' (kept for the end) and c1' (the own-prime digits in NTT form)
    for (let pi = 0; pi < 2; pi++) {
      k.permute32(inPtr + pi * 4 * n, s.c0 + pi * 4 * n, tab, n);
      k.permute32(inPtr + (2 + pi) * 4 * n, s.x + pi * 4 * n, tab, n);
    }
    // 2. digits in coefficient form, then NTT mod p (u64) and mod the other data prime.
    for (let j = 0; j < 2; j++) {
      const dg = s.dg + j * 4 * n;
      this.u8.copyWithin(dg, s.x + j * 4 * n, s.x + (j + 1) * 4 * n);
      k.intt30(dg, n, L.inv[j]!, q[j]!, this.nInv30[j]!, KeySwitcher.shoup(this.nInv30[j]!, q[j]!));
      const w = s.w + j * 8 * n;
      k.widen(dg, w, n);
      k.ntt49(w, n, L.fwd[2]!, p);
      // digit j mod the other prime r = 1 - j, NTT mod r, into t[j]
      const r = 1 - j;
      const t = s.t + j * 4 * n;
      k.reduce32(dg, t, n, q[r]!);
      k.ntt30(t, n, L.fwd[r]!, q[r]!);
    }
    // 3. products with the key: for prime r, digit j's NTT form is x[j] when r == j, else t[j].
    for (let kk = 0; kk < 2; kk++) {
      for (let r = 0; r < 2; r++) {
        const x0 = r === 0 ? s.x : s.t;
        const x1 = r === 1 ? s.x + 4 * n : s.t + 4 * n;
        k.mulacc30(s.acc + (kk * 2 + r) * 4 * n, x0, L.key(slot, e, 0, kk) + r * 8 * n, x1, L.key(slot, e, 1, kk) + r * 8 * n, n, q[r]!);
      }
      k.mulacc49(s.a49 + kk * 8 * n, s.w, L.key(slot, e, 0, kk) + 16 * n, s.w + 8 * n, L.key(slot, e, 1, kk) + 16 * n, n, p);
    }
    // 4. modulus switch down from p, plus c0' on the first polynomial.
    const half = p >> 1n;
    for (let kk = 0; kk < 2; kk++) {
      const a49 = s.a49 + kk * 8 * n;
      const pNInv = this.pNInv();
      k.intt49(a49, n, L.inv[2]!, p, pNInv.v, pNInv.f);
      for (let r = 0; r < 2; r++) {
        const qr = BigInt(q[r]!);
        k.centered(a49, s.y, n, p, half, qr, qr - (half % qr), 1 / q[r]!);
        k.ntt30(s.y, n, L.fwd[r]!, q[r]!);
        const out = outPtr + (kk * 2 + r) * 4 * n;
        k.moddown30(
          out,
          s.acc + (kk * 2 + r) * 4 * n,
          s.y,
          s.c0 + r * 4 * n,
          kk === 0 ? 1 : 0,
          n,
          q[r]!,
          this.pinv[r]!,
          KeySwitcher.shoup(this.pinv[r]!, q[r]!),
        );
      }
    }
  }

  private pn: { v: bigint; f: number } | undefined;
  private pNInv(): { v: bigint; f: number } {
    if (!this.pn) {
      const v = powmod(BigInt(this.layout.n), this.p - 2n, this.p);
      this.pn = { v, f: Number(v) / Number(this.p) };
    }
    return this.pn;
  }
}
