/**
 * Throughput of the OPRF building blocks on this machine, for capacity planning and the benchmark
 * (`measureOprf` is exported for bench/). Not a test: rates depend on the machine and its load.
 *
 * Run: `npx tsx crypto/oprf/measure.ts [minMsPerFigure]`
 */
import { randomBytes } from '../bytes.ts';
import { initCrypto, sodium } from '../sodium.ts';
import { hashToGroup } from './group.ts';
import { OprfKey } from './key.ts';
import { blind, blindEvaluate, blindEvaluateBatch, evaluate, finalize, finalizeBatch, verifyBatch } from './oprf.ts';
import { dsts } from './suite.ts';

export type MeasureOptions = {
  /** Minimum wall time spent on each figure (default 400 ms). */
  minMs?: number;
  /** Batch sizes for the batched calls (default [1, 8, 64]). */
  batchSizes?: number[];
};

export type BatchRate = { batchSize: number; batchesPerSec: number; elementsPerSec: number };

export type OprfRates = {
  /** libsodium `crypto_scalarmult_ristretto255`, the unit everything else is made of. */
  scalarMultPerSec: number;
  scalarMultBasePerSec: number;
  /** libsodium `crypto_core_ristretto255_add` (decodes both inputs, encodes the sum). */
  pointAddPerSec: number;
  /** expand_message_xmd + `crypto_core_ristretto255_from_hash`. */
  hashToGroupPerSec: number;
  blindPerSec: number;
  /** OPRF-mode server evaluation of one element (no proof). */
  blindEvaluatePerSec: number;
  /** VOPRF-mode server evaluation with one batched DLEQ proof. */
  blindEvaluateBatch: BatchRate[];
  /** Client proof verification. */
  verifyBatch: BatchRate[];
  finalizePerSec: number;
  /** `finalizeBatch` elements per second at the largest batch size. */
  finalizeBatchPerSec: number;
  /** Server PRF on its own input (publishing tags). */
  evaluatePerSec: number;
};

/** Calls `f` until `minMs` have passed (after a short warm-up); returns calls per second. */
function rate(minMs: number, f: () => void): number {
  for (let i = 0; i < 3; i++) f();
  let n = 0;
  const start = performance.now();
  let now = start;
  do {
    f();
    n++;
    now = performance.now();
  } while (now - start < minMs);
  return (n * 1000) / (now - start);
}

export async function measureOprf(opts: MeasureOptions = {}): Promise<OprfRates> {
  await initCrypto();
  const minMs = opts.minMs ?? 400;
  const sizes = opts.batchSizes ?? [1, 8, 64];
  const s = sodium();
  const k = s.crypto_core_ristretto255_scalar_random();
  const P = s.crypto_core_ristretto255_random();
  const Q = s.crypto_core_ristretto255_random();
  const input = randomBytes(24);

  const oprfKey = OprfKey.generate('oprf');
  const voprfKey = OprfKey.generate('voprf');
  const one = blind('oprf', input);
  const evaluated = blindEvaluate(oprfKey, one.blindedElement);

  const batchOf = (n: number) => {
    const inputs = Array.from({ length: n }, () => randomBytes(24));
    const blinded = inputs.map((x) => blind('voprf', x));
    return { inputs, blinded, elements: blinded.map((b) => b.blindedElement) };
  };

  const evalRates: BatchRate[] = [];
  const verifyRates: BatchRate[] = [];
  let finalizeBatchPerSec = 0;
  for (const n of sizes) {
    const b = batchOf(n);
    const res = blindEvaluateBatch(voprfKey, b.elements);
    const e = rate(minMs, () => blindEvaluateBatch(voprfKey, b.elements));
    evalRates.push({ batchSize: n, batchesPerSec: e, elementsPerSec: e * n });
    const pk = voprfKey.publicKey();
    const v = rate(minMs, () => verifyBatch(pk, b.elements, res.evaluatedElements, res.proof));
    verifyRates.push({ batchSize: n, batchesPerSec: v, elementsPerSec: v * n });
    const blinds = b.blinded.map((x) => x.blind);
    finalizeBatchPerSec = n * rate(minMs, () => finalizeBatch('voprf', b.inputs, blinds, res.evaluatedElements));
  }

  return {
    scalarMultPerSec: rate(minMs, () => s.crypto_scalarmult_ristretto255(k, P)),
    scalarMultBasePerSec: rate(minMs, () => s.crypto_scalarmult_ristretto255_base(k)),
    pointAddPerSec: rate(minMs, () => s.crypto_core_ristretto255_add(P, Q)),
    hashToGroupPerSec: rate(minMs, () => hashToGroup(input, dsts('oprf').hashToGroup)),
    blindPerSec: rate(minMs, () => blind('oprf', input)),
    blindEvaluatePerSec: rate(minMs, () => blindEvaluate(oprfKey, one.blindedElement)),
    blindEvaluateBatch: evalRates,
    verifyBatch: verifyRates,
    finalizePerSec: rate(minMs, () => finalize('oprf', input, one.blind, evaluated)),
    finalizeBatchPerSec,
    evaluatePerSec: rate(minMs, () => evaluate(oprfKey, input)),
  };
}

function isMain(): boolean {
  const argv1 = globalThis.process?.argv?.[1];
  return typeof argv1 === 'string' && new URL(import.meta.url).pathname === argv1.replaceAll('\\', '/');
}

/** The table printed by `npx tsx crypto/oprf/measure.ts`. */
export function formatOprfRates(r: OprfRates): string {
  // Rates move with machine load; the last column (cost in libsodium scalar multiplications, measured in
  // the same run) is the more stable figure.
  const row = (label: string, perSec: number, unit = '/s') =>
    `${label.padEnd(40)}${Math.round(perSec).toLocaleString('en-US').padStart(9)} ${unit.padEnd(11)}` +
    `${(1e6 / perSec).toFixed(1).padStart(8)} µs  ${(r.scalarMultPerSec / perSec).toFixed(2).padStart(6)} mults`;
  return [
    row('ristretto255 scalar mult (libsodium)', r.scalarMultPerSec),
    row('ristretto255 base mult', r.scalarMultBasePerSec),
    row('ristretto255 add', r.pointAddPerSec),
    row('hash to group', r.hashToGroupPerSec),
    row('blind', r.blindPerSec),
    row('blindEvaluate (OPRF, no proof)', r.blindEvaluatePerSec),
    ...r.blindEvaluateBatch.map((b) => row(`blindEvaluateBatch (VOPRF) n=${b.batchSize}`, b.elementsPerSec, 'elements/s')),
    ...r.verifyBatch.map((b) => row(`verifyBatch n=${b.batchSize}`, b.elementsPerSec, 'elements/s')),
    row('finalize', r.finalizePerSec),
    row('finalizeBatch', r.finalizeBatchPerSec, 'elements/s'),
    row('evaluate (server, own input)', r.evaluatePerSec),
  ].join('\n');
}

// No top-level await: this module is also reached through crypto/index.ts, including in the browser.
if (isMain()) {
  const minMs = Number(globalThis.process.argv[2] ?? 400);
  measureOprf({ minMs }).then(
    (r) => console.log(formatOprfRates(r)),
    (e: unknown) => {
      console.error(e);
      globalThis.process.exitCode = 1;
    },
  );
}
