/**
 * `veil node import` of a file large enough for a progress display, in a real process whose stderr is
 * not a terminal: plain progress lines for each phase (checking the file, importing the records,
 * committing), the summary on stdout, and `--json` without any progress.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { createLocalPki, runVeil, runVeilOk, syntheticRecords, toNdjson } from '#simulations';

let root: string;
let dir: string;
let file: string;
const N = 2500;

beforeAll(async () => {
  await initCrypto();
  root = mkdtempSync(join(tmpdir(), 'veil-import-cli-'));
  dir = join(root, 'de');
  const pki = createLocalPki(root);
  await runVeilOk(['node', 'init', '--country', 'DE', '--dir', dir, '--bundle', pki.bundlePath, '--coordinator', 'wss://127.0.0.1:9/v1/ws']);
  file = join(root, 'records.ndjson');
  writeFileSync(file, toNdjson(syntheticRecords({ seed: 5, country: 'DE', country3: 'DEU', persons: N - 500, vehicles: 500 })));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('veil node import', () => {
  it('shows progress on stderr for a long import (plain lines when not on a terminal), none with --json', async () => {
    const r = await runVeil(['node', 'import', '--dir', dir, file], { timeoutMs: 300_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`imported ${file}: ${N} record(s) read; ${N} upserted`);
    const lines = r.stderr.trimEnd().split('\n');
    expect(r.stderr).not.toContain('\r');
    for (const phase of ['checking', 'importing', 'committing']) {
      expect(lines.some((l) => l.startsWith(phase) && / 100% /.test(l))).toBe(true);
    }
    expect(lines.find((l) => l.startsWith('importing') && / 100% /.test(l))).toContain(`${N}/${N}`);

    const again = await runVeil(['node', 'import', '--dir', dir, '--json', file], { timeoutMs: 300_000 });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ written: true, unchanged: N, upserted: 0 });
    expect(again.stderr).toBe('');
  });
});
