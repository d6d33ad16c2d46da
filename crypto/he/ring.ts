/**
 * Arithmetic in R_q = Z_q[X]/(X^N + 1) for the 30-bit data primes, outside SEAL.
 *
 * - `mulmod`: exact a*b mod q for a, b < q < 2^30 without BigInt: the quotient is estimated in float64
 *   (off by at most one) and the remainder computed exactly modulo 2^32 with `Math.imul`, since the true
 *   remainder lies in [-q, 2q) which fits an int32.
 * - `NttTables`: the negacyclic NTT exactly as SEAL 4.1 computes it (Cooley–Tukey with the bit-reversed
 *   powers of the minimal primitive 2N-th root of unity, output in bit-reversed order), so our NTT-form
 *   residues can be multiplied point-wise with SEAL's NTT-form ciphertexts. Verified against SEAL in tests.
 */

export function mulmod(a: number, b: number, q: number, qInv: number): number {
  const quot = Math.floor(a * b * qInv);
  let r = (Math.imul(a, b) - Math.imul(quot, q)) | 0;
  if (r < 0) r += q;
  else if (r >= q) r -= q;
  return r;
}

export function powmod(base: number, exp: number, q: number): number {
  const qInv = 1 / q;
  let r = 1;
  let b = base % q;
  let e = exp;
  while (e > 0) {
    if (e & 1) r = mulmod(r, b, q, qInv);
    b = mulmod(b, b, q, qInv);
    e = Math.floor(e / 2);
  }
  return r;
}

export function invmod(a: number, q: number): number {
  return powmod(a, q - 2, q);
}

function bitrev(x: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) {
    r = (r << 1) | ((x >>> i) & 1);
  }
  return r >>> 0;
}

export class NttTables {
  readonly q: number;
  readonly n: number;
  readonly qInv: number;
  readonly psiRev: Uint32Array;
  readonly psiRevQ: Float64Array;
  readonly psiInvRev: Uint32Array;
  readonly psiInvRevQ: Float64Array;
  readonly nInv: number;

  constructor(q: number, n: number) {
    if (q >= 2 ** 30 || (q - 1) % (2 * n) !== 0) throw new Error('NttTables: prime must be < 2^30 and 1 mod 2N');
    this.q = q;
    this.n = n;
    this.qInv = 1 / q;
    const logn = Math.log2(n);
    // Minimal primitive 2N-th root of unity (what SEAL's try_minimal_primitive_root picks).
    let g = 0;
    for (let x = 2; x < q; x++) {
      const c = powmod(x, (q - 1) / (2 * n), q);
      if (powmod(c, n, q) === q - 1) {
        g = c;
        break;
      }
    }
    const g2 = mulmod(g, g, q, this.qInv);
    let cur = g;
    let psi = g;
    for (let i = 0; i < n; i++) {
      if (cur < psi) psi = cur;
      cur = mulmod(cur, g2, q, this.qInv);
    }
    const psiInv = invmod(psi, q);
    this.psiRev = new Uint32Array(n);
    this.psiInvRev = new Uint32Array(n);
    this.psiRevQ = new Float64Array(n);
    this.psiInvRevQ = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const e = bitrev(i, logn);
      this.psiRev[i] = powmod(psi, e, q);
      this.psiInvRev[i] = powmod(psiInv, e, q);
      this.psiRevQ[i] = this.psiRev[i]! / q;
      this.psiInvRevQ[i] = this.psiInvRev[i]! / q;
    }
    this.nInv = invmod(n, q);
  }

  /** In-place forward negacyclic NTT (SEAL's order). Input values in [0, q). */
  forward(a: Uint32Array | Float64Array): void {
    const { n, q, psiRev, psiRevQ } = this;
    let t = n;
    for (let m = 1; m < n; m <<= 1) {
      t >>= 1;
      for (let i = 0; i < m; i++) {
        const j1 = 2 * i * t;
        const s = psiRev[m + i]!;
        const sq = psiRevQ[m + i]!;
        for (let j = j1; j < j1 + t; j++) {
          const u = a[j]!;
          const x = a[j + t]!;
          const quot = Math.floor(x * sq);
          let v = (Math.imul(x, s) - Math.imul(quot, q)) | 0;
          if (v < 0) v += q;
          else if (v >= q) v -= q;
          let r0 = u + v;
          if (r0 >= q) r0 -= q;
          let r1 = u - v;
          if (r1 < 0) r1 += q;
          a[j] = r0;
          a[j + t] = r1;
        }
      }
    }
  }

  /** In-place inverse NTT (including the 1/N factor). */
  inverse(a: Uint32Array | Float64Array): void {
    const { n, q, psiInvRev, psiInvRevQ } = this;
    let t = 1;
    for (let m = n; m > 1; m >>= 1) {
      const h = m >> 1;
      let j1 = 0;
      for (let i = 0; i < h; i++) {
        const s = psiInvRev[h + i]!;
        const sq = psiInvRevQ[h + i]!;
        for (let j = j1; j < j1 + t; j++) {
          const u = a[j]!;
          const v = a[j + t]!;
          let r0 = u + v;
          if (r0 >= q) r0 -= q;
          let d = u - v;
          if (d < 0) d += q;
          const quot = Math.floor(d * sq);
          let r1 = (Math.imul(d, s) - Math.imul(quot, q)) | 0;
          if (r1 < 0) r1 += q;
          else if (r1 >= q) r1 -= q;
          a[j] = r0;
          a[j + t] = r1;
        }
        j1 += 2 * t;
      }
      t <<= 1;
    }
    const ni = this.nInv;
    const niq = ni / q;
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      const quot = Math.floor(x * niq);
      let r = (Math.imul(x, ni) - Math.imul(quot, q)) | 0;
      if (r < 0) r += q;
      else if (r >= q) r -= q;
      a[i] = r;
    }
  }
}

