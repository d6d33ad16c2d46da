/**
 * `npm run bench -- network [--quick] [--targets=N]`: the full-network query (bench/psi/full-network.ts),
 * printed beside its targets and written to `bench/results/network.json`. `--targets=N` asks N targets
 * instead of 194 (a network of N + 1 members, for profiling iterations; the figures are then not the
 * issue's, and are written to `network-N.json` instead). The baseline in the same run is the
 * cryptographic floor of one such query on this machine: the OPRF work alone (psi/oprf.ts rates), with
 * every target's evaluation on the same two cores.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCrypto } from '#crypto';
import { describeMachine, loadAverage } from './harness/machine.ts';
import { fmt, say, table } from './harness/report.ts';
import { headCommit, writeResultFile } from './harness/results.ts';
import { cryptoFloorMs } from './psi/end-to-end.ts';
import { benchFullNetwork, FULL_NETWORK_TARGETS } from './psi/full-network.ts';
import { benchOprf } from './psi/oprf.ts';

export async function runNetworkBench(opts: { quick: boolean; targets?: number }): Promise<void> {
  await initCrypto();
  const machine = describeMachine();
  // VEIL_BENCH_NET_DIR keeps the prepared network there and starts it again on the next run of the same
  // shape (profiling iterations skip minutes of set-up), or completes a set-up that was cut short; by
  // default a temporary directory, deleted.
  const keep = process.env.VEIL_BENCH_NET_DIR;
  if (keep) mkdirSync(keep, { recursive: true });
  const root = keep ?? mkdtempSync(join(tmpdir(), 'veil-bench-net-'));
  say(
    `Veil full-network benchmark${opts.quick ? ' (quick)' : ''}${opts.targets ? ` (${opts.targets} targets only: not the issue's figure)` : ''}: ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAvgStart}`,
  );
  try {
    const oprf = await benchOprf(opts.quick);
    const run = await benchFullNetwork(root, { quick: opts.quick, ...(opts.targets ? { members: opts.targets + 1 } : {}) });
    const floor = cryptoFloorMs(oprf.rates, run.meanKeysPerQuery, run.members - 1);
    machine.loadAvgEnd = loadAverage();
    const vs = (m: number, t: number) => `${fmt(m / t, 2)}×`;
    say(
      table([
        {
          figure: `full network p50 (${run.members - 1} targets)`,
          measured: `${fmt(run.fullNetworkP50Ms)} ms`,
          baseline: `${fmt(floor.all)} ms OPRF floor`,
          vsBaseline: vs(run.fullNetworkP50Ms, floor.all),
          target: `≤ ${FULL_NETWORK_TARGETS.fullNetworkP50Ms} ms`,
          vsTarget: FULL_NETWORK_TARGETS.fullNetworkP50Ms / run.fullNetworkP50Ms,
        },
        {
          figure: 'full network p99',
          measured: `${fmt(run.fullNetworkP99Ms)} ms`,
          baseline: '',
          vsBaseline: '',
          target: `≤ ${FULL_NETWORK_TARGETS.fullNetworkP99Ms} ms`,
          vsTarget: FULL_NETWORK_TARGETS.fullNetworkP99Ms / run.fullNetworkP99Ms,
        },
      ]),
    );
    if (run.breakdownMs)
      say(`breakdown per query (ms): query call ${run.breakdownMs.queryCall}, lookup call ${run.breakdownMs.lookupCall}, SDK work ${run.breakdownMs.sdkWork}`);
    else say('breakdown by call: not available (the SDK transport does not go through the global fetch); CPU per party below');
    say(
      `CPU per query (ms): coordinator ${run.cpuMsPerQuery.coordinator}, all nodes ${run.cpuMsPerQuery.nodes}, analyst ${run.cpuMsPerQuery.analyst}; statuses ${JSON.stringify(run.statuses)}; other processes ${run.otherCpuPct}% of a core`,
    );
    // The issue's OPRF figure, measured in this run (best of three rounds; one with --quick).
    const headline = oprf.batches.find((b) => b.batchSize === oprf.representativeBatch);
    const oprfFigures = {
      oprfEvalsPerSecPerCore: headline?.elementsPerSec ?? null,
      libsodiumScalarMultsPerSec: Math.round(oprf.rates.scalarMultPerSec),
      oprfRatioToScalarMult: headline ? Math.round(headline.ratioToScalarMult * 1000) / 1000 : null,
    };
    say(
      `OPRF (node evaluation, ${oprf.representativeBatch} elements per proof): ${oprfFigures.oprfEvalsPerSecPerCore}/s per core = ${oprfFigures.oprfRatioToScalarMult} × libsodium's ${oprfFigures.libsodiumScalarMultsPerSec} scalar multiplications/s (target ≥ 0.45)`,
    );
    const file = writeResultFile(opts.targets ? `network-${opts.targets}.json` : 'network.json', {
      commit: headCommit(),
      machine,
      quick: opts.quick,
      targets: FULL_NETWORK_TARGETS,
      cryptoFloorMs: floor.all,
      ...oprfFigures,
      oprf,
      ...run,
    });
    say(`written to ${file.pathname}`);
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}
