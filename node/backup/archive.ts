/**
 * The sealed archive a node backup is written as: named files, encrypted under a passphrase, streamed
 * in chunks so a multi-gigabyte database never has to fit in memory.
 *
 *     "VEILBAK" 0x01 ‖ u32(len) ‖ header (JSON)            kdf parameters, the sealed file key, metadata
 *     { u32(len) ‖ XChaCha20-Poly1305(file key, chunk i) }  chunks of at most CHUNK_BYTES plaintext
 *
 * A random 32-byte file key encrypts the chunks; the file key itself is sealed under the passphrase
 * (crypto/passphrase.ts: Argon2id, then XChaCha20-Poly1305). Each chunk's associated data is
 * `label ‖ SHA-256(header) ‖ u64(i) ‖ final`, so chunks cannot be reordered, dropped, moved to another
 * archive or cut short (the last chunk is marked final, and nothing may follow it), and the header
 * (country, time) cannot be swapped. The plaintext stream is a sequence of files:
 * `u16(len) ‖ name ‖ u64(size) ‖ bytes`, names relative, checked on extraction.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { concatBytes, fromBase64url, openWithPassphrase, type PassphraseLimits, sealWithPassphrase, sha256, TokenKey, toBase64url, utf8 } from '#crypto';
import { VeilError } from '#protocol';

const MAGIC = Uint8Array.from([0x56, 0x45, 0x49, 0x4c, 0x42, 0x41, 0x4b, 0x01]); // "VEILBAK" 1
const LABEL = 'node-backup';
const CHUNK_LABEL = utf8('veil/v1/node-backup/chunk');
/** Plaintext bytes per chunk. */
export const CHUNK_BYTES = 1 << 20;
const MAX_HEADER_BYTES = 64 * 1024;
const SEAL_OVERHEAD = 24 + 16;
const NAME_RE = /^(?!.*\.\.)[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)?$/;

const b64 = z.string().regex(/^[A-Za-z0-9_-]+$/);
export const ArchiveHeader = z.strictObject({
  v: z.literal(1),
  kind: z.literal('veil-node-backup'),
  country: z.string().regex(/^[A-Z]{2}$/),
  createdAt: z.number().int().nonnegative(),
  kdf: z.strictObject({ alg: z.literal('argon2id13'), ops: z.number().int().positive(), mem: z.number().int().positive(), salt: b64 }),
  sealedKey: b64,
});
export type ArchiveHeader = z.infer<typeof ArchiveHeader>;

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const chunkAd = (headerHash: Uint8Array, index: number, final: boolean) => {
  const b = Buffer.alloc(9);
  b.writeBigUInt64BE(BigInt(index));
  b[8] = final ? 1 : 0;
  return concatBytes(CHUNK_LABEL, Uint8Array.of(0), headerHash, b);
};

/** Writes an archive to `path` file by file; `end()` seals the final chunk. */
export class ArchiveWriter {
  readonly #fd: number;
  readonly #key: TokenKey;
  readonly #headerHash: Uint8Array;
  #buf: Uint8Array[] = [];
  #buffered = 0;
  #index = 0;

  constructor(path: string, meta: { country: string; createdAt: number }, passphrase: string, limits?: PassphraseLimits) {
    this.#key = TokenKey.generate();
    const box = sealWithPassphrase(this.#key.secretBytes(), passphrase, LABEL, limits);
    const header: ArchiveHeader = {
      v: 1,
      kind: 'veil-node-backup',
      country: meta.country,
      createdAt: meta.createdAt,
      kdf: { ...box.kdf, salt: toBase64url(box.kdf.salt) },
      sealedKey: toBase64url(box.sealed),
    };
    const headerBytes = utf8(JSON.stringify(header));
    this.#headerHash = sha256(headerBytes);
    // 0600 from the start: the archive holds the node's keys, if only encrypted.
    this.#fd = openSync(path, 'wx', 0o600);
    writeSync(this.#fd, concatBytes(MAGIC, u32(headerBytes.length), headerBytes));
  }

  /** Add the bytes of the open file `fd` under `name`. */
  addFile(name: string, fd: number): void {
    if (!NAME_RE.test(name)) throw new VeilError('internal', 'backup entry name');
    const nameBytes = utf8(name);
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(2 + nameBytes.length + 8);
    head.writeUInt16BE(nameBytes.length);
    head.set(nameBytes, 2);
    head.writeBigUInt64BE(BigInt(size), 2 + nameBytes.length);
    this.#write(head);
    const piece = Buffer.alloc(CHUNK_BYTES);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, piece, 0, Math.min(CHUNK_BYTES, size - done), done);
      if (n === 0) throw new VeilError('internal', `${name} shrank while it was being backed up`);
      this.#write(piece.subarray(0, n));
      done += n;
    }
  }

