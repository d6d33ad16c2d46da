/**
 * Per-node mailboxes on SQLite: sealed, signed messages held until the recipient acknowledges them.
 * Delivery deletes the ciphertext; the row (metadata only) stays for accounting.
 */
import type { AuditEntry, Db } from '#platform';
import type { MailItem, MailboxRepository, PendingMail } from './repositories.ts';
import type { SqliteAuditWriter } from './sqlite-audit.ts';

/** Most mail items handed out at once (the size of one `mail` frame). */
export const MAIL_BATCH = 256;

export function sqliteMailboxes(db: Db, deps: { audit: SqliteAuditWriter; now: () => number }): MailboxRepository {
  const insert = db.prepare<[string, string, string, Uint8Array, number]>(
    'INSERT OR IGNORE INTO mailbox (mid, recipient, sender, body, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const selectPending = db.prepare<[string, number], PendingMail>(
    'SELECT mid, sender, body FROM mailbox WHERE recipient = ? AND delivered_at IS NULL ORDER BY created_at, mid LIMIT ?',
  );
  const deliver = db.prepare<[number, string, string]>(
    'UPDATE mailbox SET delivered_at = ?, body = NULL WHERE mid = ? AND recipient = ? AND delivered_at IS NULL',
  );
  const selectCounts = db.prepare<[], { pending: number | null; delivered: number | null }>(
    'SELECT SUM(delivered_at IS NULL) AS pending, SUM(delivered_at IS NOT NULL) AS delivered FROM mailbox',
  );

  const storeTx = db.transaction((m: MailItem, audit: AuditEntry): 'stored' | 'duplicate' => {
    if (insert.run(m.mid, m.recipient, m.sender, m.body, deps.now()).changes !== 1) return 'duplicate';
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
    store: async (m, audit) => storeTx(m, audit),
    pending: async (recipient, limit = MAIL_BATCH) =>
      selectPending.all(recipient, limit).map((r) => ({ mid: r.mid, sender: r.sender, body: new Uint8Array(r.body) })),
    markDelivered: async (recipient, mids, audit) => deliveredTx(recipient, mids, audit),
    counts: async () => {
      const r = selectCounts.get();
      return { pending: r?.pending ?? 0, delivered: r?.delivered ?? 0 };
    },
  };
}
