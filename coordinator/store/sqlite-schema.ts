/**
 * The coordinator's SQLite schema, as numbered migrations (applied by `openDatabase`): the member
 * registry, the PSI index and its publication progress, per-node mailboxes (with per-item sizes for
 * the senders' quotas), meta, and the audit tables.
 */
import { AUDIT_SQL, type Migration } from '#platform';

export const COORDINATOR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE members (
        country TEXT PRIMARY KEY,
        sign_pub BLOB NOT NULL,
        box_pub BLOB NOT NULL,
        admitted_at INTEGER NOT NULL,
        descriptor BLOB,
        status TEXT NOT NULL DEFAULT 'active'
      );
      CREATE TABLE psi_index (
        country TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        tag BLOB NOT NULL,
        token BLOB NOT NULL,
        PRIMARY KEY (country, epoch, tag, token)
      ) WITHOUT ROWID;
      CREATE TABLE publish_state (
        country TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        complete INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (country, epoch)
      );
    `,
  },
  { version: 2, sql: AUDIT_SQL },
  {
    version: 3,
    sql: `
      -- Per-node mailboxes: sealed, signed messages held until the recipient acknowledges them. The
      -- body is deleted on delivery; the row (metadata only) stays for accounting.
      CREATE TABLE mailbox (
        mid TEXT PRIMARY KEY,
        recipient TEXT NOT NULL,
        sender TEXT NOT NULL,
        body BLOB,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
      );
      CREATE INDEX mailbox_pending ON mailbox (recipient, delivered_at, created_at);
    `,
  },
  {
    version: 4,
    sql: `
      -- Trust (docs/trust.md): each member's certificate as it presented it at login; each epoch's latest
      -- node-signed index commitment and the coordinator's copy of the commitment tree (16 KiB blocks).
      ALTER TABLE members ADD COLUMN cert BLOB;
      ALTER TABLE publish_state ADD COLUMN commitment BLOB;
      CREATE TABLE index_blocks (
        country TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        block INTEGER NOT NULL,
        hashes BLOB NOT NULL,
        PRIMARY KEY (country, epoch, block)
      ) WITHOUT ROWID;
      `,
  },
  {
    version: 5,
    sql: `
      -- Mail quotas: each item's encoded size, kept after delivery for accounting, and the undelivered
      -- mail of each sender by recipient, which the quota check sums on every store.
      ALTER TABLE mailbox ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
      UPDATE mailbox SET size = COALESCE(length(body), 0);
      CREATE INDEX mailbox_sender_pending ON mailbox (sender, recipient) WHERE delivered_at IS NULL;
    `,
  },
];