const nttCache = new Map<string, NttTables>();
export function nttTables(q: number, n: number): NttTables {
  const key = `${q}:${n}`;
  let t = nttCache.get(key);
  if (!t) {
    t = new NttTables(q, n);
    nttCache.set(key, t);
  }
  return t;
}

/**
 * CKKS canonical embedding with SEAL's slot order: slot j is the evaluation at zeta^(3^j mod 2N),
 * zeta = exp(i*pi/N) (SEAL's generator 3, which is also why Galois element 3^k rotates by k).
 * Evaluating at all odd powers of zeta is a length-N complex FFT of the twisted coefficients.
 */
export class CkksCodec {
  readonly n: number;
  readonly slots: number;
  /** FFT index (e-1)/2 of slot j and of its conjugate. */
  private readonly idx: Uint32Array;
  private readonly idxConj: Uint32Array;
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  private readonly rootRe: Float64Array;
  private readonly rootIm: Float64Array;
  private readonly rev: Uint32Array;
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.slots = n / 2;
    const m = 2 * n;
    this.idx = new Uint32Array(this.slots);
    this.idxConj = new Uint32Array(this.slots);
    let e = 1;
    for (let j = 0; j < this.slots; j++) {
      this.idx[j] = (e - 1) / 2;
      this.idxConj[j] = (m - e - 1) / 2;
      e = (e * 3) % m;
    }
    this.twRe = new Float64Array(n);
    this.twIm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.twRe[i] = Math.cos((Math.PI * i) / n);
      this.twIm[i] = Math.sin((Math.PI * i) / n);
    }
    this.rootRe = new Float64Array(n / 2);
    this.rootIm = new Float64Array(n / 2);
    for (let i = 0; i < n / 2; i++) {
      this.rootRe[i] = Math.cos((2 * Math.PI * i) / n);
      this.rootIm[i] = Math.sin((2 * Math.PI * i) / n);
    }
    const logn = Math.log2(n);
    this.rev = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.rev[i] = bitrev(i, logn);
    this.bufRe = new Float64Array(n);
    this.bufIm = new Float64Array(n);
  }

  /** In-place radix-2 FFT of (re, im): X_k = sum_i x_i w^(sign*i*k), w = exp(2 pi i / n). */
  private fft(re: Float64Array, im: Float64Array, sign: 1 | -1): void {
    const n = this.n;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        const tr = re[i]!;
        re[i] = re[j]!;
        re[j] = tr;
        const ti = im[i]!;
        im[i] = im[j]!;
        im[j] = ti;
      }
    }
    const rootRe = this.rootRe;
    const rootIm = this.rootIm;
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1;
      const step = n / len;
      for (let s = 0; s < n; s += len) {
        for (let k = 0; k < half; k++) {
          const wr = rootRe[k * step]!;
          const wi = sign * rootIm[k * step]!;
          const a = s + k;
          const b = a + half;
          const xr = re[b]! * wr - im[b]! * wi;
          const xi = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - xr;
          im[b] = im[a]! - xi;
          re[a] = re[a]! + xr;
          im[a] = im[a]! + xi;
        }
      }
    }
  }

  /**
   * Real polynomial coefficients (not rounded) whose slots are (zRe[j] + i zIm[j]) * scale.
   * Writes into `out` (length N).
   */
  encodeFloat(zRe: ArrayLike<number>, zIm: ArrayLike<number> | undefined, scale: number, out: Float64Array): void {
    const { n, slots, idx, idxConj, bufRe, bufIm } = this;
    for (let j = 0; j < slots; j++) {
      const r = zRe[j]!;
      const i = zIm ? zIm[j]! : 0;
      bufRe[idx[j]!] = r;
      bufIm[idx[j]!] = i;
      bufRe[idxConj[j]!] = r;
      bufIm[idxConj[j]!] = -i;
    }
    // w_i = (1/N) sum_k Y_k w^(-ik), then m_i = Re(w_i * zeta^(-i)).
    this.fft(bufRe, bufIm, -1);
    const f = scale / n;
    const twRe = this.twRe;
    const twIm = this.twIm;
    for (let i = 0; i < n; i++) {
      out[i] = (bufRe[i]! * twRe[i]! + bufIm[i]! * twIm[i]!) * f;
    }
  }

  /** Decode real coefficients into slot values (divided by scale). */
  decode(coeffs: ArrayLike<number>, scale: number, outRe: Float64Array, outIm: Float64Array): void {
    const { n, slots, idx, bufRe, bufIm, twRe, twIm } = this;
    for (let i = 0; i < n; i++) {
      const c = coeffs[i]!;
      bufRe[i] = c * twRe[i]!;
      bufIm[i] = c * twIm[i]!;
    }
    this.fft(bufRe, bufIm, 1);
    for (let j = 0; j < slots; j++) {
      outRe[j] = bufRe[idx[j]!]! / scale;
      outIm[j] = bufIm[idx[j]!]! / scale;
    }
  }
}

