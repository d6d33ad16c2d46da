/**
 * One simulation run, end to end: prepare the network (`setup.ts`), play the workload and the
 * adversaries (`driver.ts`, `adversaries/`), measure (`metrics/`, `ledger.ts`), and write
 * `results.json`, `measured.json` and `report.html` into the output directory. The exit code is 0, or
 * 3 when the leakage ledger found an excess (some party saw what the design says it must not).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAdversaries } from './adversaries/index.ts';
import { Driver } from './driver.ts';
import { identifierTokens, Ledger } from './ledger.ts';
import { detCurves } from './metrics/det.ts';
import { Outcomes } from './metrics/outcomes.ts';
import { Counter, round, sortedObject } from './metrics/stats.ts';
import { roleOf, WireStats } from './metrics/wire-stats.ts';
import { tee } from './observer.ts';
import { renderReport } from './report/report.ts';
import { cpuSection, latencySection, type Measured, RESULTS_VERSION, type Results, stableJson } from './results.ts';
import type { Scenario } from './scenario.ts';
import { scenarioCountries } from './scenario.ts';
import { warmUpSeal } from './seeded-seal.ts';
import { type Progress, prepare } from './setup.ts';

export const EXIT_LEDGER_EXCESS = 3;

export interface RunOptions {
  readonly outDir: string;
  readonly onProgress?: Progress;
}

export interface RunOutput {
  readonly results: Results;
  readonly measured: Measured;
  readonly exitCode: number;
  readonly files: { results: string; measured: string; report: string };
}

export async function runSimulation(s: Scenario, opts: RunOptions): Promise<RunOutput> {
  const wall0 = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampleRss = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  // The parties' SQLite files on a RAM file system when there is one: the stores are real, but a
  // simulation needs no durability, and fsync would dominate its run time.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'veil-sim-'));
  const start = Date.parse(s.start);
  const wire = new WireStats(start);
  const ledger = new Ledger();
  const adversaries = buildAdversaries(s);
  const observer = tee([wire, ledger, ...adversaries.flatMap((a) => (a.observer ? [a.observer] : []))]);
  const wrongKey = new Map<string, 'unannounced' | 'announced'>();
  for (const a of s.adversaries) if (a.kind === 'wrong-key-member') wrongKey.set(a.country, a.announced ? 'announced' : 'unannounced');
  try {
    // SEAL loads asynchronously on first use: done before the clock starts, so no party's first
    // biometric query waits on real (not virtual) time.
    await warmUpSeal(['face']);
    const p = await prepare(s, dir, observer, { wrongKey, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    const { world, pop, plan } = p;
    ledger.setSecrets(plan.queries.flatMap((q) => (q.subject ? identifierTokens(q.subject) : [])));
    const outcomes = new Outcomes(world, pop, p.holders);
    const driver = new Driver(s, world, pop, outcomes, p.tagger, world.rng.child('driver'));
    const t0 = p.readyAt + s.workload.warmup;
    driver.schedule(plan.events, t0);
    const ctx = { s, world, pop, plan, outcomes, t0 };
    for (const a of adversaries) a.start?.(ctx);
    const total = plan.queries.length;
    let tick = 0;
    await world.sched.run({
      until: Math.max(t0, driver.lastEventAt) + s.drain,
      stop: () => driver.idle() && adversaries.every((a) => !a.busy?.()),
      onTime: () => {
        if (++tick % 256 === 0) sampleRss();
        opts.onProgress?.('queries', outcomes.done.length, total);
      },
    });
    opts.onProgress?.('queries', outcomes.done.length, total);
    const endAt = world.sched.now;
    sampleRss();
    const det = s.metrics.detProbes > 0 ? await detCurves(world, pop, plan.queries, s.metrics.detProbes, world.rng.child('det')) : undefined;
    sampleRss();
    const summary = outcomes.summary();
    const busy = new Map<string, number>([[world.coordinator.name, world.coordinator.cpu.busyMs]]);
    for (const n of world.nodes.values()) busy.set(n.name, n.cpu.busyMs);
    for (const a of world.analysts()) busy.set(a.name, a.cpu.busyMs);
    const series = outcomes.throughput(t0, s.metrics.throughputBin);
    const ledgerSummary = ledger.summary();
    const exitCode = ledgerSummary.excess > 0 ? EXIT_LEDGER_EXCESS : 0;
    const refusals = new Counter();
    for (const [k, v] of Object.entries(summary.queries.codes)) if (k === 'rate_limited' || k.includes('budget')) refusals.add(k, v);
    const results: Results = {
      veilSimResults: RESULTS_VERSION,
      scenario: { name: s.name, description: s.description, seed: s.seed, countries: scenarioCountries(s), parsed: s },
      population: {
        recordsPerCountry: s.population.recordsPerCountry,
        records: p.imported.records,
        refusedAtImport: p.imported.refused,
        refusalReasons: p.imported.reasons,
        persons: pop.personHome.length,
        faceTemplates: p.imported.templates,
        indexEntries: p.imported.tags,
        tagsEvaluated: p.tags.evaluated,
        tagsStandIn: p.tags.standIn,
      },
      time: { start: s.start, readyAfterMs: round(p.readyAt - start), workloadStartMs: round(t0 - start), endMs: round(endAt - start) },
      queries: { planned: total, events: driver.events.toObject(), ...summary.queries },
      latency: latencySection(outcomes.latencies(), wire),
      throughput: {
        binSeconds: s.metrics.throughputBin / 1000,
        series,
        meanPerSecond: round(outcomes.latencies().length / Math.max(1e-9, (lastAnswerAt(outcomes, t0) - t0) / 1000)),
      },
      bytes: { roles: wire.roles(), parties: world.nodes.size <= 20 ? wire.parties() : {}, droppedBytes: wire.droppedBytes.toObject() },
      cpu: cpuSection(busy),
      matching: summary.matching,
      biometric: { protocol: summary.biometric, det: det ?? null },
      disclosures: driver.summary(),
      budgets: { refusals: refusals.toObject(), byCountryStatus: world.nodes.size <= 20 ? outcomes.byCountry.toObject() : {} },
      faults: { planned: s.faults, nodeRestarts: driver.events.get('up') },
      adversaries: adversaries.map((a) => a.report(ctx)),
      ledger: { summary: ledgerSummary, rows: ledger.rows() },
      exit: {
        code: exitCode,
        reason: exitCode === 0 ? 'no party saw more than the design allows' : `${ledgerSummary.excess} ledger rows exceed what the design allows`,
      },
    };
    const cpu = world.sched.stats().cpuMs;
    const byRole = new Map<string, number>();
    for (const [party, ms] of cpu) byRole.set(roleOf(party), (byRole.get(roleOf(party)) ?? 0) + ms);
    const measured: Measured = {
      wallSeconds: round((performance.now() - wall0) / 1000, 1),
      peakRssMiB: round(peakRss / 1048576, 0),
      events: world.sched.stats().events,
      realCpuMsByParty: world.nodes.size <= 20 ? sortedObject([...cpu].map(([k, v]) => [k, round(v, 0)] as const)) : {},
      realCpuMsByRole: sortedObject([...byRole].map(([k, v]) => [k, round(v, 0)] as const)),
    };
    await world.close();
    mkdirSync(opts.outDir, { recursive: true });
    const files = { results: join(opts.outDir, 'results.json'), measured: join(opts.outDir, 'measured.json'), report: join(opts.outDir, 'report.html') };
    writeFileSync(files.results, stableJson(results));
    writeFileSync(files.measured, stableJson(measured));
    writeFileSync(files.report, renderReport(results, measured));
    return { results, measured, exitCode, files };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** When the last query was answered (the throughput's window ends there, not at the drain's end). */
function lastAnswerAt(outcomes: Outcomes, t0: number): number {
  let last = t0;
  for (const d of outcomes.done) if (!d.error) last = Math.max(last, d.doneAt);
  return last;
}
