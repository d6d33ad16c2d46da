/**
 * CPU accounting for benchmarks on a shared machine: CPU time used by a process (from /proc) and by the
 * whole machine, and how much of it went to processes other than ours during a section (`otherCpuPct`).
 * Every figure is null where /proc is unavailable.
 */
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far, from /proc; null where unavailable. */
export function procCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks)
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has been busy (all cores), from /proc/stat; null where unavailable. */
export function machineBusySeconds(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    return ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0)) / 100;
  } catch {
    return null;
  }
}

/** Tracks how much CPU processes other than ours used during a section (the machine is shared). */
export function contention(ourPids: () => Array<number | undefined>): () => number | null {
  const ours = () => ourPids().reduce<number>((a, p) => a + (procCpuSeconds(p) ?? 0), selfCpuSeconds());
  const m0 = machineBusySeconds();
  const o0 = ours();
  const t0 = performance.now();
  return (): number | null => {
    const m1 = machineBusySeconds();
    if (m0 === null || m1 === null) return null;
    return Math.max(0, Math.round(((m1 - m0 - (ours() - o0)) / ((performance.now() - t0) / 1000)) * 100));
  };
}

/** CPU seconds (user + system) this process has used so far. */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
