/**
 * Periodic checkpoints: a quiet party would otherwise leave its newest audit entries unsigned (only
 * hash-linked) until `checkpointEvery` more entries arrive, so a timer signs the head now and then.
 */
import type { AuditLog } from './log.ts';

/**
 * Sign the head every `intervalMs` when anything was appended since the last checkpoint, so a quiet
 * party's recent entries do not stay unsigned for long. Returns a function that stops the timer.
 */
export function periodicCheckpoints(log: AuditLog, intervalMs = 30_000): () => void {
  let lastSigned = -1;
  const t = setInterval(() => {
    if (log.head().seq === lastSigned) return;
    log.checkpoint();
    lastSigned = log.head().seq;
  }, intervalMs);
  t.unref();
  return () => clearInterval(t);
}
