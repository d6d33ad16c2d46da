/**
 * `veil audit verify` on a real node directory: an intact log verifies; a tampered row, a deleted row
 * and reordered rows are each reported at the first broken entry, with a non-zero exit status.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ORG_PASSPHRASE, runVeil, runVeilOk } from '#simulations';

let root: string;
let base: string;

function attack(name: string, sql: (db: Database.Database) => void): string {
  const dir = join(root, name);
  cpSync(base, dir, { recursive: true });
  const db = new Database(join(dir, 'node.db'));
  // The append-only triggers stop our own code, not an attacker with the file: drop them first.
  for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[]) db.exec(`DROP TRIGGER "${t.name}"`);
  sql(db);
  db.close();
  return dir;
}

describe('veil audit verify', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'veil-audit-'));
    base = join(root, 'base');
    const env = { VEIL_ORG_PASSPHRASE: DEV_ORG_PASSPHRASE };
    const org = join(root, 'org');
    await runVeilOk(['org', 'init', '--dir', org, '--name', 'audit-org', '--kdf', 'interactive'], { env });
    await runVeilOk(['node', 'init', '--country', 'FR', '--dir', base, '--bundle', join(org, 'bundle.json')]);
    await runVeilOk(['org', 'admit', 'FR', '--dir', org, '--request', join(base, 'request.json'), '--out', join(root, 'fr-cert.json')], { env });
    await runVeilOk(['node', 'enroll', '--dir', base, '--cert', join(root, 'fr-cert.json')]);
    const f = join(root, 'r.ndjson');
    for (let i = 0; i < 3; i++) {
      writeFileSync(
        f,
        `${JSON.stringify({ id: `r${i}`, kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: `WVWZZZ1KZ6W00012${i}` } })}\n`,
      );
      await runVeilOk(['node', 'import', '--dir', base, f]);
      await runVeilOk(['node', 'analyst', 'add', `Analyst ${i}`, '--dir', base]);
    }
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports an intact log', async () => {
    const r = await runVeil(['audit', 'verify', '--dir', base, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, entries: 7 });
  });

  it('detects a tampered row', async () => {
    const dir = attack('tamper', (db) => db.prepare('UPDATE audit_log SET ts = ts + 1 WHERE seq = 3').run());
    const r = await runVeil(['audit', 'verify', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN at entry 3: hash-mismatch/);
  });

  it('detects a deleted row', async () => {
    const dir = attack('delete', (db) => db.prepare('DELETE FROM audit_log WHERE seq = 4').run());
    const r = await runVeil(['audit', 'verify', '--dir', dir, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).firstBroken).toMatchObject({ seq: 4, reason: 'missing-entry' });
  });

  it('detects reordered rows', async () => {
    const dir = attack('reorder', (db) => {
      const a = db.prepare('SELECT * FROM audit_log WHERE seq = 2').get() as Record<string, unknown>;
      const b = db.prepare('SELECT * FROM audit_log WHERE seq = 5').get() as Record<string, unknown>;
      const upd = db.prepare('UPDATE audit_log SET ts = ?, kind = ?, data = ?, prev_hash = ?, hash = ? WHERE seq = ?');
      upd.run(b.ts, b.kind, b.data, b.prev_hash, b.hash, 2);
      upd.run(a.ts, a.kind, a.data, a.prev_hash, a.hash, 5);
    });
    const r = await runVeil(['audit', 'verify', '--dir', dir, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).firstBroken).toMatchObject({ seq: 2, reason: 'reordered' });
  });
});
