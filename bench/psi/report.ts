/**
 * What the PSI benchmark prints: the figure table (each headline figure beside its baseline from the
 * same run and its target) and the detail lines of every section.
 */
import { fmt, type Row } from '../harness/report.ts';
import { PSI_TARGETS, REPRESENTATIVE_BATCH } from './config.ts';
import type { PsiBenchResult } from './result.ts';

export function rows(r: PsiBenchResult): Row[] {
  const f = r.fanout.phases.sustained!;
  return [
    {
      figure: `OPRF evals/s/core (VOPRF, ${REPRESENTATIVE_BATCH}/proof)`,
      measured: fmt(r.oprfEvalsPerSecPerCore),
      baseline: `${fmt(r.libsodiumScalarMultsPerSec)} mult/s`,
      vsBaseline: `${r.oprfRatioToScalarMult.toFixed(2)}×`,
      target: `≥ ${fmt(PSI_TARGETS.oprfEvalsPerSecPerCore)}`,
      vsTarget: r.oprfEvalsPerSecPerCore / PSI_TARGETS.oprfEvalsPerSecPerCore,
    },
    {
      figure: 'OPRF evals per scalar mult',
      measured: r.oprfRatioToScalarMult.toFixed(2),
      baseline: '1 mult = 1.00',
      vsBaseline: '',
      target: `≥ ${PSI_TARGETS.oprfRatioToScalarMult}`,
      vsTarget: r.oprfRatioToScalarMult / PSI_TARGETS.oprfRatioToScalarMult,
    },
    ...r.oprf.batches
      .filter((b) => b.batchSize !== REPRESENTATIVE_BATCH)
      .map((b) => ({
        figure: `  … at ${b.batchSize}/proof`,
        measured: fmt(b.elementsPerSec),
        baseline: `${fmt(r.libsodiumScalarMultsPerSec)} mult/s`,
        vsBaseline: `${b.ratioToScalarMult.toFixed(2)}×`,
        target: `≥ ${fmt(PSI_TARGETS.oprfEvalsPerSecPerCore)}`,
        vsTarget: b.elementsPerSec / PSI_TARGETS.oprfEvalsPerSecPerCore,
      })),
    {
      figure: `index build keys/s (${r.index.workers} workers)`,
      measured: fmt(r.indexKeysPerSec),
      baseline: `${fmt(r.index.singleThreadEvaluatePerSec)} /s 1 thread`,
      vsBaseline: `${r.index.speedupOverSingleThread.toFixed(2)}×`,
      target: `≥ ${fmt(PSI_TARGETS.indexKeysPerSec)}`,
      vsTarget: r.indexKeysPerSec / PSI_TARGETS.indexKeysPerSec,
    },
    {
      figure: 'e2e p50 ms (10 nodes, in-process)',
      measured: fmt(r.e2eP50Ms, 1),
      baseline: `${fmt(r.e2e.cryptoFloorMs, 1)} ms crypto floor`,
      vsBaseline: `${(r.e2eP50Ms / r.e2e.cryptoFloorMs).toFixed(2)}×`,
      target: `≤ ${PSI_TARGETS.e2eP50Ms}`,
      vsTarget: PSI_TARGETS.e2eP50Ms / r.e2eP50Ms,
    },
    {
      figure: 'e2e p99 ms (sequential)',
      measured: fmt(r.e2eP99Ms, 1),
      baseline: `${fmt(r.e2eP50Ms, 1)} ms p50`,
      vsBaseline: `${(r.e2eP99Ms / r.e2eP50Ms).toFixed(2)}×`,
      target: '—',
      vsTarget: NaN,
    },
    {
      figure: `e2e queries/s (${r.e2e.concurrent.concurrency} in flight)`,
      measured: fmt(r.e2eQueriesPerSec, 1),
      baseline: `${fmt(1000 / r.e2e.cryptoFloorMs, 1)} /s crypto floor`,
      vsBaseline: `${((r.e2eQueriesPerSec * r.e2e.cryptoFloorMs) / 1000).toFixed(2)}×`,
      target: `≥ ${PSI_TARGETS.e2eQueriesPerSec}`,
      vsTarget: r.e2eQueriesPerSec / PSI_TARGETS.e2eQueriesPerSec,
    },
    ...(r.e2eProcesses
      ? [
          {
            figure: 'e2e p50 ms (separate processes)',
            measured: fmt(r.e2eProcesses.sequential.p50Ms, 1),
            baseline: `${fmt(r.e2eP50Ms, 1)} ms in-process`,
            vsBaseline: `${(r.e2eProcesses.sequential.p50Ms / r.e2eP50Ms).toFixed(2)}×`,
            target: `≤ ${PSI_TARGETS.e2eP50Ms}`,
            vsTarget: PSI_TARGETS.e2eP50Ms / r.e2eProcesses.sequential.p50Ms,
          },
          {
            figure: 'e2e queries/s (separate processes)',
            measured: fmt(r.e2eProcesses.concurrent.queriesPerSec, 1),
            baseline: `${fmt(r.e2eQueriesPerSec, 1)} /s in-process`,
            vsBaseline: `${(r.e2eProcesses.concurrent.queriesPerSec / r.e2eQueriesPerSec).toFixed(2)}×`,
            target: `≥ ${PSI_TARGETS.e2eQueriesPerSec}`,
            vsTarget: r.e2eProcesses.concurrent.queriesPerSec / PSI_TARGETS.e2eQueriesPerSec,
          },
        ]
      : []),
    {
      figure: `fan-out q/s to ${r.fanout.targetsPerQuery} members`,
      measured: fmt(r.fanoutQueriesPerSec, 1),
      baseline: `${fmt(f.offeredPerSec ?? NaN)} /s offered`,
      vsBaseline: `${(r.fanoutQueriesPerSec / (f.offeredPerSec ?? NaN)).toFixed(2)}×`,
      target: `≥ ${PSI_TARGETS.fanoutQueriesPerSec}`,
      vsTarget: r.fanoutQueriesPerSec / PSI_TARGETS.fanoutQueriesPerSec,
    },
    {
      figure: 'fan-out p99 ms (added latency)',
      measured: fmt(r.fanoutP99Ms, 1),
      baseline: `${fmt(f.latency.p50Ms, 1)} ms p50`,
      vsBaseline: `${(r.fanoutP99Ms / f.latency.p50Ms).toFixed(2)}×`,
      target: `≤ ${PSI_TARGETS.fanoutP99Ms}`,
      vsTarget: PSI_TARGETS.fanoutP99Ms / r.fanoutP99Ms,
    },
  ];
}

