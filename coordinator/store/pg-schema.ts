/**
 * The coordinator's PostgreSQL schema, as numbered migrations (applied by `openPostgres`): the same
 * tables as the SQLite schema (`sqlite-schema.ts`) in their final form, plus the leadership record of
 * replicated coordinators (`lease.ts`).
 *
 * Differences from SQLite, each for a reason:
 * - text keys are `COLLATE "C"` so ordering is byte order, as in SQLite, whatever the server's locale;
 * - `psi_index` stores each entry's bucket (its tag's first two bytes), so a bucket is an index range
 *   and a chunk's touched buckets are read in one statement;
 * - the audit tables refuse UPDATE and DELETE with a trigger, as SQLite's do (a guard against our own
 *   mistakes; the hash chain and signed checkpoints are the defence against anyone else).
 */
import type { Migration } from '#platform';

export const PG_COORDINATOR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE members (
        country TEXT COLLATE "C" PRIMARY KEY,
        sign_pub BYTEA NOT NULL,
        admitted_at BIGINT NOT NULL,
        cert BYTEA,
        descriptor BYTEA,
        status TEXT NOT NULL DEFAULT 'active'
      );
      CREATE TABLE psi_index (
        country TEXT COLLATE "C" NOT NULL,
        epoch BIGINT NOT NULL,
        bucket INTEGER NOT NULL,
        tag BYTEA NOT NULL,
        token BYTEA NOT NULL,
        PRIMARY KEY (country, epoch, bucket, tag, token)
      );
      CREATE TABLE publish_state (
        country TEXT COLLATE "C" NOT NULL,
        epoch BIGINT NOT NULL,
        last_seq BIGINT NOT NULL,
        complete BOOLEAN NOT NULL DEFAULT FALSE,
        commitment BYTEA,
        PRIMARY KEY (country, epoch)
      );
      CREATE TABLE index_blocks (
        country TEXT COLLATE "C" NOT NULL,
        epoch BIGINT NOT NULL,
        block INTEGER NOT NULL,
        hashes BYTEA NOT NULL,
        PRIMARY KEY (country, epoch, block)
      );
      -- Sealed, signed messages held until the recipient acknowledges them; the body is dropped on
      -- delivery, the row (metadata and size) stays for accounting.
      CREATE TABLE mailbox (
        mid TEXT COLLATE "C" PRIMARY KEY,
        recipient TEXT COLLATE "C" NOT NULL,
        sender TEXT COLLATE "C" NOT NULL,
        body BYTEA,
        size BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        delivered_at BIGINT
      );
      CREATE INDEX mailbox_pending ON mailbox (recipient, created_at, mid) WHERE delivered_at IS NULL;
      CREATE INDEX mailbox_sender_pending ON mailbox (sender, recipient) WHERE delivered_at IS NULL;

      CREATE TABLE audit_log (
        seq BIGINT PRIMARY KEY,
        ts BIGINT NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        data TEXT NOT NULL,
        prev_hash BYTEA NOT NULL,
        hash BYTEA NOT NULL
      );
      CREATE INDEX audit_log_by_kind ON audit_log (kind, seq);
      CREATE TABLE audit_checkpoints (
        seq BIGINT PRIMARY KEY,
        ts BIGINT NOT NULL,
        hash BYTEA NOT NULL,
        public_key BYTEA NOT NULL,
        signature BYTEA NOT NULL
      );
      CREATE FUNCTION veil_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION veil_append_only();
      CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
        FOR EACH ROW EXECUTE FUNCTION veil_append_only();

      -- Replicated coordinators: who leads, since when, and the term (raised at every takeover).
      CREATE TABLE coordinator_leader (
        id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
        term BIGINT NOT NULL,
        holder TEXT NOT NULL,
        since BIGINT NOT NULL
      );
    `,
  },
];