const codecCache = new Map<number, CkksCodec>();
export function ckksCodec(n: number): CkksCodec {
  let c = codecCache.get(n);
  if (!c) {
    c = new CkksCodec(n);
    codecCache.set(n, c);
  }
  return c;
}

/** Round float coefficients and reduce into residues mod q (one Uint32Array of N per prime). */
export function toResidues(coeffs: Float64Array, q: number, out: Uint32Array): void {
  const n = coeffs.length;
  for (let i = 0; i < n; i++) {
    const v = Math.round(coeffs[i]!);
    let r = v % q;
    if (r < 0) r += q;
    out[i] = r;
  }
}

/**
 * Round so that the polynomial stays invariant under X -> X^-1 (m_{N-i} = -m_i, m_{N/2} = 0): its slot
 * values are then exactly real, which the masking multiplier needs (no leakage between real and imaginary
 * parts). Rounds in place.
 */
export function roundSelfConjugate(coeffs: Float64Array): void {
  const n = coeffs.length;
  coeffs[0] = Math.round(coeffs[0]!);
  coeffs[n / 2] = 0;
  for (let i = 1; i < n / 2; i++) {
    const v = Math.round((coeffs[i]! - coeffs[n - i]!) / 2);
    coeffs[i] = v;
    coeffs[n - i] = -v;
  }
}
