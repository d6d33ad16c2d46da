/**
 * Group commit for the audit entries of a hot path (the gateway writes one per forwarded query): the
 * entries appended during one event-loop turn are written in one transaction, so a burst of requests
 * costs one sync to disk instead of one each (with `synchronous=FULL` a commit waits for the disk, and
 * better-sqlite3 waits on the event loop). Each `append` resolves once its entry is committed: a caller
 * that awaits it still acts only after its entry is durable, as with `AuditLog.append`.
 *
 * An entry outside the allow-list is refused at `append` (synchronously, `bad_request`), so it never
 * fails the batch it would have joined.
 */
import { setImmediate } from 'node:timers';
import type { AuditEntry } from './entry.ts';
import { parseAuditEntry } from './entry.ts';
import type { AuditLog } from './log.ts';

export interface AuditGroupCommit {
  /** Queue `entry` for this turn's transaction; resolves when it is committed. */
  append(entry: AuditEntry): Promise<void>;
}

interface Waiting {
  entry: AuditEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function createAuditGroupCommit(log: Pick<AuditLog, 'appendAll'>, nextTurn: (fn: () => void) => void = setImmediate): AuditGroupCommit {
  let queue: Waiting[] = [];
  const flush = (): void => {
    const q = queue;
    queue = [];
    try {
      log.appendAll(q.map((w) => w.entry));
    } catch (err) {
      for (const w of q) w.reject(err);
      return;
    }
    for (const w of q) w.resolve();
  };
  return {
    append(entry) {
      const parsed = parseAuditEntry(entry);
      return new Promise<void>((resolve, reject) => {
        if (queue.push({ entry: parsed, resolve, reject }) === 1) nextTurn(flush);
      });
    },
  };
}