  end(): void {
    this.#flush(true);
    closeSync(this.#fd);
  }

  /** Close without finishing: the file is unusable (no final chunk) and the caller deletes it. */
  abort(): void {
    closeSync(this.#fd);
  }

  #write(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) {
      const take = Math.min(bytes.length - off, CHUNK_BYTES - this.#buffered);
      // A copy: `bytes` may be a Buffer (whose slice is a view) that the caller reuses.
      this.#buf.push(new Uint8Array(bytes.subarray(off, off + take)));
      this.#buffered += take;
      off += take;
      if (this.#buffered === CHUNK_BYTES) this.#flush(false);
    }
  }

  #flush(final: boolean): void {
    const sealed = this.#key.seal(concatBytes(...this.#buf), chunkAd(this.#headerHash, this.#index++, final));
    writeSync(this.#fd, concatBytes(u32(sealed.length), sealed));
    this.#buf = [];
    this.#buffered = 0;
  }
}

/** A file of the archive, as it is read: call `read` until it returns an empty array. */
export interface ArchiveEntry {
  readonly name: string;
  readonly size: number;
}

/**
 * Reads an archive: the header first (`header`), then, after `unlock(passphrase)`, every file in turn.
 * Any damage — a wrong passphrase, a changed or missing chunk, bytes after the final one — is
 * `decrypt_failed` or `bad_request`, and nothing read so far should be kept.
 */
export class ArchiveReader {
  readonly header: ArchiveHeader;
  readonly #fd: number;
  readonly #headerHash: Uint8Array;
  #pos: number;
  #key: TokenKey | undefined;
  #index = 0;
  #plain: Uint8Array = new Uint8Array(0);
  #ended = false;

  constructor(path: string) {
    this.#fd = openSync(path, 'r');
    try {
      const head = this.#readExact(0, MAGIC.length + 4, 'header');
      if (!Buffer.from(head.subarray(0, MAGIC.length)).equals(MAGIC)) throw new VeilError('bad_request', 'not a Veil node backup (wrong magic)');
      const len = Buffer.from(head).readUInt32BE(MAGIC.length);
      if (len > MAX_HEADER_BYTES) throw new VeilError('bad_request', 'backup header too large');
      const headerBytes = this.#readExact(MAGIC.length + 4, len, 'header');
      this.#headerHash = sha256(headerBytes);
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(headerBytes).toString('utf8'));
      } catch {
        throw new VeilError('bad_request', 'backup header is not JSON');
      }
      const r = ArchiveHeader.safeParse(parsed);
      if (!r.success) throw new VeilError('bad_request', 'backup header is malformed');
      this.header = r.data;
      this.#pos = MAGIC.length + 4 + len;
    } catch (e) {
      closeSync(this.#fd);
      throw e;
    }
  }

  unlock(passphrase: string): void {
    const h = this.header;
    let key: Uint8Array;
    try {
      key = openWithPassphrase({ kdf: { ...h.kdf, salt: fromBase64url(h.kdf.salt) }, sealed: fromBase64url(h.sealedKey) }, passphrase, LABEL);
    } catch {
      throw new VeilError('decrypt_failed', 'the passphrase does not open this backup');
    }
    this.#key = TokenKey.fromBytes(key);
    key.fill(0);
  }

  /** The next file's name and size, or undefined after the last one. */
  next(): ArchiveEntry | undefined {
    if (!this.#fill(2)) {
      if (this.#ended) return undefined;
      throw new VeilError('bad_request', 'backup ends inside an entry');
    }
    const nameLen = Buffer.from(this.#take(2)).readUInt16BE();
    const name = Buffer.from(this.#takeExact(nameLen)).toString('utf8');
    if (!NAME_RE.test(name)) throw new VeilError('bad_request', 'backup entry has an unsafe name');
    const size = Number(Buffer.from(this.#takeExact(8)).readBigUInt64BE());
    if (!Number.isSafeInteger(size)) throw new VeilError('bad_request', 'backup entry size');
    return { name, size };
  }

  /** Up to one chunk of the current file's bytes; `left` is what remains of it. */
  read(left: number): Uint8Array {
    if (left === 0) return new Uint8Array(0);
    if (!this.#fill(1)) throw new VeilError('bad_request', 'backup ends inside a file');
    return this.#take(Math.min(left, this.#plain.length));
  }

  close(): void {
    closeSync(this.#fd);
  }

  #takeExact(n: number): Uint8Array {
    if (!this.#fill(n)) throw new VeilError('bad_request', 'backup ends inside an entry');
    return this.#take(n);
  }

  #take(n: number): Uint8Array {
    const out = this.#plain.subarray(0, n);
    this.#plain = this.#plain.subarray(n);
    return out;
  }

  /** Decrypt chunks until `n` plaintext bytes are buffered; false if the archive ends first. */
  #fill(n: number): boolean {
    while (this.#plain.length < n) {
      if (this.#ended) return false;
      this.#plain = concatBytes(this.#plain, this.#nextChunk());
    }
    return true;
  }

  #nextChunk(): Uint8Array {
    const key = this.#key;
    if (!key) throw new VeilError('internal', 'backup read before unlock');
    const len = Buffer.from(this.#readExact(this.#pos, 4, 'chunk')).readUInt32BE();
    if (len > CHUNK_BYTES + SEAL_OVERHEAD) throw new VeilError('bad_request', 'backup chunk too large');
    const sealed = this.#readExact(this.#pos + 4, len, 'chunk');
    this.#pos += 4 + len;
    const atEnd = this.#pos === fstatSync(this.#fd).size;
    let plain: Uint8Array;
    try {
      // Only the last chunk of the file may be the final one, and it must be.
      plain = key.open(sealed, chunkAd(this.#headerHash, this.#index, atEnd));
    } catch {
      throw new VeilError('decrypt_failed', `backup chunk ${this.#index} is damaged, out of place, or the backup was cut short`);
    }
    this.#index++;
    this.#ended = atEnd;
    return plain;
  }

  #readExact(at: number, n: number, what: string): Uint8Array {
    const b = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.#fd, b, got, n - got, at + got);
      if (r === 0) throw new VeilError('bad_request', `backup ends inside its ${what}`);
      got += r;
    }
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
}
