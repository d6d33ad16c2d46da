/**
 * Leadership of a replicated coordinator (docs/high-availability.md): several instances share one
 * PostgreSQL database and exactly one of them — the one holding the lease — accepts nodes.
 *
 * The lease is a session-level advisory lock (`pg_try_advisory_lock`) held on a connection of its own.
 * PostgreSQL releases it the moment that connection ends, so when the leader's process dies (SIGKILL,
 * a crash, a machine lost) a standby, polling every `pollMs`, takes over within a poll. A leader cut
 * off from the database must stop before anyone else can lead:
 * - the lease session sets `idle_session_timeout` (`releaseAfterMs`), so the server ends a session —
 *   and so releases the lock — that has sent nothing for that long;
 * - the leader checks its session every `checkMs` and considers the lease lost (`lost` resolves) when
 *   no check sent within the last `fenceMs` has succeeded. `fenceMs` < `releaseAfterMs`, and a check
 *   counts from when it was SENT, so the leader stops serving before the server can free the lock.
 * Taking the lease raises a term in `coordinator_leader` (who, since when), for operators and audit.
 *
 * What this does not stop: a leader whose event loop stalls past `fenceMs` may handle frames it had
 * already read before its fence timer runs; every write it could make then is idempotent (mail by mid,
 * chunks by sequence, deliveries by mid) or serialised (the audit chain), so a late write is repeated,
 * never forked.
 */
import type { Clock, Logger, PgDatabase, PgSession } from '#platform';
import { VeilError } from '#protocol';

const LEASE_KEY = 0x6c656164; // 'lead'

export interface LeaseOptions {
  /** This instance's name (the coordinator's), recorded as the holder. */
  holder: string;
  clock: Clock;
  log: Logger;
  /** How often a standby tries to take the lease (default 250 ms). */
  pollMs?: number;
  /** How often the leader checks its lease session (default 500 ms). */
  checkMs?: number;
  /** The leader stops when no check sent within this window succeeded (default 3 s). */
  fenceMs?: number;
  /** The server ends a silent lease session, releasing the lock, after this (default 5 s). */
  releaseAfterMs?: number;
}

export interface Lease {
  /** The term this instance leads in. */
  readonly term: number;
  /** Resolves when the lease is lost (the instance must stop serving at once). */
  readonly lost: Promise<void>;
  /** Give the lease up (on shutdown). */
  release(): Promise<void>;
}

export interface LeaseWaiter {
  /** Resolves once this instance leads. */
  readonly acquired: Promise<Lease>;
  /** Stop waiting (on shutdown before leading). */
  cancel(): void;
}

const sleep = (clock: Clock, ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));

/** Wait for the lease; keeps trying (through database outages) until it is held or cancelled. */
export function waitForLease(db: PgDatabase, opts: LeaseOptions): LeaseWaiter {
  const pollMs = opts.pollMs ?? 250;
  const fenceMs = opts.fenceMs ?? 3000;
  const releaseAfterMs = opts.releaseAfterMs ?? 5000;
  if (fenceMs >= releaseAfterMs) throw new VeilError('bad_config', 'lease: fenceMs must be below releaseAfterMs');
  let cancelled = false;
  let session: PgSession | undefined;

  const acquire = async (): Promise<Lease> => {
    let logged = false;
    while (!cancelled) {
      try {
        session ??= await db.session();
        await session.run(`SET idle_session_timeout = ${Math.round(releaseAfterMs)}`);
        const r = await session.one<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEASE_KEY]);
        if (r?.ok) return await lead(session);
      } catch (e) {
        if (!logged) opts.log.warn('coordinator lease: database unreachable, retrying', { code: e instanceof VeilError ? e.code : 'internal' });
        logged = true;
        await session?.release();
        session = undefined;
      }
      await sleep(opts.clock, pollMs);
    }
    await session?.release();
    throw new VeilError('unavailable', 'stopped before leading');
  };

  const lead = async (s: PgSession): Promise<Lease> => {
    const now = opts.clock.now();
    const row = await s.one<{ term: number }>(
      `INSERT INTO coordinator_leader (id, term, holder, since) VALUES (TRUE, 1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET term = coordinator_leader.term + 1, holder = excluded.holder, since = excluded.since
       RETURNING term`,
      [opts.holder, now],
    );
    const term = row?.term ?? 0;
    let lastOkSent = now;
    let done = false;
    let signal: () => void = () => undefined;
    const lost = new Promise<void>((r) => (signal = r));
    const stop = (why: string) => {
      if (done) return;
      done = true;
      opts.clock.clear(checker);
      opts.clock.clear(fence);
      opts.log.error('coordinator lease lost: this instance stops serving', new VeilError('unavailable', why), { seq: term });
      void s.release();
      signal();
    };
    const checker = opts.clock.setInterval(() => {
      const sent = opts.clock.now();
      s.run('SELECT 1').then(
        () => {
          lastOkSent = Math.max(lastOkSent, sent);
        },
        () => stop('lease session failed'),
      );
    }, opts.checkMs ?? 500);
    const fence = opts.clock.setInterval(() => {
      if (opts.clock.now() - lastOkSent > fenceMs) stop('lease not confirmed in time');
    }, 100);
    void s.ended.then(() => stop('lease session ended'));
    return {
      term,
      lost,
      release: async () => {
        if (done) return;
        done = true;
        opts.clock.clear(checker);
        opts.clock.clear(fence);
        await s.run('SELECT pg_advisory_unlock($1)', [LEASE_KEY]).catch(() => undefined);
        await s.release();
        signal();
      },
    };
  };

  return {
    acquired: acquire(),
    cancel: () => {
      cancelled = true;
    },
  };
}
