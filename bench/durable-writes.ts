/**
 * `npx tsx bench/durable-writes.ts [dir]`: what `synchronous=FULL` costs (platform/sqlite.ts), measured
 * against NORMAL on the same disk, through the real stores: the coordinator storing mail items (one
 * transaction each, with its audit entry, as `mail-send` does), a node writing an audit entry per
 * transaction (as a gateway request does), and a node committing a page of 256 mail items in one
 * transaction (as `Mail.onMail` does). Nothing asserts a timing; the figures are printed.
 *
 * `dir` must be on the disk the parties will use (default: the OS temp directory); on tmpfs an fsync
 * costs nothing and the comparison says nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCoordinatorStore } from '#coordinator';
import { initCrypto, randomBytes, SigningKey, toHex } from '#crypto';
import { NodeStore } from '#node';
import { AuditLog } from '#platform';

type Mode = 'NORMAL' | 'FULL';
const MODES: readonly Mode[] = ['NORMAL', 'FULL'];

function time(n: number, fn: (i: number) => void): { perSecond: number; msEach: number } {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const ms = performance.now() - t0;
  return { perSecond: Math.round((n / ms) * 1000), msEach: Number((ms / n).toFixed(3)) };
}

async function coordinatorMail(dir: string, mode: Mode, n: number) {
  const key = SigningKey.generate();
  const store = new SqliteCoordinatorStore(join(dir, `coord-${mode}.db`), { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() } });
  store.db.pragma(`synchronous = ${mode}`);
  const body = randomBytes(1024);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const mid = toHex(randomBytes(16));
    await store.mailboxes.store({ mid, recipient: 'DE', sender: 'FR', body }, { kind: 'mailbox.stored', requestId: mid, country: 'DE', peer: 'FR' });
  }
  const ms = performance.now() - t0;
  await store.close();
  return { perSecond: Math.round((n / ms) * 1000), msEach: Number((ms / n).toFixed(3)) };
}

function nodeAuditEntries(dir: string, mode: Mode, n: number) {
  const store = new NodeStore(join(dir, `node-audit-${mode}.db`));
  store.db.pragma(`synchronous = ${mode}`);
  const key = SigningKey.generate();
  const audit = new AuditLog(store.db, { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() } });
  const r = time(n, (i) => audit.append({ kind: 'query.forwarded', queryId: toHex(randomBytes(16)), analyst: 'bench-1', count: i % 8 }));
  store.close();
  return r;
}

function nodeMailPage(dir: string, mode: Mode, pages: number) {
  const store = new NodeStore(join(dir, `node-page-${mode}.db`));
  store.db.pragma(`synchronous = ${mode}`);
  const r = time(pages, () =>
    store.tx(() => {
      for (let i = 0; i < 256; i++) store.mail.received(toHex(randomBytes(16)), 'FR', Date.now());
    }),
  );
  store.close();
  return r;
}

async function main(): Promise<void> {
  await initCrypto();
  const base = process.argv[2] ?? tmpdir();
  const dir = mkdtempSync(join(base, 'veil-durable-'));
  try {
    const rows: Record<string, Record<Mode, string>> = {};
    for (const mode of MODES) {
      const set = (what: string, v: { perSecond: number; msEach: number }) => {
        rows[what] ??= { NORMAL: '', FULL: '' };
        rows[what][mode] = `${v.perSecond}/s (${v.msEach} ms each)`;
      };
      set('coordinator: store a mail item with its audit entry (1 tx)', await coordinatorMail(dir, mode, 500));
      set('node: one audit entry (1 tx)', nodeAuditEntries(dir, mode, 500));
      set('node: a page of 256 mail items (1 tx)', nodeMailPage(dir, mode, 50));
    }
    console.log(`durable writes in ${dir}`);
    for (const [what, r] of Object.entries(rows)) console.log(`- ${what}\n    NORMAL ${r.NORMAL}\n    FULL   ${r.FULL}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
