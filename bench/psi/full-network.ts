/**
 * The full-network query (`npm run bench -- network`): an analyst asks all 194 other members at once,
 * which is what analysts do. Real coordinator in its own process, 195 real nodes hosted in four
 * processes (`party-host.ts`), real TLS websockets, SQLite files and crypto; the analyst's SDK in this
 * process verifies every signature and DLEQ proof and every lookup proof. Queries are name + date of
 * birth with all their match keys, half of them persons some member holds.
 *
 * Breakdown per query: the SDK's HTTP calls (query: gateway → coordinator → 194 nodes → back; lookup:
 * the coordinator's index with bucket proofs), the SDK's own work (blind, verify, finalize, lookup-proof
 * checks; the remainder), and the CPU each process spent per query (coordinator, all nodes together).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { initCoordinatorDir } from '#coordinator';
import { addAnalyst, DEFAULT_POLICY, importFile, initNode, type Policy } from '#node';
import { isCountryCode, matchKeysForQuery, normalizeCountry } from '#protocol';
import { loadCredential, nodeTransport, type Transport, type TransportResponse, VeilClient } from '#sdk';
import { createLocalPki, REPO_ROOT, type SyntheticRecord, syntheticRecords, toNdjson } from '#simulations';
import { contention, procCpuSeconds } from '../harness/cpu.ts';
import { quietMachine } from '../harness/quiet.ts';
import { say } from '../harness/report.ts';
import { type LatencyStats, stats } from '../harness/stats.ts';
import { CTX } from './config.ts';
import { querySubjects } from './query-driver.ts';

export const FULL_NETWORK_TARGETS = { fullNetworkP50Ms: 300, fullNetworkP99Ms: 600 } as const;
/** Every member of the network the issue sizes: 195 countries, so an analyst asks 194 others. */
export const FULL_NETWORK_MEMBERS = 195;
const HOSTS = 4;
const UNLIMITED = { perSecond: 1_000_000, burst: 1_000_000 };
/** The asking node lets its one analyst run as fast as it can; targets keep the default policy. */
const ASKER_POLICY: Policy = {
  ...DEFAULT_POLICY,
  gateway: { ...DEFAULT_POLICY.gateway, queries: { perAnalyst: UNLIMITED, perCountry: UNLIMITED }, lookups: { perAnalyst: UNLIMITED, perCountry: UNLIMITED } },
};

export interface FullNetworkRun {
  members: number;
  hostProcesses: number;
  recordsPerNode: number;
  setupMs: number;
  meanKeysPerQuery: number;
  latency: LatencyStats;
  fullNetworkP50Ms: number;
  fullNetworkP99Ms: number;
  /** Per query, mean milliseconds: the SDK's two calls (timed on its transport) and its own work (the rest: blind, verify, finalize, lookup proofs). */
  breakdownMs: { queryCall: number; lookupCall: number; sdkWork: number } | null;
  /** Per query, CPU milliseconds spent by the coordinator process and by all node processes together. */
  cpuMsPerQuery: { coordinator: number | null; nodes: number | null; analyst: number };
  statuses: Record<string, number>;
  hitQueries: number;
  otherCpuPct: number | null;
}

/** `members` real ISO 3166-1 alpha-2 codes (records are validated against the table): FR first (the analyst's). */
function memberCodes(members: number): string[] {
  const out = ['FR'];
  for (let i = 0; i < 26 * 26 && out.length < members; i++) {
    const c = String.fromCharCode(65 + Math.floor(i / 26)) + String.fromCharCode(65 + (i % 26));
    if (c !== 'FR' && isCountryCode(c) && normalizeCountry(c).length === 3) out.push(c);
  }
  if (out.length < members) throw new Error('not enough country codes');
  return out;
}

interface Hosted {
  proc: ChildProcess;
  ready: Promise<unknown>;
}

/**
 * With VEIL_BENCH_CPU_PROF=<dir>, every hosting process runs under `node --cpu-prof` and writes its
 * profiles (one per thread: the main thread's is the largest) to <dir>/coordinator or <dir>/nodes when
 * it is stopped.
 */
