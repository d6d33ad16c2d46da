/**
 * Per-node mailboxes on SQLite: sealed, signed messages held until the recipient acknowledges them.
 * Delivery deletes the ciphertext; the row (metadata and size only) stays for accounting.
 *
 * A sender's quota is checked against its undelivered mail (items and bytes, to the recipient and in
 * total) inside the same transaction as the insert, so two stores can never both squeeze under it.
 */
import type { AuditEntry, Db } from '#platform';
import type { MailboxRepository, MailItem, PendingMail, SenderQuota, SenderUsage } from './repositories.ts';
import type { SqliteAuditWriter } from './sqlite-audit.ts';

/** Most mail items handed out at once (the size of one `mail` frame). */
export const MAIL_BATCH = 256;

interface UsageRow {
  items: number;
  bytes: number | null;
}

export function sqliteMailboxes(db: Db, deps: { audit: SqliteAuditWriter; now: () => number }): MailboxRepository {
  const exists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM mailbox WHERE mid = ?');
  const insert = db.prepare<[string, string, string, Uint8Array, number, number]>(
    'INSERT OR IGNORE INTO mailbox (mid, recipient, sender, body, size, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectPending = db.prepare<[string, number], PendingMail>(
    'SELECT mid, sender, body FROM mailbox WHERE recipient = ? AND delivered_at IS NULL ORDER BY created_at, mid LIMIT ?',
  );
  const senderToRecipient = db.prepare<[string, string], UsageRow>(
    'SELECT COUNT(*) AS items, SUM(size) AS bytes FROM mailbox WHERE sender = ? AND recipient = ? AND delivered_at IS NULL',
  );
  const senderTotal = db.prepare<[string], UsageRow>('SELECT COUNT(*) AS items, SUM(size) AS bytes FROM mailbox WHERE sender = ? AND delivered_at IS NULL');
  const deliver = db.prepare<[number, string, string]>(
    'UPDATE mailbox SET delivered_at = ?, body = NULL WHERE mid = ? AND recipient = ? AND delivered_at IS NULL',
  );
  const selectCounts = db.prepare<[], { pending: number | null; delivered: number | null }>(
    'SELECT SUM(delivered_at IS NULL) AS pending, SUM(delivered_at IS NOT NULL) AS delivered FROM mailbox',
  );

  const usage = (sender: string, recipient: string): SenderUsage => {
    const pair = senderToRecipient.get(sender, recipient);
    const total = senderTotal.get(sender);
    return {
      toRecipient: { items: pair?.items ?? 0, bytes: pair?.bytes ?? 0 },
      total: { items: total?.items ?? 0, bytes: total?.bytes ?? 0 },
    };
  };

  const fits = (u: SenderUsage, size: number, q: SenderQuota): boolean =>
    u.toRecipient.items + 1 <= q.perRecipient.items &&
    u.toRecipient.bytes + size <= q.perRecipient.bytes &&
    u.total.items + 1 <= q.total.items &&
    u.total.bytes + size <= q.total.bytes;

  const storeTx = db.transaction((m: MailItem, audit: AuditEntry, quota: SenderQuota | undefined): 'stored' | 'duplicate' | 'over_quota' => {
    if (exists.get(m.mid)) return 'duplicate';
    if (quota && !fits(usage(m.sender, m.recipient), m.body.length, quota)) return 'over_quota';
    insert.run(m.mid, m.recipient, m.sender, m.body, m.body.length, deps.now());
    deps.audit.append(audit);
    return 'stored';
  });
  const deliveredTx = db.transaction((recipient: string, mids: readonly string[], audit: (mid: string) => AuditEntry): string[] => {
    const now = deps.now();
    const done: string[] = [];
    for (const mid of mids) {
      if (deliver.run(now, mid, recipient).changes !== 1) continue;
      deps.audit.append(audit(mid));
      done.push(mid);
    }
    return done;
  });

  return {
    store: async (m, audit, quota) => storeTx(m, audit, quota),
    pending: async (recipient, limit = MAIL_BATCH) =>
      selectPending.all(recipient, limit).map((r) => ({ mid: r.mid, sender: r.sender, body: new Uint8Array(r.body) })),
    usage: async (sender, recipient) => usage(sender, recipient),
    markDelivered: async (recipient, mids, audit) => deliveredTx(recipient, mids, audit),
    counts: async () => {
      const r = selectCounts.get();
      return { pending: r?.pending ?? 0, delivered: r?.delivered ?? 0 };
    },
  };
}
