/**
 * Long-running commands (`coordinator start`, `node start`) serve until SIGINT or SIGTERM, then close
 * cleanly so the process exits on its own.
 */
export async function runUntilSignal(close: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await close();
}
