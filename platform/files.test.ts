/**
 * Private files and directories, whatever the umask: a secret JSON file is 0600 and a directory created
 * for it 0700; a directory that already existed (the user's own, e.g. for `--out`) keeps its mode.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateDir, privateFile, writeJsonFile } from './files.ts';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('private files', () => {
  const root = mkdtempSync(join(tmpdir(), 'veil-files-'));
  let umask: number;
  beforeAll(() => {
    umask = process.umask(0o000);
  });
  afterAll(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it('writes a secret 0600 into a new 0700 directory, and other files 0644', () => {
    const dir = join(root, 'a', 'keys');
    writeJsonFile(join(dir, 'keys.json'), { k: 1 }, { secret: true });
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'keys.json'))).toBe(0o600);
    writeJsonFile(join(dir, 'config.json'), { c: 1 });
    expect(mode(join(dir, 'config.json'))).toBe(0o644);
    // Overwriting a secret that was made readable keeps it private.
    chmodSync(join(dir, 'keys.json'), 0o644);
    writeJsonFile(join(dir, 'keys.json'), { k: 2 }, { secret: true });
    expect(mode(join(dir, 'keys.json'))).toBe(0o600);
  });

  it('leaves an existing directory of the user as it is', () => {
    const mine = join(root, 'home');
    mkdirSync(mine);
    chmodSync(mine, 0o755);
    writeJsonFile(join(mine, 'alice.cred.json'), { secret: true }, { secret: true });
    expect(mode(mine)).toBe(0o755);
    expect(mode(join(mine, 'alice.cred.json'))).toBe(0o600);
  });

  it('makes directories 0700 and files 0600, creating them or tightening them', () => {
    const d = join(root, 'open');
    mkdirSync(d);
    chmodSync(d, 0o777);
    privateDir(d);
    expect(mode(d)).toBe(0o700);
    const f = join(d, 'records.db');
    writeFileSync(f, 'x');
    chmodSync(f, 0o666);
    privateFile(f);
    expect(mode(f)).toBe(0o600);
    privateFile(join(d, 'new.db'));
    expect(mode(join(d, 'new.db'))).toBe(0o600);
  });
});
