/**
 * Section 4 of the PSI benchmark: the real coordinator as a child process, 195 admitted members on 195
 * authenticated websockets from this process; one member sends signed queries to the 194 others at
 * fixed rates (a sweep, the target rate, capacity and overload).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coordinatorPaths, initCoordinatorDir, loadCoordinatorConfig } from '#coordinator';
import { BoxKeyPair, blind, blindEvaluateBatch, OprfKey, randomBytes } from '#crypto';
import { writeJsonFile } from '#platform';
import { type EvalResult, encode, type ForwardedQuery, keyId, type MatchClass, type NodeDescriptor, signEnvelope } from '#protocol';
import { createLocalPki, getJson, REPO_ROOT, startDaemon, VEIL_BIN, waitFor } from '#simulations';
import { settle } from '../harness/quiet.ts';
import { say } from '../harness/report.ts';
import { PSI_TARGETS } from './config.ts';
import { type FakeMember, FanoutLoad } from './fanout-load.ts';
import { runPhase } from './fanout-phase.ts';
import type { FanoutPhase, PsiBenchResult } from './result.ts';

/** 2-letter codes AA, AB, …: the wire accepts any /^[A-Z]{2}$/ as a member name. */
function memberCodes(n: number): string[] {
  const out: string[] = [];
  for (let a = 0; a < 26 && out.length < n; a++) for (let b = 0; b < 26 && out.length < n; b++) out.push(String.fromCharCode(65 + a, 65 + b));
  return out;
}

/**
 * The coordinator as its own process (`veil coordinator start`), so the load generator does not share its
 * core. With VEIL_BENCH_CPU_PROF=<dir> it runs under `node --cpu-prof` and writes its profile there on exit.
 */
async function startCoordinatorProcess(dir: string): Promise<{ info: { url: string; wsUrl: string }; pid: number | undefined; stop(): Promise<unknown> }> {
  const runFile = coordinatorPaths(dir).run;
  const profDir = process.env.VEIL_BENCH_CPU_PROF;
  if (!profDir) {
    const d = await startDaemon(['coordinator', 'start', '--dir', dir], runFile);
    return { info: { url: d.info.url, wsUrl: d.info.wsUrl! }, pid: d.proc.pid, stop: () => d.stop() };
  }
  const proc = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, VEIL_BIN, 'coordinator', 'start', '--dir', dir], {
    cwd: REPO_ROOT,
    env: { ...process.env, VEIL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  await waitFor('coordinator run file', () => existsSync(runFile), 60_000);
  const info = JSON.parse(readFileSync(runFile, 'utf8')) as { url: string; wsUrl: string };
  return {
    info,
    pid: proc.pid,
    stop: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

export async function benchFanout(root: string, quick: boolean): Promise<PsiBenchResult['fanout']> {
  const MEMBERS = 195;
  say(`4/4 fan-out: coordinator as a child process, ${MEMBERS} authenticated websocket members from this process …`);
  const setup0 = performance.now();
  const dir = join(root, 'fanout-coordinator');
  const pki = createLocalPki(join(root, 'fanout-org'));
  initCoordinatorDir(dir, { name: 'bench-fanout', bundle: pki.bundlePath });
  pki.certifyCoordinator(dir);
  const caPem = pki.bundle().caPem;
  const paths = coordinatorPaths(dir);
  // A high per-country rate: the gateway member sends far above the production default on purpose.
  writeJsonFile(paths.config, { ...loadCoordinatorConfig(dir), ratePerCountry: 100_000 });

  // Items of a typical name query: three blinded elements.
  const items: ForwardedQuery['items'] = (['name_dob', 'phonetic_yob', 'doc'] as MatchClass[]).map((cls) => ({
    cls,
    blinded: blind('voprf', randomBytes(24)).blindedElement,
  }));
  const codes = memberCodes(MEMBERS);
  const gatewayCode = codes[0]!;
  const members: FakeMember[] = codes.map((country) => {
    const { signing: key, certificate } = pki.member(country);
    const boxPub = BoxKeyPair.generate().publicKey();
    const oprf = OprfKey.generate('voprf');
    const descriptor: NodeDescriptor = {
      t: 'descriptor',
      country,
      ts: Date.now(),
      signPub: key.publicKey(),
      boxPub,
      oprf: { epoch: 1, pub: oprf.publicKey() },
    };
    // A real evaluation with a real proof over the query's elements, signed by the member. The coordinator
    // routes an answer by the frame's `to`/`id` and checks only its key id (it never opens answers), so
    // one signed answer per member stands in for one per (member, query): signing 194 answers per query
    // would measure the load generator's Ed25519 (≈ 18k signatures/s) rather than the coordinator.
    const ev = blindEvaluateBatch(
      oprf,
      items.map((i) => i.blinded),
    );
    const answer: EvalResult = {
      t: 'eval-result',
      id: '0'.repeat(32),
      ts: Date.now(),
      from: country,
      to: gatewayCode,
      status: 'ok',
      epoch: 1,
      items: items.map((_, i) => i),
      evaluated: ev.evaluatedElements,
      proof: ev.proof,
      indexSeq: 0,
    };
    return {
      country,
      key,
      certificate,
      boxPub,
      descriptor: signEnvelope(key, keyId.node(country), descriptor),
      answer: encode(signEnvelope(key, keyId.node(country), answer)),
    };
  });

  const daemon = await startCoordinatorProcess(dir);
  const load = new FanoutLoad(members, items, { caPem, coordinator: 'bench-fanout' });
  try {
    const login0 = performance.now();
    await load.connectAll(daemon.info.wsUrl, 16);
    // The coordinator broadcasts the directory after every descriptor; wait until it has them all.
    await waitFor(
      'all members connected',
      async () => ((await getJson(`${daemon.info.url}/v1/health`, caPem)) as { connected: number }).connected === MEMBERS,
      60_000,
    );
    const pid = daemon.pid;
    // The directory broadcasts of the login phase keep the coordinator busy for a while: let it settle.
    await settle(pid, 30_000);
    const loginAndDescriptorMs = performance.now() - login0;
    const setupMs = performance.now() - setup0;

    const phases: Record<string, FanoutPhase> = {};
    const step = quick ? 1500 : 2500;
    phases.warmup = await runPhase(load, pid, { kind: 'open-loop', rate: 50, ms: quick ? 1000 : 2000 });
    // A rate sweep below the target shows where latency leaves the target.
    for (const rate of [50, 100, 150, 200]) phases[`rate${rate}`] = await runPhase(load, pid, { kind: 'open-loop', rate, ms: step });
    phases.sustained = await runPhase(load, pid, { kind: 'open-loop', rate: PSI_TARGETS.fanoutQueriesPerSec, ms: quick ? 4000 : 10_000 });
    phases.capacity = await runPhase(load, pid, { kind: 'closed-loop', concurrency: 32, ms: quick ? 2000 : 5000 });
    phases.overload = await runPhase(load, pid, { kind: 'open-loop', rate: 2 * PSI_TARGETS.fanoutQueriesPerSec, ms: quick ? 1500 : 3000 });
    return {
      members: MEMBERS,
      targetsPerQuery: MEMBERS - 1,
      itemsPerQuery: items.length,
      setupMs: Math.round(setupMs),
      loginAndDescriptorMs: Math.round(loginAndDescriptorMs),
      phases,
    };
  } finally {
    load.close();
    await daemon.stop();
  }
}
