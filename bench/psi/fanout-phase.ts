/**
 * One phase of the fan-out benchmark: queries sent open-loop at a fixed rate or closed-loop at a fixed
 * concurrency for a fixed time, then drained; completed rate, latency, lost queries and the CPU of the
 * coordinator, of this process and of everyone else meanwhile.
 */
import { contention, procCpuSeconds, selfCpuSeconds } from '../harness/cpu.ts';
import { quietMachine } from '../harness/quiet.ts';
import { stats } from '../harness/stats.ts';
import { type FanoutLoad, newPhase } from './fanout-load.ts';
import type { FanoutPhase } from './result.ts';

async function drain(load: FanoutLoad, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (load.inflight > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
}

export async function runPhase(
  load: FanoutLoad,
  coordinatorPid: number | undefined,
  spec: { kind: 'open-loop'; rate: number; ms: number } | { kind: 'closed-loop'; concurrency: number; ms: number },
): Promise<FanoutPhase> {
  await quietMachine([coordinatorPid]);
  const p = newPhase();
  load.phase = p;
  const c0 = procCpuSeconds(coordinatorPid);
  const l0 = selfCpuSeconds();
  const others = contention(() => [coordinatorPid]);
  const t0 = performance.now();
  p.windowStart = t0 + spec.ms / 10;
  p.windowEnd = t0 + spec.ms;
  if (spec.kind === 'open-loop') {
    const total = Math.round((spec.rate * spec.ms) / 1000);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - t0) * spec.rate) / 1000));
        while (p.sent < due) load.send(p);
        if (p.sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
  } else {
    await new Promise<void>((resolve) => {
      p.onDone = () => {
        if (performance.now() < p.windowEnd) load.send(p);
        else if (load.inflight === 0) resolve();
      };
      for (let i = 0; i < spec.concurrency; i++) load.send(p);
      setTimeout(() => {
        if (load.inflight === 0) resolve();
      }, spec.ms + 10);
    });
  }
  const sendEnd = performance.now();
  // Open loop above capacity builds a backlog: wait for it, so slow answers count in the percentiles.
  await drain(load, 30_000);
  const otherCpuPct = others();
  const c1 = procCpuSeconds(coordinatorPid);
  const l1 = selfCpuSeconds();
  const wall = (Math.max(sendEnd, p.lastResult) - t0) / 1000;
  load.forgetSent();
  return {
    kind: spec.kind,
    offeredPerSec: spec.kind === 'open-loop' ? spec.rate : null,
    concurrency: spec.kind === 'closed-loop' ? spec.concurrency : null,
    durationMs: spec.ms,
    sent: p.sent,
    completed: p.latencies.length,
    completedPerSec: Math.round((p.inWindow * 10000) / (spec.ms * 0.9)) / 10,
    latency: stats(p.latencies),
    incompleteAnswers: p.incomplete,
    errors: p.errors,
    coordinatorCpuPct: c0 !== null && c1 !== null ? Math.round(((c1 - c0) / wall) * 100) : null,
    coordinatorCpuMsPerQuery: c0 !== null && c1 !== null && p.latencies.length > 0 ? Math.round(((c1 - c0) * 1e5) / p.latencies.length) / 100 : null,
    loadCpuPct: Math.round(((l1 - l0) / wall) * 100),
    otherCpuPct,
    lost: p.sent - p.latencies.length - Object.values(p.errors).reduce((a, b) => a + b, 0),
  };
}
