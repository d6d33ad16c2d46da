/**
 * The sealed backup archive: files round-trip across chunk boundaries; a wrong passphrase, a swapped,
 * dropped or changed chunk, a cut at a chunk boundary and bytes after the final chunk are all refused.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, interactiveLimits, randomBytes } from '#crypto';
import { ArchiveReader, ArchiveWriter, CHUNK_BYTES } from './archive.ts';

const dir = mkdtempSync(join(tmpdir(), 'veil-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PASS = 'twelve chars or more';

function readAll(path: string, pass = PASS): Map<string, Buffer> {
  const r = new ArchiveReader(path);
  try {
    r.unlock(pass);
    const out = new Map<string, Buffer>();
    for (let e = r.next(); e; e = r.next()) {
      const parts: Uint8Array[] = [];
      for (let left = e.size; left > 0; ) {
        const b = r.read(left);
        parts.push(b.slice());
        left -= b.length;
      }
      out.set(e.name, Buffer.concat(parts));
    }
    return out;
  } finally {
    r.close();
  }
}

describe('sealed backup archive', () => {
  const big = Buffer.from(randomBytesSafe(2 * CHUNK_BYTES + 12345));
  const small = Buffer.from('{"country":"DE"}');
  let path: string;
  /** Offsets of each chunk's length prefix. */
  let chunks: number[];

  function randomBytesSafe(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 65536) out.set(randomBytes(Math.min(65536, n - i)), i);
    return out;
  }

  beforeAll(async () => {
    await initCrypto();
    path = join(dir, 'a.veilbak');
    for (const [name, bytes] of [
      ['node.json', small],
      ['node.db', big],
    ] as const)
      writeFileSync(join(dir, name), bytes);
    const w = new ArchiveWriter(path, { country: 'DE', createdAt: 1 }, PASS, interactiveLimits());
    for (const name of ['node.json', 'analysts/x.cred.json', 'node.db']) {
      const fd = openSync(join(dir, name === 'analysts/x.cred.json' ? 'node.json' : name), 'r');
      w.addFile(name, fd);
      closeSync(fd);
    }
    w.end();
    const file = readFileSync(path);
    let at = 8 + 4 + file.readUInt32BE(8);
    chunks = [];
    while (at < file.length) {
      chunks.push(at);
      at += 4 + file.readUInt32BE(at);
    }
  });

  it('round-trips files across chunk boundaries and keeps the header readable without the passphrase', () => {
    expect(chunks.length).toBe(3);
    const files = readAll(path);
    expect([...files.keys()]).toEqual(['node.json', 'analysts/x.cred.json', 'node.db']);
    expect(files.get('node.db')?.equals(big)).toBe(true);
    expect(files.get('analysts/x.cred.json')?.equals(small)).toBe(true);
    const r = new ArchiveReader(path);
    expect(r.header).toMatchObject({ kind: 'veil-node-backup', country: 'DE', createdAt: 1 });
    r.close();
  });

  const variant = (name: string, f: (b: Buffer) => Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, f(readFileSync(path)));
    return p;
  };

  it('refuses a wrong passphrase', () => {
    expect(() => readAll(path, 'another passphrase')).toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
  });

  it('refuses a changed byte, swapped chunks, a dropped final chunk and trailing bytes', () => {
    const [c0 = 0, c1 = 0, c2 = 0] = chunks;
    const changed = variant('changed', (b) => {
      const x = Buffer.from(b);
      x[c1 + 100] = (x[c1 + 100] ?? 0) ^ 1;
      return x;
    });
    const swapped = variant('swapped', (b) => Buffer.concat([b.subarray(0, c0), b.subarray(c1, c2), b.subarray(c0, c1), b.subarray(c2)]));
    const cut = variant('cut', (b) => b.subarray(0, c2));
    const trailing = variant('trailing', (b) => Buffer.concat([b, Buffer.from([0, 0, 0, 0])]));
    for (const p of [changed, swapped, cut, trailing])
      expect(() => readAll(p)).toThrow(expect.objectContaining({ code: expect.stringMatching(/decrypt_failed|bad_request/) }));
  });

  it('refuses a changed header (it is bound into every chunk)', () => {
    const p = variant('header', (b) => Buffer.from(b.toString('latin1').replace('"createdAt":1', '"createdAt":2'), 'latin1'));
    expect(() => readAll(p)).toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
  });

  it('refuses something that is not an archive', () => {
    const p = variant('junk', () => Buffer.from('not a backup at all'));
    expect(() => new ArchiveReader(p)).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});
