/**
 * Section 3 of the PSI benchmark: a coordinator and 10 nodes in this process (real websockets, real
 * SQLite files, real crypto), one analyst running blind name+dob queries through the SDK; latency and
 * throughput, beside the OPRF work a query needs at least (its crypto floor). With `full`, again with
 * every party as its own process (the `veil` CLI).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initCoordinatorDir, startCoordinator } from '#coordinator';
import type { OprfRates } from '#crypto';
import { addAnalyst, DEFAULT_POLICY, importFile, initNode, type NodeHandle, type Policy, startNode } from '#node';
import { silentLogger } from '#platform';
import { VeilClient } from '#sdk';
import { createLocalPki, type SyntheticRecord, startLocalNetwork, syntheticRecords, toNdjson, waitFor } from '#simulations';
import { contention } from '../harness/cpu.ts';
import { quietMachine } from '../harness/quiet.ts';
import { say } from '../harness/report.ts';
import { E2E_COUNTRIES, ISO3 } from './config.ts';
import { driveQueries, querySubjects } from './query-driver.ts';
import type { E2eRun } from './result.ts';

/** The bench drives one analyst as fast as it can: its node's gateway limits and its per-analyst budget are lifted. */
const UNLIMITED = { perSecond: 1_000_000, burst: 1_000_000 };
const BENCH_POLICY: Policy = {
  ...DEFAULT_POLICY,
  budgets: { ...DEFAULT_POLICY.budgets, perAnalyst: { ...DEFAULT_POLICY.budgets.perAnalyst, dailyEvaluations: DEFAULT_POLICY.budgets.dailyEvaluations } },
  gateway: {
    queries: { perAnalyst: UNLIMITED, perCountry: UNLIMITED },
    lookups: { perAnalyst: UNLIMITED, perCountry: UNLIMITED },
    bioQueries: DEFAULT_POLICY.gateway.bioQueries,
    inFlightPerAnalyst: 1000,
  },
};

function e2eCounts(quick: boolean) {
  return {
    persons: quick ? 800 : 2500,
    vehicles: quick ? 200 : 500,
    warmup: quick ? 10 : 30,
    sequential: quick ? 60 : 300,
    concurrent: quick ? 100 : 400,
    concurrency: 16,
  };
}

function e2eRecords(quick: boolean): Map<string, SyntheticRecord[]> {
  const n = e2eCounts(quick);
  return new Map(
    E2E_COUNTRIES.map((c, i) => [c, syntheticRecords({ seed: 1000 + i, country: c, country3: ISO3[c]!, persons: n.persons, vehicles: n.vehicles })]),
  );
}

/**
 * OPRF work of one query from the same run's rates (signatures, I/O and SQLite excluded): the client
 * blinds k keys, each target evaluates them with one proof, the client verifies every proof and
 * finalizes. `all` is the sum (one core does everything, as in-process); `critical` counts one target's
 * evaluation only (every target on its own machine, evaluating in parallel).
 */
export function cryptoFloorMs(rates: OprfRates, keysPerQuery: number, targets: number): { all: number; critical: number } {
  const k = Math.max(1, Math.round(keysPerQuery));
  const evalB = rates.blindEvaluateBatch.find((b) => b.batchSize === k) ?? rates.blindEvaluateBatch[0]!;
  const verB = rates.verifyBatch.find((b) => b.batchSize === k) ?? rates.verifyBatch[0]!;
  const client = k / rates.blindPerSec + targets * (1 / verB.batchesPerSec + k / rates.finalizePerSec);
  const ms = (x: number) => Math.round(x * 100000) / 100;
  return { all: ms(client + targets / evalB.batchesPerSec), critical: ms(client + 1 / evalB.batchesPerSec) };
}

