/**
 * Audit entries of the hot path (queries received and answered, lookups), written in one transaction
 * per event-loop turn instead of one per entry: under load a turn handles many queries.
 */
import type { AuditEntry, Logger } from '#platform';
import type { AuditSink } from './store/repositories.ts';

export interface AuditBatch {
  /** Queue an entry; the batch is appended at the end of this event-loop turn. */
  add(entry: AuditEntry): void;
  /** Append whatever is queued now. */
  flush(): Promise<void>;
}

export function createAuditBatch(deps: { audit: AuditSink; nextTurn: (fn: () => void) => void; log: Logger }): AuditBatch {
  let queue: AuditEntry[] = [];
  const flush = async (): Promise<void> => {
    const q = queue;
    if (q.length === 0) return;
    queue = [];
    try {
      await deps.audit.append(q);
    } catch (err) {
      deps.log.error('audit batch failed', err, { count: q.length });
    }
  };
  return {
    add(entry) {
      if (queue.push(entry) === 1) deps.nextTurn(() => void flush());
    },
    flush,
  };
}
