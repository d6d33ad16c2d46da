/**
 * A hostile analyst for the leakage tests (not exported from crypto/he): its own CKKS session built from
 * the same pieces as `HeClient`, but it encrypts any vector as it is (no normalization, no clipping) and
 * keeps the full decrypted masked value of every position instead of only its sign. This is what anyone
 * who bypasses the SDK can do, so what it measures is what a node must assume an analyst learns.
 */
import { decryptSlots, encryptReplicated } from './analyst-codec.ts';
import { galoisKeysSerializable, type HeContext, heContext } from './context.ts';
import type { HeParamId } from './params.ts';
import { type Decryptor, type Encryptor, type KeyGenerator, keep, type PublicKey, type SecretKey, withBag } from './seal.ts';
import { KIND_MASKED, readResult } from './wire.ts';

export class HostileAnalyst {
  readonly #c: HeContext;
  readonly #kg: KeyGenerator;
  readonly #sk: SecretKey;
  readonly #pk: PublicKey;
  readonly #enc: Encryptor;
  readonly #dec: Decryptor;
  #keys: Uint8Array | undefined;

  private constructor(c: HeContext) {
    this.#c = c;
    this.#kg = c.seal.KeyGenerator(c.ctx);
    this.#sk = this.#kg.secretKey();
    this.#pk = this.#kg.createPublicKey();
    this.#enc = c.seal.Encryptor(c.ctx, this.#pk, this.#sk);
    this.#dec = c.seal.Decryptor(c.ctx, this.#sk);
  }

  static async create(id: HeParamId): Promise<HostileAnalyst> {
    return new HostileAnalyst(await heContext(id));
  }

  sessionKeys(): Uint8Array {
    this.#keys ??= withBag((bag) => keep(bag, galoisKeysSerializable(this.#kg, this.#c.d)).saveArray(this.#c.seal.ComprModeType.none));
    return this.#keys;
  }

  /** Encrypt `values` exactly as given: any norm, any shape. */
  encryptRaw(values: ArrayLike<number>): Uint8Array {
    return encryptReplicated(this.#c, this.#enc, values);
  }

  /** The decrypted masked value of every position of a masked result (an honest SDK keeps only its sign). */
  maskedValues(result: Uint8Array): Float64Array {
    const d = this.#c.d;
    const r = readResult(this.#c.id, d, result);
    if (r.kind !== KIND_MASKED) throw new Error('not a masked result');
    const out = new Float64Array(r.positions);
    const bs = d.blockSize;
    r.cts.forEach((words, t) => {
      const { re, im } = decryptSlots(this.#c, this.#dec, words, d.probeScale * d.galleryScale);
      for (let j = 0; j < bs; j++) {
        if (2 * t * bs + j < r.positions) out[2 * t * bs + j] = re[j]!;
        if ((2 * t + 1) * bs + j < r.positions) out[(2 * t + 1) * bs + j] = im[j]!;
      }
    });
    return out;
  }

  /** Positions whose masked value is non-negative (what the SDK reports). */
  hits(result: Uint8Array): number[] {
    const v = this.maskedValues(result);
    const out: number[] = [];
    v.forEach((x, i) => {
      if (x >= 0) out.push(i);
    });
    return out;
  }

  dispose(): void {
    for (const o of [this.#dec, this.#enc, this.#pk, this.#sk, this.#kg]) o.delete();
  }
}
