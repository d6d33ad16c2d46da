/**
 * The fuzzer: a real network in this process (coordinator, nodes FR and DE, a third node directory for
 * imports), then `frames` seeded inputs spread over every entry — post- and pre-authentication
 * websocket, gateway HTTP, console HTTP, import files — each checked for an answer within a second.
 * Crashes are exceptions or rejections nothing handled, or a network that no longer answers an honest
 * query at the end; resident memory is sampled throughout.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { initCrypto } from '#crypto';
import { addAnalyst, initNode } from '#node';
import { VeilClient } from '#sdk';
import { CTX, startInproc } from '../../test/helpers/inproc.ts';
import { consoleInput, gatewayInput, keepAliveAgent, recordingTransport } from './http.ts';
import { importInput } from './import-input.ts';
import { Rng } from './mutate.ts';
import { MemberFuzzer, mutatedFrame, type Outcome, preAuth } from './ws.ts';

export interface FuzzReport {
  frames: number;
  seed: number;
  crashes: number;
  hangs: number;
  /** Errors answered with code `internal`, thrown without a typed code (import), or the fuzzer's own (`fuzzer_error`). */
  untyped: number;
  maxRssMiB: number;
  startRssMiB: number;
  /** The honest query at the end still found its hit. */
  aliveAfter: boolean;
  byEntry: Record<string, number>;
  byCode: Record<string, number>;
  /** Wall time spent per entry, in milliseconds (where the run's time goes). */
  msByEntry: Record<string, number>;
  /** CPU time of this process per entry, in milliseconds. */
  cpuMsByEntry: Record<string, number>;
  /** Hangs answered after all (later than 1 s, within `LATE_MS`): slowness rather than a lost input. */
  lateAnswers: number;
  /** Hangs never answered (not within `LATE_MS` either): inputs a party lost. */
  unanswered: number;
  /** The first hangs and untyped errors: input number, entry and outcome (replay with the same seed). */
  failures: Array<{ n: number; entry: string; code: string; input?: string; lateMs?: number }>;
  ms: number;
  /** Wall time of the input loop alone (the network's start and the final check excluded). */
  loopMs: number;
  /** CPU time of this process (all threads) during the input loop: load on a shared machine does not inflate it. */
  loopCpuMs: number;
  /** Inputs per second of loop wall time. */
  framesPerSecond: number;
}

const ENTRIES = [
  ['ws-post-auth', 45],
  ['ws-pre-auth', 10],
  ['gateway-http', 28],
  ['console-http', 15],
  ['import-file', 2],
] as const;
type Entry = (typeof ENTRIES)[number][0];

function pickEntry(rng: Rng): Entry {
  let r = rng.int(100);
  for (const [e, w] of ENTRIES) {
    if (r < w) return e;
    r -= w;
  }
  return 'ws-post-auth';
}

const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

