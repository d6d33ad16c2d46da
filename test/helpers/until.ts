/**
 * Waiting for a condition in process-level tests: poll until `f` returns a value. The deadline only turns
 * a hang into a named failure; no test relies on it for behaviour.
 */
import { HANG_MS } from '#simulations';

export async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = HANG_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
