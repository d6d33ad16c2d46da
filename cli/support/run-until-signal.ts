/**
 * Long-running commands (`coordinator start`, `node start`) serve until SIGINT or SIGTERM, then shut
 * down gracefully: the service drains what it has in flight within its configured deadline
 * (`shutdownGraceMs`, `VEIL_SHUTDOWN_GRACE_MS`) and closes, so the process exits on its own with
 * status 0. A second signal during the drain closes at once.
 */
export interface Stoppable {
  shutdown(): Promise<boolean>;
  close(): Promise<void>;
}

export async function runUntilSignal(service: Stoppable): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const now = () => void service.close();
  process.once('SIGINT', now);
  process.once('SIGTERM', now);
  await service.shutdown();
}