export interface FuzzOptions {
  frames: number;
  seed: number;
  /** Run only these input numbers (a replay of failures; each input draws from its own seeded stream). */
  only?: readonly number[];
  /** Where the network's files go (default `/dev/shm` where it exists: fsync costs nothing there, and this checks inputs, not durability). */
  tmpRoot?: string;
  onProgress?: (done: number, r: FuzzReport) => void;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  await initCrypto();
  const karl = {
    id: 'de-karl',
    kind: 'person',
    dataset: 'wanted-persons',
    handling: 'confidential',
    person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
  };
  const policy = { v: 1, answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }], budgets: { dailyEvaluations: 100_000_000, perRequester: {} } };
  const tmpRoot = opts.tmpRoot ?? (existsSync('/dev/shm') ? '/dev/shm' : undefined);
  const net = await startInproc([{ country: 'FR' }, { country: 'DE', records: [karl], policy }], {}, tmpRoot ? { tmpRoot } : {});
  const caPem = net.pki.bundle().caPem;
  const fr = net.nodes.get('FR');
  const de = net.nodes.get('DE');
  if (!fr || !de) throw new Error('network');
  let uncaught = 0;
  const onUncaught = (): void => void uncaught++;
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);

  const report: FuzzReport = {
    frames: 0,
    seed: opts.seed,
    crashes: 0,
    hangs: 0,
    untyped: 0,
    maxRssMiB: 0,
    startRssMiB: mib(process.memoryUsage().rss),
    aliveAfter: false,
    byEntry: {},
    byCode: {},
    msByEntry: {},
    cpuMsByEntry: {},
    lateAnswers: 0,
    unanswered: 0,
    failures: [],
    ms: 0,
    loopMs: 0,
    loopCpuMs: 0,
    framesPerSecond: 0,
  };
  const started = performance.now();
  const fz = net.pki.member('FZ');
  const member = new MemberFuzzer(net.coordinator.wsUrl, caPem, fz, 'FZ');
  const gatewayAgent = keepAliveAgent();
  const consoleAgent = keepAliveAgent();
  const stranger = net.pki.member('FY');
  const importDir = join(net.root, 'IM');
  const scratch = join(net.root, 'fuzz-files');
  mkdirSync(scratch, { recursive: true });
  await initNode(importDir, { port: 0, adminPort: 0, country: 'IM', coordinatorUrl: net.coordinator.wsUrl, bundle: net.pki.bundlePath });
  try {
    // The SDK's own requests, recorded as the gateway's seeds.
    const recorded = new Map<string, Uint8Array[]>();
    const { path: cred } = await addAnalyst(net.dir('FR'), 'Fuzz Analyst', { nodeUrl: fr.url });
    const analyst = await VeilClient.connect(cred, { transport: recordingTransport(fr.url, caPem, recorded) });
    await analyst.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['DE'] });
    await analyst.disclosures();
    const loopStart = performance.now();
    const cpuStart = process.cpuUsage();
    const inputs = opts.only ?? Array.from({ length: opts.frames }, (_, i) => i);
    for (const n of inputs) {
      const rng = Rng.forInput(opts.seed, n);
      const entry = pickEntry(rng);
      let o: Outcome;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      if (entry === 'ws-post-auth') o = await member.send(mutatedFrame(rng, fz, 'FZ'));
      else if (entry === 'ws-pre-auth') o = await preAuth(rng, net.coordinator.wsUrl, caPem, stranger, 'FY');
      else if (entry === 'gateway-http') o = await gatewayInput(rng, fr.url, caPem, recorded, analyst.credential, gatewayAgent);
      else if (entry === 'console-http') o = await consoleInput(rng, de.consoleUrl, caPem, consoleAgent);
      else o = await importInput(rng, importDir, scratch, n);
      report.frames++;
      const c = process.cpuUsage(c0);
      report.cpuMsByEntry[entry] = Math.round((report.cpuMsByEntry[entry] ?? 0) + (c.user + c.system) / 1000);
      report.msByEntry[entry] = Math.round(((report.msByEntry[entry] ?? 0) + performance.now() - t0) * 10) / 10;
      report.byEntry[entry] = (report.byEntry[entry] ?? 0) + 1;
      report.byCode[o.code] = (report.byCode[o.code] ?? 0) + 1;
      if (o.hang) report.hangs++;
      if (o.hang && o.lateMs !== undefined) report.lateAnswers++;
      if (o.hang && o.lateMs === undefined) report.unanswered++;
      const untyped = o.code === 'internal' || o.code === 'untyped' || o.code === 'fuzzer_error';
      if (untyped) report.untyped++;
      if ((o.hang || untyped) && report.failures.length < 50)
        report.failures.push({ n, entry, code: o.code, ...(o.input ? { input: o.input } : {}), ...(o.lateMs !== undefined ? { lateMs: o.lateMs } : {}) });
      if (n % 50 === 0) {
        report.maxRssMiB = Math.max(report.maxRssMiB, mib(process.memoryUsage().rss));
        opts.onProgress?.(n, report);
      }
    }
    report.loopMs = Math.round(performance.now() - loopStart);
    const cpu = process.cpuUsage(cpuStart);
    report.loopCpuMs = Math.round((cpu.user + cpu.system) / 1000);
    report.framesPerSecond = Math.round((report.frames / Math.max(1, report.loopMs)) * 1000 * 10) / 10;
    // Still serving honest work after all that.
    const r = await analyst.query({ name: 'Karl Weber', dob: '1966-06-06' }, CTX, { targets: ['DE'] });
    report.aliveAfter = r.results[0]?.status === 'hit';
    await analyst.close();
  } finally {
    member.close();
    gatewayAgent.destroy();
    consoleAgent.destroy();
    report.maxRssMiB = Math.max(report.maxRssMiB, mib(process.memoryUsage().rss));
    report.crashes = uncaught + (report.aliveAfter ? 0 : 1);
    report.ms = Math.round(performance.now() - started);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    await net.stop();
  }
  return report;
}
