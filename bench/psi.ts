/**
 * The PSI benchmark (`npm run bench -- psi`): four figures, each printed beside its baseline and target,
 * and written to `bench/results/psi.json`. What each figure means and the figures measured on the
 * reference machine are in docs/benchmarks.md. Nothing here asserts a timing.
 *
 * 1. OPRF (psi/oprf.ts): VOPRF `blindEvaluateBatch` (evaluation plus one batched DLEQ proof) per core,
 *    at the batch sizes a query has, against raw libsodium ristretto255 scalar multiplication.
 * 2. Index build (psi/index-build.ts): match keys → tags per second through the node's import path
 *    (TagBuilder, one worker thread per core), against single-thread `evaluate` in the same run.
 * 3. End to end (psi/end-to-end.ts): a coordinator and 10 nodes in this process (real websockets, real
 *    SQLite files, real crypto), one analyst running blind name+dob queries through the SDK; latency and
 *    throughput. With `full`, again with every party as its own process (the `veil` CLI).
 * 4. Fan-out (psi/fanout.ts): the real coordinator as a child process, 195 admitted members on 195
 *    authenticated websockets from this process; one member sends signed queries to the 194 others at a
 *    fixed rate.
 *
 * This module runs the four sections in order and writes and prints the result (psi/report.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCrypto } from '#crypto';
import { describeMachine, loadAverage } from './harness/machine.ts';
import { say, table } from './harness/report.ts';
import { headCommit, writeResultFile } from './harness/results.ts';
import { E2E_COUNTRIES, PSI_TARGETS, REPRESENTATIVE_BATCH } from './psi/config.ts';
import { benchE2eInProcess, benchE2eProcesses, cryptoFloorMs } from './psi/end-to-end.ts';
import { benchFanout } from './psi/fanout.ts';
import { benchIndex } from './psi/index-build.ts';
import { benchOprf } from './psi/oprf.ts';
import { details, rows } from './psi/report.ts';
import type { PsiBenchResult } from './psi/result.ts';

export type { LatencyStats } from './harness/stats.ts';
export { PSI_TARGETS } from './psi/config.ts';
export { benchE2eInProcess, benchE2eProcesses } from './psi/end-to-end.ts';
export { benchFanout } from './psi/fanout.ts';
export type { E2eRun, FanoutPhase, PsiBenchResult } from './psi/result.ts';

export async function runPsiBench(opts: { quick?: boolean; full?: boolean } = {}): Promise<PsiBenchResult> {
  const quick = opts.quick ?? false;
  await initCrypto();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const root = mkdtempSync(join(tmpdir(), 'veil-bench-psi-'));
  const machine = describeMachine();
  say(`Veil PSI benchmark${quick ? ' (quick)' : ''}: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAvgStart}`);
  if (machine.loadAvgStart > machine.cores / 2)
    say(`WARNING: the machine is busy (load average ${machine.loadAvgStart} on ${machine.cores} cores): figures will be low.`);
  try {
    const oprf = await benchOprf(quick);
    const index = await benchIndex(root, quick);
    const e2eRun = await benchE2eInProcess(root, quick);
    const floor = cryptoFloorMs(oprf.rates, e2eRun.meanKeysPerQuery, E2E_COUNTRIES.length - 1);
    const e2e = { ...e2eRun, cryptoFloorMs: floor.all, distributedCryptoFloorMs: floor.critical };
    const e2eProcesses = opts.full ? await benchE2eProcesses(root, quick) : undefined;
    const fanout = await benchFanout(root, quick);
    machine.loadAvgEnd = loadAverage();
    const rep = oprf.batches.find((b) => b.batchSize === REPRESENTATIVE_BATCH)!;
    const sustained = fanout.phases.sustained!;
    const result: PsiBenchResult = {
      machine,
      commit: headCommit(),
      startedAt,
      quick,
      oprfEvalsPerSecPerCore: rep.elementsPerSec,
      libsodiumScalarMultsPerSec: Math.round(oprf.rates.scalarMultPerSec),
      oprfRatioToScalarMult: Math.round(rep.ratioToScalarMult * 1000) / 1000,
      indexKeysPerSec: index.keysPerSecSteady,
      e2eP50Ms: e2e.sequential.p50Ms,
      e2eP99Ms: e2e.sequential.p99Ms,
      e2eQueriesPerSec: e2e.concurrent.queriesPerSec,
      lookupProofBytes: e2e.lookupProof?.proofBytesPerLookup ?? null,
      lookupVerifyMs: e2e.lookupProof?.verify.p50Ms ?? null,
      fanoutQueriesPerSec: sustained.completedPerSec,
      fanoutP99Ms: sustained.latency.p99Ms,
      targets: PSI_TARGETS,
      oprf,
      index,
      e2e,
      ...(e2eProcesses ? { e2eProcesses } : {}),
      fanout,
    };
    const outFile = writeResultFile('psi.json', result);
    say('');
    say(table(rows(result)));
    say('');
    say(details(result));
    say('');
    if (machine.loadAvgEnd > machine.cores / 2) say(`WARNING: load average ${machine.loadAvgEnd} at the end: other processes shared the cores.`);
    say(`wrote ${outFile.pathname} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return result;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
