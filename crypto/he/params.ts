/**
 * Pinned CKKS parameter sets for encrypted 1:N biometric matching (docs/design.md §3).
 *
 * Parameters are never negotiated: a client and a node agree on a parameter id, and every blob is checked
 * against the set that id names. A set changes only under a new id.
 *
 * Security: every set uses N = 4096 and a total coefficient modulus of 109 bits (two 30-bit data primes and
 * one 49-bit special prime for key switching), which is the largest modulus the Homomorphic Encryption
 * Standard (Albrecht et al., 2018, Table 1; SEAL `CoeffModulus::MaxBitCount(4096, tc128)`) allows for
 * 128-bit classical security with a ternary secret and error sigma = 3.2 — the distributions SEAL uses.
 * SEAL itself enforces this when the context is created with `SecurityLevel.tc128`.
 *
 * Packing ("two dimensions per slot", diagonal method): a d-dimensional embedding becomes h = d/2 complex
 * values p~[m] = p[2m] + i p[2m+1]. The probe ciphertext holds p~ replicated with period h across the
 * N/2 = 2048 slots; gallery block b holds 2048 templates, one per output slot, as h diagonal plaintexts
 * G_k[j] = conj(g~_j[(j+k) mod h]). With P_k = rotate(P_0, k), Re(sum_k P_k * G_k)[j] = <p, g_j>.
 */

export type Modality = 'face' | 'fingerprint';

export interface HeParamSet {
  readonly id: string;
  readonly modality: Modality;
  readonly scheme: 'ckks';
  /** Polynomial modulus degree N. */
  readonly n: number;
  /** Bit sizes given to `CoeffModulus.Create` (last = special prime). */
  readonly coeffBits: readonly number[];
  /** The primes `CoeffModulus.Create` yields for those sizes; checked at context creation. */
  readonly primes: readonly bigint[];
  /** Embedding dimension d (even). */
  readonly dims: number;
  /**
   * log2 of the probe scale (fresh ciphertext). Sets sharing ring parameters use distinct probe scales, so
   * the scale field of a probe ciphertext (checked byte for byte) tells the sets apart.
   */
  readonly probeScaleBits: number;
  /** log2 of the gallery plaintext scale. */
  readonly galleryScaleBits: number;
  /** Default decision threshold tau on the inner product of L2-normalized embeddings. */
  readonly threshold: number;
  /**
   * Mask multiplier r is log-uniform in [2^rMinBits, 2^rMaxBits): one decoded value places |s - tau| only
   * within a factor 2^(rMaxBits - rMinBits) (docs/biometrics.md, "Leakage per query"). Node-side only (the
   * analyst reads signs), so widening it changes no wire format. The floor: R is rounded to integer
   * coefficients, which moves its slot values by ≈ 18 (rms), so r ≥ 2^7 keeps every slot value positive
   * (7 sigma). The ceiling: results must not wrap around Q/2 at scale 2^42, i.e. |slot value| ≲ 2^17 at the
   * coefficient level; the worst honest pattern (s = -1 everywhere: a constant) puts 2·1.4·E[r] ≈ 2^14.9 in
   * one coefficient at rMaxBits 16, two bits below (crypto/he/leakage.test.ts checks s = ±1 everywhere).
   */
  readonly rMinBits: number;
  readonly rMaxBits: number;
  /** Mask noise e is uniform in [0, r * 2^-eBits): a hit is declared at s >= tau - 2^-eBits at worst. */
  readonly eBits: number;
  /** Security level per the HE standard, for documentation and the registry. */
  readonly securityBits: 128;
}

const PRIMES_4096: readonly bigint[] = [1073668097n, 1073692673n, 562949953216513n];

export const HE_PARAMS = {
  'face-512-v1': {
    id: 'face-512-v1',
    modality: 'face',
    scheme: 'ckks',
    n: 4096,
    coeffBits: [30, 30, 49],
    primes: PRIMES_4096,
    dims: 512,
    probeScaleBits: 24,
    galleryScaleBits: 18,
    threshold: 0.4,
    rMinBits: 7,
    rMaxBits: 16,
    eBits: 12,
    securityBits: 128,
  },
  /**
   * Fingerprint: 256-d fixed-length embeddings (the size of common learned fixed-length fingerprint
   * representations, e.g. DeepPrint-style 192–256-d; we pin 256 to keep h a power of two).
   */
  'fingerprint-256-v1': {
    id: 'fingerprint-256-v1',
    modality: 'fingerprint',
    scheme: 'ckks',
    n: 4096,
    coeffBits: [30, 30, 49],
    primes: PRIMES_4096,
    dims: 256,
    probeScaleBits: 23,
    galleryScaleBits: 18,
    threshold: 0.4,
    rMinBits: 7,
    rMaxBits: 16,
    eBits: 12,
    securityBits: 128,
  },
} as const satisfies Record<string, HeParamSet>;

export type HeParamId = keyof typeof HE_PARAMS;

/** Numeric codes for the wire formats (one byte), never reused. */
export const HE_PARAM_CODES = { 'face-512-v1': 1, 'fingerprint-256-v1': 2 } as const satisfies Record<HeParamId, number>;

export function isHeParamId(x: unknown): x is HeParamId {
  return typeof x === 'string' && Object.hasOwn(HE_PARAMS, x);
}

/** Values derived from a parameter set, shared by client, server and kernels. */
export interface Derived {
  readonly p: HeParamSet;
  readonly n: number;
  readonly slots: number;
  /** h = dims / 2 complex values per embedding = number of diagonals. */
  readonly h: number;
  /** Data primes (as numbers, each < 2^30) used in ciphertexts at the first level. */
  readonly q: readonly number[];
  readonly special: bigint;
  /** Templates per block (= slots). */
  readonly blockSize: number;
  /** Rotation steps that need Galois keys: powers of two below h. */
  readonly rotationSteps: readonly number[];
  readonly probeScale: number;
  readonly galleryScale: number;
}

const derivedCache = new Map<string, Derived>();

export function derive(id: HeParamId): Derived {
  const hit = derivedCache.get(id);
  if (hit) return hit;
  const p: HeParamSet = HE_PARAMS[id];
  const h = p.dims / 2;
  const steps: number[] = [];
  for (let s = 1; s < h; s *= 2) steps.push(s);
  const d: Derived = {
    p,
    n: p.n,
    slots: p.n / 2,
    h,
    q: p.primes.slice(0, -1).map(Number),
    special: p.primes[p.primes.length - 1]!,
    blockSize: p.n / 2,
    rotationSteps: steps,
    probeScale: 2 ** p.probeScaleBits,
    galleryScale: 2 ** p.galleryScaleBits,
  };
  derivedCache.set(id, d);
  return d;
}
