/**
 * Per-node mailboxes on PostgreSQL, with the rules of `sqlite-mailboxes.ts`: stored once by `mid`,
 * handed out oldest first, delivered once (the ciphertext dropped, the row kept for accounting), and a
 * sender's undelivered mail capped by its quota.
 *
 * The quota check and the insert are one transaction holding a transaction-scoped advisory lock on the
 * sender, so two stores — even on two coordinator instances — cannot both squeeze under the quota
 * (READ COMMITTED alone would let them).
 */
import type { PgDatabase, PgQueryable } from '#platform';
import type { PgAuditWriter } from './pg-audit.ts';
import type { MailboxRepository, SenderQuota, SenderUsage } from './repositories.ts';
import { MAIL_BATCH } from './sqlite-mailboxes.ts';

const SENDER_LOCK_SPACE = 0x6d61696c; // 'mail'

interface UsageRow {
  to_items: number;
  to_bytes: number;
  all_items: number;
  all_bytes: number;
}

async function usageOf(q: PgQueryable, sender: string, recipient: string): Promise<SenderUsage> {
  const r = await q.one<UsageRow>(
    `SELECT COUNT(*) FILTER (WHERE recipient = $2) AS to_items, COALESCE(SUM(size) FILTER (WHERE recipient = $2), 0) AS to_bytes,
            COUNT(*) AS all_items, COALESCE(SUM(size), 0) AS all_bytes
     FROM mailbox WHERE sender = $1 AND delivered_at IS NULL`,
    [sender, recipient],
  );
  return {
    toRecipient: { items: r?.to_items ?? 0, bytes: r?.to_bytes ?? 0 },
    total: { items: r?.all_items ?? 0, bytes: r?.all_bytes ?? 0 },
  };
}

const fits = (u: SenderUsage, size: number, q: SenderQuota): boolean =>
  u.toRecipient.items + 1 <= q.perRecipient.items &&
  u.toRecipient.bytes + size <= q.perRecipient.bytes &&
  u.total.items + 1 <= q.total.items &&
  u.total.bytes + size <= q.total.bytes;

export function pgMailboxes(db: PgDatabase, deps: { audit: PgAuditWriter; now: () => number }): MailboxRepository {
  return {
    store: async (m, audit, quota) =>
      db.tx(async (q) => {
        await q.run('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SENDER_LOCK_SPACE, m.sender]);
        if (await q.one('SELECT 1 FROM mailbox WHERE mid = $1', [m.mid])) return 'duplicate';
        if (quota && !fits(await usageOf(q, m.sender, m.recipient), m.body.length, quota)) return 'over_quota';
        const n = await q.run(
          'INSERT INTO mailbox (mid, recipient, sender, body, size, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (mid) DO NOTHING',
          [m.mid, m.recipient, m.sender, Buffer.from(m.body), m.body.length, deps.now()],
        );
        // Another sender's item with the same mid committed meanwhile: it is that one, not a second copy.
        if (n !== 1) return 'duplicate';
        await deps.audit.append(q, audit);
        return 'stored';
      }),
    pending: async (recipient, limit = MAIL_BATCH) =>
      (
        await db.query<{ mid: string; sender: string; body: Buffer }>(
          'SELECT mid, sender, body FROM mailbox WHERE recipient = $1 AND delivered_at IS NULL ORDER BY created_at, mid LIMIT $2',
          [recipient, limit],
        )
      ).map((r) => ({ mid: r.mid, sender: r.sender, body: new Uint8Array(r.body) })),
    usage: async (sender, recipient) => usageOf(db, sender, recipient),
    markDelivered: async (recipient, mids, audit) =>
      db.tx(async (q) => {
        const now = deps.now();
        const done: string[] = [];
        for (const mid of mids) {
          const n = await q.run('UPDATE mailbox SET delivered_at = $1, body = NULL WHERE mid = $2 AND recipient = $3 AND delivered_at IS NULL', [
            now,
            mid,
            recipient,
          ]);
          if (n !== 1) continue;
          await deps.audit.append(q, audit(mid));
          done.push(mid);
        }
        return done;
      }),
    counts: async () => {
      const r = await db.one<{ pending: number; delivered: number }>(
        'SELECT COUNT(*) FILTER (WHERE delivered_at IS NULL) AS pending, COUNT(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered FROM mailbox',
      );
      return { pending: r?.pending ?? 0, delivered: r?.delivered ?? 0 };
    },
  };
}
