/**
 * Analyst side of encrypted 1:N matching: per-session CKKS keys, probe encryption, masked-result decryption.
 *
 * The secret key is created inside SEAL and never serialized by this class. What leaves is:
 * - `sessionKeys()`: seeded Galois keys for the pinned rotation steps and conjugation (public material the
 *   node needs; sent once, cached by `sessionId` = SHA-256 of the bytes);
 * - `encryptProbe()`: one seeded symmetric ciphertext of the replicated probe (≈ 64 KiB), normalized and
 *   clipped first (probe.ts).
 * `decryptMasked()` returns the positions whose masked value r(s - tau) + e is >= 0, i.e. s >= tau (up to
 * the pinned noise, see params.ts); nothing else in a masked result has meaning.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CryptoError } from '../errors.ts';
import { decryptSlots, encryptReplicated } from './analyst-codec.ts';
import { galoisKeysSerializable, type HeContext, heContext } from './context.ts';
import { type HeParamId, isHeParamId } from './params.ts';
import { prepareProbe } from './probe.ts';
import { type Decryptor, type Encryptor, type KeyGenerator, keep, type PublicKey, type SecretKey, withBag } from './seal.ts';
import { KIND_MASKED, KIND_UNMASKED, readResult } from './wire.ts';

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class HeClient {
  readonly paramId: HeParamId;
  private readonly c: HeContext;
  private kg: KeyGenerator | undefined;
  private sk: SecretKey | undefined;
  private pk: PublicKey | undefined;
  private enc: Encryptor | undefined;
  private dec: Decryptor | undefined;
  private keys: Uint8Array | undefined;
  private id: string | undefined;

  private constructor(c: HeContext) {
    this.c = c;
    this.paramId = c.id;
    const s = c.seal;
    this.kg = s.KeyGenerator(c.ctx);
    this.sk = this.kg.secretKey();
    this.pk = this.kg.createPublicKey();
    this.enc = s.Encryptor(c.ctx, this.pk, this.sk);
    this.dec = s.Decryptor(c.ctx, this.sk);
  }

  /** A new session: fresh secret key for the pinned parameter set `paramId`. */
  static async create(paramId: HeParamId): Promise<HeClient> {
    if (!isHeParamId(paramId)) throw new CryptoError('bad_request', 'unknown HE parameter id');
    return new HeClient(await heContext(paramId));
  }

  private live(): { kg: KeyGenerator; enc: Encryptor; dec: Decryptor } {
    if (!this.kg || !this.enc || !this.dec) throw new CryptoError('bad_request', 'HeClient: disposed');
    return { kg: this.kg, enc: this.enc, dec: this.dec };
  }

  /** Serialized public evaluation keys for this session (seeded, uncompressed SEAL format). */
  sessionKeys(): Uint8Array {
    if (!this.keys) {
      const { kg } = this.live();
      const keys = withBag((bag) => keep(bag, galoisKeysSerializable(kg, this.c.d)).saveArray(this.c.seal.ComprModeType.none));
      this.keys = keys;
      this.id = hex(sha256(keys));
      return keys;
    }
    return this.keys;
  }

  /** SHA-256 (hex) of `sessionKeys()`: the id under which a node caches them. */
  get sessionId(): string {
    this.sessionKeys();
    return this.id!;
  }

  /**
   * Encrypt a probe embedding: scaled to unit length and clipped here (`prepareProbe`: every coordinate
   * within ±6/√d, so no probe can single out one coordinate of the gallery). Returns a seeded ciphertext blob.
   */
  encryptProbe(embedding: ArrayLike<number>): Uint8Array {
    const { enc } = this.live();
    return encryptReplicated(this.c, enc, prepareProbe(embedding, this.c.d.p.dims).vector);
  }

  /** Decrypt one result ciphertext (raw residues) to slot values (re, im) at `scale`. */
  private decryptSlots(words: Uint32Array, scale: number): { re: Float64Array; im: Float64Array } {
    return decryptSlots(this.c, this.live().dec, words, scale);
  }

  /** Positions (ascending) whose masked score is non-negative, i.e. s >= tau. */
  decryptMasked(result: Uint8Array): number[] {
    const d = this.c.d;
    const r = readResult(this.paramId, d, result);
    if (r.kind !== KIND_MASKED) throw new CryptoError('bad_ciphertext', 'result: not a masked result');
    const hits: number[] = [];
    const bs = d.blockSize;
    for (let t = 0; t < r.cts.length; t++) {
      const { re, im } = this.decryptSlots(r.cts[t]!, d.probeScale * d.galleryScale);
      for (let j = 0; j < bs; j++) {
        const p1 = 2 * t * bs + j;
        if (p1 < r.positions && re[j]! >= 0) hits.push(p1);
      }
      for (let j = 0; j < bs; j++) {
        const p2 = (2 * t + 1) * bs + j;
        if (p2 < r.positions && im[j]! >= 0) hits.push(p2);
      }
    }
    return hits.sort((a, b) => a - b);
  }

  /**
   * Tests and benchmarks only: raw scores from an unmasked result (`unmaskedForTesting` on the server).
   * A node never produces such a result for a peer.
   */
  debugDecryptScores(result: Uint8Array): Float64Array {
    const d = this.c.d;
    const r = readResult(this.paramId, d, result);
    if (r.kind !== KIND_UNMASKED) throw new CryptoError('bad_ciphertext', 'result: not an unmasked result');
    const out = new Float64Array(r.positions);
    for (let b = 0; b < r.cts.length; b++) {
      const { re } = this.decryptSlots(r.cts[b]!, d.probeScale * d.galleryScale);
      for (let j = 0; j < d.blockSize; j++) {
        const p = b * d.blockSize + j;
        if (p < r.positions) out[p] = re[j]!;
      }
    }
    return out;
  }

  /** Delete every SEAL object of this session (the secret key included). */
  dispose(): void {
    for (const o of [this.dec, this.enc, this.pk, this.sk, this.kg]) o?.delete();
    this.dec = this.enc = this.pk = this.sk = this.kg = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
