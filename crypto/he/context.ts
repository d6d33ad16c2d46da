/**
 * A SEAL context per pinned parameter set, plus the byte templates every blob is checked against.
 * Built once per thread and parameter id; lives as long as the thread (a handful of SEAL objects).
 */
import { type Derived, derive, HE_PARAMS, type HeParamId } from './params.ts';
import { type CKKSEncoder, type Context, type Evaluator, keep, loadSeal, type Seal, withBag } from './seal.ts';
import { type BlobShape, parseCiphertext, parseGaloisKeys, parsePlaintext, type ResidueRegion } from './seal-format.ts';

export interface HeContext {
  readonly id: HeParamId;
  readonly d: Derived;
  readonly seal: Seal;
  readonly ctx: Context;
  readonly evaluator: Evaluator;
  readonly encoder: CKKSEncoder;
  /** Seeded symmetric ciphertext (the probe) at the first data level. */
  readonly probeShape: BlobShape;
  /** Seeded Galois keys for the pinned rotation steps and conjugation. */
  readonly keysShape: BlobShape;
  /** Full (unseeded) ciphertext at the first level: filled by our kernels, scale patched. */
  readonly ctTemplate: Uint8Array;
  readonly ctData: ResidueRegion;
  readonly ctScaleOffset: number;
  /** NTT-form plaintext at the first level. */
  readonly ptTemplate: Uint8Array;
  readonly ptData: ResidueRegion;
  readonly ptScaleOffset: number;
  /** Galois elements we use: 3^step mod 2N for each rotation step, then 2N-1 (conjugation). */
  readonly galoisSteps: Int32Array;
}

const contexts = new Map<HeParamId, Promise<HeContext>>();

export function heContext(id: HeParamId): Promise<HeContext> {
  let c = contexts.get(id);
  if (!c) {
    c = build(id);
    contexts.set(id, c);
  }
  return c;
}

async function build(id: HeParamId): Promise<HeContext> {
  const seal = await loadSeal();
  const p = HE_PARAMS[id];
  const d = derive(id);
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
  let ctx: Context;
  try {
    parms.setPolyModulusDegree(p.n);
    const cm = seal.CoeffModulus.Create(p.n, Int32Array.from(p.coeffBits));
    try {
      parms.setCoeffModulus(cm);
    } finally {
      cm.delete();
    }
    const got = Array.from(parms.coeffModulus);
    if (got.length !== p.primes.length || got.some((q, i) => q !== p.primes[i])) {
      throw new Error(`crypto/he: ${id}: SEAL produced different primes than pinned`);
    }
    ctx = seal.Context(parms, true, seal.SecurityLevel.tc128);
  } finally {
    parms.delete();
  }
  if (!ctx.parametersSet()) throw new Error(`crypto/he: ${id}: SEAL rejects the parameters`);
  const evaluator = seal.Evaluator(ctx);
  const encoder = seal.CKKSEncoder(ctx);
  const none = seal.ComprModeType.none;
  const dataPrimes = p.primes.slice(0, -1);
  const galoisSteps = Int32Array.from(d.rotationSteps);

  const t = withBag((bag) => {
    const kg = keep(bag, seal.KeyGenerator(ctx));
    const sk = keep(bag, kg.secretKey());
    const pk = keep(bag, kg.createPublicKey());
    const enc = keep(bag, seal.Encryptor(ctx, pk, sk));
    const pt = keep(bag, encoder.encode(new Float64Array(d.slots).fill(0.5), d.probeScale));
    const ptBytes = pt.saveArray(none);
    const ser = keep(bag, enc.encryptSymmetricSerializable(pt));
    const probeBytes = ser.saveArray(none);
    const ct = keep(bag, enc.encryptSymmetric(pt));
    const ctBytes = ct.saveArray(none);
    const gks = keep(bag, galoisKeysSerializable(kg, d));
    const keyBytes = gks.saveArray(none);
    return { ptBytes, probeBytes, ctBytes, keyBytes };
  });

  const probeInfo = parseCiphertext(t.probeBytes, 0, dataPrimes);
  if (!probeInfo.seed) throw new Error('crypto/he: probe template is not seeded');
  const keyInfos = parseGaloisKeys(t.keyBytes, p.primes);
  const ctInfo = parseCiphertext(t.ctBytes, 0, dataPrimes);
  const ptInfo = parsePlaintext(t.ptBytes, dataPrimes, p.n);
  return {
    id,
    d,
    seal,
    ctx,
    evaluator,
    encoder,
    probeShape: { template: t.probeBytes, residues: [probeInfo.data], seeds: [probeInfo.seed] },
    keysShape: {
      template: t.keyBytes,
      residues: keyInfos.map((k) => k.data),
      seeds: keyInfos.map((k) => {
        if (!k.seed) throw new Error('crypto/he: key template is not seeded');
        return k.seed;
      }),
    },
    ctTemplate: t.ctBytes,
    ctData: ctInfo.data,
    ctScaleOffset: ctInfo.scaleOffset,
    ptTemplate: t.ptBytes,
    ptData: ptInfo.data,
    ptScaleOffset: ptInfo.scaleOffset,
    galoisSteps,
  };
}

/**
 * Seeded Galois keys for the pinned rotation steps 1, 2, 4, ..., h/2 and step 0, which SEAL's
 * `create_galois_keys(steps)` maps to the conjugation element 2N-1.
 */
export function galoisKeysSerializable(
  kg: ReturnType<Seal['KeyGenerator']>,
  d: Derived,
): ReturnType<ReturnType<Seal['KeyGenerator']>['createGaloisKeysSerializable']> {
  return kg.createGaloisKeysSerializable(Int32Array.from([0, ...d.rotationSteps]));
}