export async function benchE2eInProcess(root: string, quick: boolean): Promise<E2eRun> {
  const n = e2eCounts(quick);
  say(`3/4 end to end: coordinator + ${E2E_COUNTRIES.length} nodes in this process, ${n.persons + n.vehicles} records each …`);
  const setup0 = performance.now();
  const coordDir = join(root, 'e2e-coordinator');
  const pki = createLocalPki(join(root, 'e2e-org'));
  initCoordinatorDir(coordDir, { name: 'bench-e2e', bundle: pki.bundlePath });
  pki.certifyCoordinator(coordDir);
  const coord = await startCoordinator(coordDir, { logger: silentLogger, config: { ratePerCountry: 100_000 } });
  const nodes: NodeHandle[] = [];
  let client: VeilClient | undefined;
  try {
    const byCountry = e2eRecords(quick);
    for (const c of E2E_COUNTRIES) {
      const dir = join(root, `e2e-${c}`);
      await initNode(dir, { port: 0, adminPort: 0, country: c, coordinatorUrl: coord.wsUrl, bundle: pki.bundlePath });
      pki.certifyNode(dir);
      writeFileSync(join(dir, 'policy.json'), JSON.stringify(BENCH_POLICY));
      const file = join(root, `e2e-${c}.ndjson`);
      writeFileSync(file, toNdjson(byCountry.get(c)!));
      const rep = await importFile(dir, file);
      if (!rep.written) throw new Error(`import into ${c} failed`);
    }
    for (const c of E2E_COUNTRIES) nodes.push(await startNode(join(root, `e2e-${c}`), { coordinatorUrl: coord.wsUrl, logger: silentLogger }));
    await waitFor('nodes connected', () => coord.connected().length === E2E_COUNTRIES.length, 30_000);
    await Promise.all(nodes.map((h) => h.published(120_000)));
    await waitFor('member directories complete', () => nodes.every((h) => h.members.all().length === E2E_COUNTRIES.length), 30_000);
    const gateway = nodes[0]!;
    const { path } = await addAnalyst(join(root, `e2e-${gateway.country}`), 'Bench Analyst', { nodeUrl: gateway.url });
    client = await VeilClient.connect(path, { nodeUrl: gateway.url });
    const setupMs = performance.now() - setup0;
    const subjects = querySubjects(byCountry, gateway.country, 2000, 4242);
    await quietMachine();
    const others = contention(() => []);
    const r = await driveQueries(client, subjects, { ...n, timeBreakdown: true });
    // Same-run baseline: the SDK checking every answer on its own thread (no worker pool).
    const inlineClient = await VeilClient.connect(path, { nodeUrl: gateway.url, verifyThreads: 0 });
    let inline: Awaited<ReturnType<typeof driveQueries>>;
    try {
      inline = await driveQueries(inlineClient, subjects, { ...n, sequential: n.sequential / 2, concurrent: n.concurrent / 2, timeBreakdown: false });
    } finally {
      await inlineClient.close();
    }
    return {
      setting: 'in-process',
      nodes: E2E_COUNTRIES.length,
      recordsPerNode: n.persons + n.vehicles,
      setupMs: Math.round(setupMs),
      ...r,
      inlineVerify: { p50Ms: inline.sequential.p50Ms, p99Ms: inline.sequential.p99Ms, queriesPerSec: inline.concurrent.queriesPerSec },
      otherCpuPct: others(),
    };
  } finally {
    await client?.close();
    for (const h of nodes) await h.close();
    await coord.close();
  }
}

export async function benchE2eProcesses(root: string, quick: boolean): Promise<E2eRun> {
  const n = e2eCounts(quick);
  say(`3b  end to end: coordinator + ${E2E_COUNTRIES.length} nodes as separate processes (veil CLI) …`);
  const setup0 = performance.now();
  const byCountry = e2eRecords(quick);
  const net = await startLocalNetwork(
    E2E_COUNTRIES.map((c) => ({ country: c, records: toNdjson(byCountry.get(c)!), policy: BENCH_POLICY })),
    { root: join(root, 'e2e-processes') },
  );
  let client: VeilClient | undefined;
  try {
    await net.settled(180_000);
    const cred = await net.addAnalyst(E2E_COUNTRIES[0], 'Bench Analyst');
    client = await VeilClient.connect(cred);
    // Every node must know every member's descriptor before queries are answered, not only be connected.
    await waitFor('member directory complete', async () => (await client!.members(true)).length === E2E_COUNTRIES.length, 30_000);
    const setupMs = performance.now() - setup0;
    const subjects = querySubjects(byCountry, E2E_COUNTRIES[0], 2000, 4243);
    const pids = [net.coordinator.proc.pid, ...[...net.nodes.values()].map((x) => x.daemon.proc.pid)];
    const others = contention(() => pids);
    const r = await driveQueries(client, subjects, { ...n, timeBreakdown: false });
    return {
      setting: 'processes',
      nodes: E2E_COUNTRIES.length,
      recordsPerNode: n.persons + n.vehicles,
      setupMs: Math.round(setupMs),
      ...r,
      otherCpuPct: others(),
    };
  } finally {
    await client?.close();
    await net.stop();
  }
}