export function details(r: PsiBenchResult): string {
  const out: string[] = [];
  const o = r.oprf.rates;
  out.push(
    `OPRF (one core): scalar mult ${fmt(o.scalarMultPerSec)}/s; OPRF-mode blindEvaluate (no proof) ${fmt(o.blindEvaluatePerSec)}/s ` +
      `(${(o.blindEvaluatePerSec / o.scalarMultPerSec).toFixed(2)} per mult); hash to group ${fmt(o.hashToGroupPerSec)}/s; evaluate ${fmt(o.evaluatePerSec)}/s; other processes ${r.oprf.otherCpuPct ?? 'n/a'}% CPU.`,
  );
  out.push(
    '  VOPRF cost in scalar-mult equivalents per element: ' +
      r.oprf.batches.map((b) => `${b.batchSize}/proof ${b.scalarMultsPerElement.toFixed(2)}`).join(', ') +
      ' (the batched DLEQ proof adds n + 2 variable-base and 1 fixed-base multiplications to the n evaluations).',
  );
  out.push(
    `Index: ${fmt(r.index.keys)} keys from ${fmt(r.index.records)} records; steady (10 %→end) ${fmt(r.index.keysPerSecSteady)}/s, second half ${fmt(r.index.keysPerSecSecondHalf)}/s, whole index phase incl. key ` +
      `derivation and worker start ${fmt(r.index.keysPerSecWholePhase)}/s; whole import ${fmt(r.index.importMs)} ms (${fmt(r.index.importRecordsPerSec)} records/s); other processes ${r.index.otherCpuPct ?? 'n/a'}% CPU.`,
  );
  const e = r.e2e;
  out.push(
    `E2E in-process: ${e.nodes} nodes × ${fmt(e.recordsPerNode)} records, ${e.sequential.count} sequential queries ` +
      `(${e.hitQueries} with a hit, ${e.meanKeysPerQuery.toFixed(2)} keys each), statuses ${JSON.stringify(e.statuses)}.`,
  );
  out.push(
    `  sequential p50/p90/p99 ${e.sequential.p50Ms}/${e.sequential.p90Ms}/${e.sequential.p99Ms} ms; ${e.concurrent.concurrency} in flight: ` +
      `${e.concurrent.queriesPerSec} q/s, p50/p99 ${e.concurrent.p50Ms}/${e.concurrent.p99Ms} ms.`,
  );
  if (e.breakdownMs) {
    out.push(
      `  per query: /v1/query round trip ${e.breakdownMs.queryCall} ms (gateway + coordinator + 9 targets), /v1/lookup ${e.breakdownMs.lookupCall} ms, ` +
        `client side (blind, 9 proof verifications, finalize, lookup proof checks) ${e.breakdownMs.clientSide} ms.`,
    );
  }
  if (e.inlineVerify) {
    const i = e.inlineVerify;
    out.push(
      `  same network, SDK without worker pool (verifyThreads 0): p50/p99 ${i.p50Ms}/${i.p99Ms} ms, ${i.queriesPerSec} q/s; ` +
        `pool vs inline: p50 ${(e.sequential.p50Ms / i.p50Ms).toFixed(2)}×, q/s ${(e.concurrent.queriesPerSec / i.queriesPerSec).toFixed(2)}×.`,
    );
  }
  if (e.lookupProof) {
    const l = e.lookupProof;
    out.push(
      `  lookup proofs: ${l.lookups} lookups, ${fmt(l.wireBytesPerLookup)} bytes each on the wire of which ${fmt(l.proofBytesPerLookup)} proof ` +
        `(commitments and bucket paths); SDK from answer to result p50/p99 ${l.verify.p50Ms}/${l.verify.p99Ms} ms.`,
    );
  }
  out.push(
    `  OPRF work per query: ${e.cryptoFloorMs} ms on one core (all parties), ${e.distributedCryptoFloorMs} ms on the critical path if every ` +
      `target had its own core (client blind + verify 9 proofs + finalize, one target's evaluation). Other processes used ${e.otherCpuPct ?? 'n/a'}% CPU meanwhile.`,
  );
  out.push('  NOTE: in-process, the SDK, the gateway, the coordinator and all 10 nodes share ONE event loop (one core): pessimistic.');
  if (r.e2eProcesses) {
    const p = r.e2eProcesses;
    out.push(
      `E2E separate processes: sequential p50/p99 ${p.sequential.p50Ms}/${p.sequential.p99Ms} ms; ${p.concurrent.concurrency} in flight ${p.concurrent.queriesPerSec} q/s ` +
        `(11 processes on ${r.machine.cores} cores); other processes ${p.otherCpuPct ?? 'n/a'}% CPU.`,
    );
  }
  const fo = r.fanout;
  out.push(
    `Fan-out: ${fo.members} members (1 gateway + ${fo.targetsPerQuery} targets), ${fo.itemsPerQuery} items per query; logins + descriptors ${fmt(fo.loginAndDescriptorMs)} ms.`,
  );
  for (const [name, p] of Object.entries(fo.phases)) {
    const offered = p.kind === 'open-loop' ? `${p.offeredPerSec} q/s offered` : `${p.concurrency} in flight`;
    out.push(
      `  ${name.padEnd(9)} ${offered.padEnd(17)} ${p.durationMs} ms: completed ${p.completed}/${p.sent}, ${p.completedPerSec} q/s in window, ` +
        `p50/p99/max ${p.latency.p50Ms}/${p.latency.p99Ms}/${p.latency.maxMs} ms, CPU coordinator ${p.coordinatorCpuPct ?? 'n/a'}% (${p.coordinatorCpuMsPerQuery ?? 'n/a'} ms/query) load ${p.loadCpuPct}% others ${p.otherCpuPct ?? 'n/a'}%` +
        (p.lost > 0 ? `, ${p.lost} lost` : '') +
        (p.incompleteAnswers > 0 ? `, ${p.incompleteAnswers} answers missing` : '') +
        (Object.keys(p.errors).length > 0 ? `, errors ${JSON.stringify(p.errors)}` : ''),
    );
  }
  return out.join('\n');
}
