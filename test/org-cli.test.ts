/**
 * `veil org init --kdf`: the root key's Argon2id limits. A real organisation keeps the default moderate
 * limits; development and test organisations, whose passphrase is public, may choose interactive ones.
 * The limits are written into the key file, so every later `veil org` command pays the same cost.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVeil } from '#simulations';

const root = mkdtempSync(join(tmpdir(), 'veil-org-cli-'));
const env = { VEIL_ORG_PASSPHRASE: 'a passphrase for this test only' };
const kdfOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'root.key.json'), 'utf8')) as { kdf: { ops: number; mem: number } }).kdf;

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('veil org init --kdf', () => {
  it('keeps the moderate limits by default, writes the interactive ones when asked, and refuses anything else', async () => {
    const moderate = join(root, 'moderate');
    expect((await runVeil(['org', 'init', '--dir', moderate, '--name', 'org-a'], { env })).code).toBe(0);
    expect(kdfOf(moderate)).toMatchObject({ ops: 3, mem: 256 * 1024 * 1024 });

    const interactive = join(root, 'interactive');
    expect((await runVeil(['org', 'init', '--dir', interactive, '--name', 'org-b', '--kdf', 'interactive'], { env })).code).toBe(0);
    expect(kdfOf(interactive)).toMatchObject({ ops: 2, mem: 64 * 1024 * 1024 });

    const weak = await runVeil(['org', 'init', '--dir', join(root, 'weak'), '--name', 'org-c', '--kdf', 'minimal', '--json'], { env });
    expect(weak.code).toBe(1);
    expect(JSON.parse(weak.stderr.trim() || weak.stdout.trim())).toMatchObject({ error: { code: 'bad_request' } });
  });
});
