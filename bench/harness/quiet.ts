/**
 * Waiting for quiet: the machine is shared, so timing-sensitive sections start when other processes (or
 * a process of ours that is still busy) have calmed down, within bounded waits.
 */
import { contention, procCpuSeconds } from './cpu.ts';

/** What `quietMachine` may wait in all, over the whole run (one run per process). */
const quietBudget = { ms: 30_000 };

/**
 * The machine is shared: before a timing-sensitive section, wait (from a budget shared by the whole run)
 * until other processes use less than a fifth of a core over one second. Contention that starts later
 * still shows in each section's `otherCpuPct`.
 */
export async function quietMachine(ourPids: Array<number | undefined> = []): Promise<void> {
  while (quietBudget.ms > 0) {
    const t0 = performance.now();
    const others = contention(() => ourPids);
    await new Promise((r) => setTimeout(r, 1000));
    const pct = others();
    quietBudget.ms -= performance.now() - t0;
    if (pct === null || pct < 20) return;
  }
}

/** Waits until a process uses less than a fifth of a core (sampled over 300 ms), or `timeoutMs`. */
export async function settle(pid: number | undefined, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const a = procCpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 300));
    const b = procCpuSeconds(pid);
    if (a === null || b === null || (b - a) / 0.3 < 0.2) return;
  }
}
