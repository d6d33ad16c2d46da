/**
 * SQLite repository of a node's store-and-forward mail: the outbox of signed messages waiting until
 * the coordinator confirms it stored them, and the inbox of message ids already processed, which makes
 * processing exactly-once when the coordinator redelivers.
 */
import type { Db } from '#platform';
import type { MailRepository, QueuedMail } from './repositories.ts';
import { blob, type CountRow, type Prepared, prepared } from './statement.ts';

const DEFAULT_BATCH = 256;

export class SqliteMail implements MailRepository {
  readonly #queue: Prepared<[string, string, Uint8Array, number]>;
  readonly #outbox: Prepared<[number], QueuedMail>;
  readonly #count: Prepared<[], CountRow>;
  readonly #sent: Prepared<[string]>;
  readonly #received: Prepared<[string, string, number]>;

  constructor(db: Db) {
    this.#queue = prepared(db, 'INSERT OR IGNORE INTO mail_outbox (mid, recipient, env, created_at) VALUES (?, ?, ?, ?)');
    this.#outbox = prepared(db, 'SELECT mid, recipient, env FROM mail_outbox ORDER BY created_at, mid LIMIT ?');
    this.#count = prepared(db, 'SELECT COUNT(*) AS n FROM mail_outbox');
    this.#sent = prepared(db, 'DELETE FROM mail_outbox WHERE mid = ?');
    this.#received = prepared(db, 'INSERT OR IGNORE INTO mail_inbox (mid, sender, received_at) VALUES (?, ?, ?)');
  }

  queue(m: QueuedMail, now: number): void {
    this.#queue.run(m.mid, m.recipient, m.env, now);
  }

  outbox(limit = DEFAULT_BATCH): QueuedMail[] {
    return this.#outbox.all(limit).map((m) => ({ mid: m.mid, recipient: m.recipient, env: blob(m.env) }));
  }

  outboxCount(): number {
    return this.#count.get()?.n ?? 0;
  }

  sent(mid: string): void {
    this.#sent.run(mid);
  }

  received(mid: string, sender: string, now: number): boolean {
    return this.#received.run(mid, sender, now).changes === 1;
  }
}
