/**
 * `results.json`: everything a run measured in virtual time and counts, with stable key order and
 * rounding, so the same scenario and seed give the same bytes. Figures that depend on the machine
 * running the simulation (wall time, real CPU, memory) go to `measured.json` instead.
 */
import type { AdversaryReport } from './adversaries/adversary.ts';
import type { LedgerRow } from './ledger.ts';
import type { DetResult } from './metrics/det.ts';
import { cdf, round, sortedObject, summarize } from './metrics/stats.ts';
import type { WireStats } from './metrics/wire-stats.ts';
import type { Scenario } from './scenario.ts';

export const RESULTS_VERSION = 1;

export interface Results {
  readonly veilSimResults: number;
  readonly scenario: { name: string; description: string; seed: number; countries: string[]; parsed: Scenario };
  readonly population: object;
  readonly time: { start: string; readyAfterMs: number; workloadStartMs: number; endMs: number };
  readonly queries: object;
  readonly latency: { endToEndMs: ReturnType<typeof summarize>; cdf: Array<[number, number]>; hops: object };
  readonly throughput: { binSeconds: number; series: Array<[number, number]>; meanPerSecond: number };
  readonly bytes: { roles: ReturnType<WireStats['roles']>; parties: object; droppedBytes: object };
  readonly cpu: { modelledBusyMs: object; byRole: object };
  readonly matching: object;
  readonly biometric: { protocol: object; det: DetResult | null };
  readonly disclosures: object;
  readonly budgets: object;
  readonly faults: object;
  readonly adversaries: AdversaryReport[];
  readonly ledger: { summary: { excess: number; unlisted: number; allowed: number }; rows: LedgerRow[] };
  readonly exit: { code: number; reason: string };
}

/** Real, machine-dependent figures of a run (not part of the determinism guarantee). */
export interface Measured {
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
  readonly events: number;
  readonly realCpuMsByParty: Record<string, number>;
  readonly realCpuMsByRole: Record<string, number>;
}

export function latencySection(latencies: number[], wire: WireStats): Results['latency'] {
  return { endToEndMs: summarize(latencies), cdf: cdf(latencies, 100), hops: wire.hops() };
}

export function cpuSection(busy: ReadonlyMap<string, number>): Results['cpu'] {
  const byRole = new Map<string, { parties: number; busyMs: number }>();
  for (const [p, ms] of busy) {
    const r = p === 'coordinator' ? 'coordinator' : (p.split(':')[0] ?? p);
    const a = byRole.get(r) ?? { parties: 0, busyMs: 0 };
    a.parties++;
    a.busyMs += ms;
    byRole.set(r, a);
  }
  return {
    modelledBusyMs: sortedObject([...busy].map(([p, ms]) => [p, round(ms)] as const)),
    byRole: sortedObject([...byRole].map(([r, a]) => [r, { parties: a.parties, busyMs: round(a.busyMs), meanBusyMs: round(a.busyMs / a.parties) }] as const)),
  };
}

/** JSON with stable formatting (two-space indent, trailing newline). */
export function stableJson(v: unknown): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}
