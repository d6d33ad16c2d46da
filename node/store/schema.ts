/**
 * The schema of a node's SQLite database, as numbered migrations (applied in order by `openDatabase`).
 * A migration, once released, is never edited: a change to the schema is a new, higher version.
 * Version 2 is the platform audit log's tables, so the audit log lives in the same file and its
 * entries commit in the same transactions as the changes they describe.
 */
import { AUDIT_SQL, type Migration } from '#platform';

export const NODE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE records (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        dataset TEXT NOT NULL,
        handling TEXT NOT NULL,
        body TEXT NOT NULL,
        digest BLOB NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE epochs (
        epoch INTEGER PRIMARY KEY,
        secret BLOB NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'retired')),
        created_at INTEGER NOT NULL
      );
      CREATE TABLE record_keys (
        record_id TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        cls TEXT NOT NULL,
        tag BLOB NOT NULL,
        token BLOB NOT NULL,
        PRIMARY KEY (record_id, epoch, tag)
      ) WITHOUT ROWID;
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        epoch INTEGER NOT NULL,
        adds BLOB NOT NULL,
        removes BLOB NOT NULL,
        final INTEGER NOT NULL
      );
      CREATE TABLE analysts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        sign_pub BLOB NOT NULL,
        box_pub BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE budget (
        requester TEXT NOT NULL,
        day TEXT NOT NULL,
        used INTEGER NOT NULL,
        PRIMARY KEY (requester, day)
      );
    `,
  },
  { version: 2, sql: AUDIT_SQL },
  {
    version: 3,
    sql: `
      -- Store-and-forward mail through the coordinator (disclosure requests and decisions).
      CREATE TABLE mail_outbox (
        mid TEXT PRIMARY KEY,
        recipient TEXT NOT NULL,
        env BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE mail_inbox (
        mid TEXT PRIMARY KEY,
        sender TEXT NOT NULL,
        received_at INTEGER NOT NULL
      );
      -- Disclosure requests received from other countries, for this node's data owners.
      CREATE TABLE disclosures_in (
        id TEXT PRIMARY KEY,
        requester TEXT NOT NULL,
        analyst TEXT NOT NULL,
        purpose TEXT NOT NULL,
        case_ref TEXT NOT NULL,
        legal_basis TEXT NOT NULL,
        fields TEXT NOT NULL,
        justification TEXT NOT NULL,
        record_id TEXT NOT NULL,
        cls TEXT NOT NULL,
        claim_kind TEXT NOT NULL,
        score REAL,
        analyst_box_pub BLOB NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
        received_at INTEGER NOT NULL,
        deadline INTEGER NOT NULL,
        decided_at INTEGER,
        decided_by TEXT,
        released_fields TEXT,
        reason TEXT
      );
      CREATE INDEX disclosures_in_status ON disclosures_in (status, deadline);
      -- Disclosure requests this node's analysts sent, and the decisions that came back.
      CREATE TABLE disclosures_out (
        id TEXT PRIMARY KEY,
        analyst TEXT NOT NULL,
        owner TEXT NOT NULL,
        fields TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        decision BLOB
      );
      CREATE INDEX disclosures_out_analyst ON disclosures_out (analyst, created_at);
      -- Data owners (approval console accounts) and their sessions.
      CREATE TABLE owners (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        pw_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE owner_sessions (
        token_hash BLOB PRIMARY KEY,
        owner TEXT NOT NULL,
        csrf TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    sql: `
      -- Biometric galleries: one row per position per modality. A freed position keeps its row with
      -- record_id and vector NULL until reused. seq orders changes so a running node can apply what an
      -- import (another process) changed.
      CREATE TABLE gallery (
        modality TEXT NOT NULL,
        position INTEGER NOT NULL,
        record_id TEXT,
        vector BLOB,
        seq INTEGER NOT NULL,
        PRIMARY KEY (modality, position)
      );
      CREATE UNIQUE INDEX gallery_record ON gallery (modality, record_id) WHERE record_id IS NOT NULL;
      CREATE INDEX gallery_seq ON gallery (seq);
      -- Biometric queries this node answered: a disclosure claim must name one of them.
      CREATE TABLE bio_queries (
        id TEXT NOT NULL,
        requester TEXT NOT NULL,
        modality TEXT NOT NULL,
        positions INTEGER NOT NULL,
        answered_at INTEGER NOT NULL,
        PRIMARY KEY (requester, id)
      );
    `,
  },
  {
    version: 5,
    sql: `
      -- Committed index (docs/trust.md): the bucket tree of each live epoch, as 16 KiB blocks of hashes,
      -- and the root and entry count after each outbox chunk, which the node signs when it sends it.
      CREATE INDEX record_keys_by_tag ON record_keys (epoch, tag);
      CREATE TABLE index_blocks (
        epoch INTEGER NOT NULL,
        block INTEGER NOT NULL,
        hashes BLOB NOT NULL,
        PRIMARY KEY (epoch, block)
      ) WITHOUT ROWID;
      ALTER TABLE outbox ADD COLUMN root BLOB;
      ALTER TABLE outbox ADD COLUMN entries INTEGER NOT NULL DEFAULT 0;
      `,
  },
  {
    version: 6,
    sql: `
      -- Failed data-owner logins, shared by the approval console and the CLI (veil approvals): per
      -- client address and per account, the failures counted toward the next lock, the lock and the
      -- number of consecutive locks (the backoff exponent).
      CREATE TABLE login_throttle (
        scope TEXT NOT NULL CHECK (scope IN ('address', 'account')),
        key TEXT NOT NULL,
        failures INTEGER NOT NULL,
        window_start INTEGER NOT NULL,
        locks INTEGER NOT NULL,
        locked_until INTEGER NOT NULL,
        last_failure INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
      );
      CREATE INDEX login_throttle_last ON login_throttle (last_failure);
      -- The client addresses that failed against an account lately: an account is locked when enough
      -- different addresses fail against it, so no single address can lock its owner out.
      CREATE TABLE login_failure_sources (
        account TEXT NOT NULL,
        address TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (account, address)
      );
      CREATE INDEX login_failure_sources_at ON login_failure_sources (at);
      `,
  },
  {
    version: 7,
    sql: `
      -- Disclosure request ids are the requester's: scoped to (requesting country, analyst, id) here at
      -- the owner, with the digest of the request's content, so another requester's id is another
      -- request and the same requester's id with other content is a conflict. \`id\` becomes this node's
      -- own handle for its officers (existing rows keep theirs: their request id, unique until now).
      -- Existing rows have no digest (an empty one): a repeat of them is a conflict.
      CREATE TABLE disclosures_in_v5 (
        id TEXT PRIMARY KEY,
        requester TEXT NOT NULL,
        analyst TEXT NOT NULL,
        request_id TEXT NOT NULL,
        digest BLOB NOT NULL,
        purpose TEXT NOT NULL,
        case_ref TEXT NOT NULL,
        legal_basis TEXT NOT NULL,
        fields TEXT NOT NULL,
        justification TEXT NOT NULL,
        record_id TEXT NOT NULL,
        cls TEXT NOT NULL,
        claim_kind TEXT NOT NULL,
        score REAL,
        analyst_box_pub BLOB NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
        received_at INTEGER NOT NULL,
        deadline INTEGER NOT NULL,
        decided_at INTEGER,
        decided_by TEXT,
        released_fields TEXT,
        reason TEXT,
        UNIQUE (requester, analyst, request_id)
      );
      INSERT INTO disclosures_in_v5
        SELECT id, requester, analyst, id, X'', purpose, case_ref, legal_basis, fields, justification, record_id, cls,
               claim_kind, score, analyst_box_pub, status, received_at, deadline, decided_at, decided_by, released_fields, reason
        FROM disclosures_in;
      DROP TABLE disclosures_in;
      ALTER TABLE disclosures_in_v5 RENAME TO disclosures_in;
      CREATE INDEX disclosures_in_status ON disclosures_in (status, deadline);
      CREATE INDEX disclosures_in_request ON disclosures_in (request_id);
      -- Requests refused before any officer saw them (the claim did not verify): kept by the same key, so
      -- a repeat gets the first outcome and other content under the key is a conflict.
      CREATE TABLE disclosures_in_rejected (
        requester TEXT NOT NULL,
        analyst TEXT NOT NULL,
        request_id TEXT NOT NULL,
        digest BLOB NOT NULL,
        code TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (requester, analyst, request_id)
      ) WITHOUT ROWID;
      -- This node's analysts' requests, by (analyst, id), with the digest of what was asked.
      CREATE TABLE disclosures_out_v5 (
        analyst TEXT NOT NULL,
        id TEXT NOT NULL,
        digest BLOB NOT NULL,
        owner TEXT NOT NULL,
        fields TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        decision BLOB,
        PRIMARY KEY (analyst, id)
      );
      INSERT INTO disclosures_out_v5 SELECT analyst, id, X'', owner, fields, status, created_at, decision FROM disclosures_out;
      DROP TABLE disclosures_out;
      ALTER TABLE disclosures_out_v5 RENAME TO disclosures_out;
      CREATE INDEX disclosures_out_analyst ON disclosures_out (analyst, created_at);
      `,
  },
  {
    version: 8,
    sql: `
      -- Per-query permutation of biometric result positions from node-side randomness (docs/biometrics.md):
      -- the random nonce this node drew for the answer (keyed with the node's permutation key it gives the
      -- layout a disclosure claim is mapped back through), and the analyst the query named. NULL for
      -- queries answered before this version (their positions can no longer be mapped back).
      ALTER TABLE bio_queries ADD COLUMN perm_nonce BLOB;
      ALTER TABLE bio_queries ADD COLUMN analyst TEXT;
    `,
  },
  {
    version: 9,
    sql: `
      -- The encoded gallery (docs/biometrics.md, "Persisted encoding"): per modality and 2,048-position
      -- block, the HE plaintext residues the node scores, the occupancy they were encoded with, the
      -- parameter set, the last gallery change (seq) they reflect and a MAC binding all of it to the node's
      -- key and OPRF epoch. A node restores verified blocks at start instead of re-encoding them.
      CREATE TABLE gallery_blocks (
        modality TEXT NOT NULL,
        block INTEGER NOT NULL,
        param TEXT NOT NULL,
        seq INTEGER NOT NULL,
        occupied BLOB NOT NULL,
        residues BLOB NOT NULL,
        mac BLOB NOT NULL,
        PRIMARY KEY (modality, block)
      );
      -- The free positions (kept for reuse): finding the lowest one was a scan of the whole gallery per
      -- template set, quadratic over an import.
      CREATE INDEX gallery_free ON gallery (modality, position) WHERE record_id IS NULL;
    `,
  },
];