function host(args: string[]): Hosted {
  const script = fileURLToPath(new URL('./party-host.ts', import.meta.url));
  const profDir = process.env.VEIL_BENCH_CPU_PROF;
  const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, args[0] ?? 'host')}`] : [];
  const proc = spawn(process.execPath, [...prof, '--import', 'tsx', script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-2000);
  });
  const ready = new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (l) => {
      try {
        const m = JSON.parse(l) as { ready?: unknown };
        if (m.ready) resolve(m.ready);
      } catch {
        // not ours
      }
    });
    proc.once('exit', (code) => reject(new Error(`party host exited (${code}): ${err.trim().slice(-500)}`)));
  });
  return { proc, ready };
}

async function stopHost(h: Hosted): Promise<void> {
  if (h.proc.exitCode !== null) return;
  const exited = new Promise((r) => h.proc.once('exit', r));
  h.proc.kill('SIGTERM');
  const t = setTimeout(() => h.proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

/**
 * The SDK's own transport to its node, timing each call by path while `byPath.on` is set: the query
 * call (gateway → coordinator → every target → back) and the lookup call (the coordinator's index).
 */
function timedTransport(inner: Transport): { transport: Transport; byPath: Map<string, number>; on: { value: boolean } } {
  const byPath = new Map<string, number>();
  const on = { value: false };
  const time = async (path: string, call: () => Promise<TransportResponse>): Promise<TransportResponse> => {
    const t = performance.now();
    const res = await call();
    if (on.value) byPath.set(path, (byPath.get(path) ?? 0) + performance.now() - t);
    return res;
  };
  return {
    transport: { get: (path) => time(path, () => inner.get(path)), post: (path, body) => time(path, () => inner.post(path, body)) },
    byPath,
    on,
  };
}

/**
 * `quick`: fewer persons and queries (a smoke test). `members` (default 195): a smaller network for
 * profiling iterations (set-up of all 195 nodes takes minutes); figures then are not the issue's.
 */
export async function benchFullNetwork(root: string, opts: { quick: boolean; members?: number }): Promise<FullNetworkRun> {
  const { quick } = opts;
  const members = opts.members ?? FULL_NETWORK_MEMBERS;
  const persons = quick ? 40 : 200;
  const warmup = quick ? 3 : 10;
  const queries = quick ? 20 : 100;
  const codes = memberCodes(members);
  say(`full network: coordinator + ${members} nodes in ${HOSTS} processes, ${persons} persons each; one analyst asks all ${members - 1} others …`);
  const setup0 = performance.now();
  // A prepared network of the same shape is started again as it is (VEIL_BENCH_NET_DIR, see network.ts);
  // one whose set-up was cut short is completed (its last node set up is made again).
  const preparedFile = join(root, 'prepared.json');
  const setupFile = join(root, 'setup.json');
  const shape = { members, persons };
  type Shape = typeof shape & { port: number };
  const readShape = (f: string) => (existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Shape) : undefined);
  const prepared = readShape(preparedFile);
  const started = readShape(setupFile);
  const reuse = prepared?.members === members && prepared.persons === persons;
  const resume = !reuse && started?.members === members && started.persons === persons;
  const coordDir = join(root, 'net-coordinator');
  // Anything else in the directory is a network of another shape: start afresh.
  if (!reuse && !resume) for (const f of readdirSync(root)) rmSync(join(root, f), { recursive: true, force: true });
  const pki = reuse ? undefined : createLocalPki(join(root, 'net-org'), 'veil-dev', { existing: resume });
  if (pki && !resume) {
    initCoordinatorDir(coordDir, { name: 'bench-net', bundle: pki.bundlePath });
    pki.certifyCoordinator(coordDir);
  }
  const port = reuse ? prepared.port : resume ? started.port : undefined;
  const coordinator = host(['coordinator', coordDir, ...(port === undefined ? [] : [String(port)])]);
  const hosts: Hosted[] = [coordinator];
  let client: VeilClient | undefined;
  try {
    const { wsUrl, port: listening } = (await coordinator.ready) as { wsUrl: string; port: number };
    if (!reuse && !resume) writeFileSync(setupFile, JSON.stringify({ ...shape, port: listening }));
    const ndjson = (c: string) => join(root, `net-${c}.ndjson`);
    // Resuming: the nodes before the last one whose records were written are complete.
    const redoFrom = resume ? Math.max(0, codes.findIndex((c) => !existsSync(ndjson(c))) - 1) : 0;
    const byCountry = new Map<string, SyntheticRecord[]>();
    for (const [i, c] of codes.entries()) {
      const recs = syntheticRecords({ seed: 7000 + i, country: c, country3: normalizeCountry(c), persons, vehicles: 0 });
      byCountry.set(c, recs);
      if (!pki || (resume && i < redoFrom)) continue;
      const dir = join(root, `net-${c}`);
      if (resume) for (const f of [dir, ndjson(c)]) rmSync(f, { recursive: true, force: true });
      await initNode(dir, { port: 0, adminPort: 0, country: c, coordinatorUrl: wsUrl, bundle: pki.bundlePath });
      pki.certifyNode(dir);
      if (c === 'FR') writeFileSync(join(dir, 'policy.json'), JSON.stringify(ASKER_POLICY));
      const file = ndjson(c);
      writeFileSync(file, toNdjson(recs));
      const rep = await importFile(dir, file);
      if (!rep.written) throw new Error(`import into ${c} failed: ${JSON.stringify(rep).slice(0, 400)}`);
      if ((i + 1) % 39 === 0) say(`  ${i + 1}/${members} nodes set up (${Math.round((performance.now() - setup0) / 1000)} s)`);
    }
    if (!reuse) writeFileSync(preparedFile, JSON.stringify({ ...shape, port: listening }));
    const per = Math.ceil(members / HOSTS);
    for (let h = 0; h < HOSTS; h++) hosts.push(host(['nodes', ...codes.slice(h * per, (h + 1) * per).map((c) => join(root, `net-${c}`))]));
    const urls = Object.assign({}, ...((await Promise.all(hosts.slice(1).map((h) => h.ready))) as Array<Record<string, string>>)) as Record<string, string>;
    say(`  every node started and published (${Math.round((performance.now() - setup0) / 1000)} s)`);
    const frUrl = urls.FR;
    if (!frUrl) throw new Error('FR did not start');
    const { path } = await addAnalyst(join(root, 'net-FR'), 'Bench Analyst', { nodeUrl: frUrl });
    const cred = loadCredential(path);
    const timing = timedTransport(nodeTransport(frUrl, { caPem: cred.bundle.caPem, nodeCertificate: cred.node.x509 }));
    client = await VeilClient.connect(cred, { nodeUrl: frUrl, transport: timing.transport });
    const deadline = Date.now() + 600_000;
    while ((await client.members(true)).length < members) {
      if (Date.now() > deadline) throw new Error('the member directory did not fill');
      await new Promise((r) => setTimeout(r, 500));
    }
    const setupMs = performance.now() - setup0;
    const subjects = querySubjects(byCountry, 'FR', 1000, 4244);
    for (let i = 0; i < warmup; i++) await client.query(subjects[i]!, CTX);
    await quietMachine(hosts.map((h) => h.proc.pid));
    const cpu = () => hosts.map((h) => procCpuSeconds(h.proc.pid));
    const cpu0 = cpu();
    const self0 = process.cpuUsage();
    const others = contention(() => hosts.map((h) => h.proc.pid));
    const { byPath } = timing;
    const lat: number[] = [];
    const statuses: Record<string, number> = {};
    let hitQueries = 0;
    let keys = 0;
    timing.on.value = true;
    for (let i = 0; i < queries; i++) {
      const s = subjects[warmup + i]!;
      keys += matchKeysForQuery(s).length;
      const t = performance.now();
      const r = await client!.query(s, CTX);
      lat.push(performance.now() - t);
      if (r.results.some((x) => x.status === 'hit')) hitQueries++;
      for (const x of r.results) statuses[x.status] = (statuses[x.status] ?? 0) + 1;
    }
    timing.on.value = false;
    const cpu1 = cpu();
    const self = process.cpuUsage(self0);
    const spent = (i: number) => (cpu0[i] == null || cpu1[i] == null ? null : ((cpu1[i] as number) - (cpu0[i] as number)) * 1000);
    const nodeCpu = hosts.slice(1).map((_, i) => spent(i + 1));
    const r1 = (x: number) => Math.round(x * 10) / 10;
    const latency = stats(lat);
    const mean = latency.meanMs;
    const call = (p: string) => (byPath.get(p) ?? 0) / queries;
    return {
      members,
      hostProcesses: HOSTS,
      recordsPerNode: persons,
      setupMs: Math.round(setupMs),
      meanKeysPerQuery: keys / queries,
      latency,
      fullNetworkP50Ms: latency.p50Ms,
      fullNetworkP99Ms: latency.p99Ms,
      breakdownMs:
        byPath.size === 0
          ? null
          : { queryCall: r1(call('/v1/query')), lookupCall: r1(call('/v1/lookup')), sdkWork: r1(mean - call('/v1/query') - call('/v1/lookup')) },
      cpuMsPerQuery: {
        coordinator: spent(0) === null ? null : r1((spent(0) as number) / queries),
        nodes: nodeCpu.some((x) => x === null) ? null : r1(nodeCpu.reduce<number>((a, b) => a + (b as number), 0) / queries),
        analyst: r1((self.user + self.system) / 1000 / queries),
      },
      statuses,
      hitQueries,
      otherCpuPct: others(),
    };
  } finally {
    await client?.close();
    for (const h of hosts.slice(1)) await stopHost(h);
    await stopHost(coordinator);
  }
}
