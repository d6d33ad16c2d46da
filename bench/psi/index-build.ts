/**
 * Section 2 of the PSI benchmark: match keys → tags per second through the node's import path (one
 * worker thread per core), against single-thread `evaluate` of the same keys in the same run.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { evaluate, OprfKey } from '#crypto';
import { importFile, initNode } from '#node';
import { matchKeysForRecord, parseRecord } from '#protocol';
import { createLocalPki, syntheticRecords, toNdjson } from '#simulations';
import { contention } from '../harness/cpu.ts';
import { say } from '../harness/report.ts';
import type { PsiBenchResult } from './result.ts';

export async function benchIndex(root: string, quick: boolean): Promise<PsiBenchResult['index']> {
  const workers = availableParallelism();
  say(`2/4 index build: tags through the import path on ${workers} worker threads vs single-thread evaluate …`);
  const persons = quick ? 2500 : 7000;
  const vehicles = quick ? 800 : 2500;
  const records = syntheticRecords({ seed: 77, country: 'IT', country3: 'ITA', persons, vehicles });
  const file = join(root, 'index-records.ndjson');
  writeFileSync(file, toNdjson(records));
  const dir = join(root, 'index-node');
  await initNode(dir, { port: 0, adminPort: 0, country: 'IT', bundle: createLocalPki(join(root, 'index-org')).bundlePath });

  const others = contention(() => []);
  const marks: Array<{ t: number; done: number }> = [];
  let validated = 0;
  let total = 0;
  const t0 = performance.now();
  const report = await importFile(dir, file, {
    workers,
    onProgress: (p) => {
      const now = performance.now();
      if (p.phase === 'validate' && p.done === p.total) validated = now;
      if (p.phase === 'index' && p.keys !== undefined) {
        marks.push({ t: now, done: p.keys });
        total = p.keys;
      }
    },
  });
  const importMs = performance.now() - t0;
  if (!report.written || marks.length < 2) throw new Error('index benchmark: import did not run through the worker path');
  // Steady state: between the first progress mark past 10 % and the last one (worker start-up excluded;
  // chunks finish in parallel, so a long interval between two completion marks measures all workers).
  const last = marks[marks.length - 1]!;
  const from = marks.find((m) => m.done >= total * 0.1) ?? marks[0]!;
  const keysPerSecSteady = ((last.done - from.done) * 1000) / (last.t - from.t);
  const keysPerSecWholePhase = (total * 1000) / (last.t - validated);
  const half = marks.find((m) => m.done >= total * 0.5) ?? marks[0]!;
  const keysPerSecSecondHalf = ((last.done - half.done) * 1000) / (last.t - half.t);

  // Baseline: the same match keys, evaluated one after another on this thread.
  const inputs: Uint8Array[] = [];
  for (const r of records) {
    const p = parseRecord(r);
    if (p.ok && p.record.op === 'upsert') for (const k of matchKeysForRecord(p.record.record)) inputs.push(k.input);
  }
  const key = OprfKey.generate('voprf');
  const sample = inputs.slice(0, quick ? 1500 : 5000);
  for (const x of sample.slice(0, 100)) evaluate(key, x);
  const s0 = performance.now();
  for (const x of sample) evaluate(key, x);
  const singleThreadEvaluatePerSec = (sample.length * 1000) / (performance.now() - s0);

  return {
    records: records.length,
    keys: total,
    workers,
    keysPerSecSteady: Math.round(keysPerSecSteady),
    keysPerSecWholePhase: Math.round(keysPerSecWholePhase),
    keysPerSecSecondHalf: Math.round(keysPerSecSecondHalf),
    importRecordsPerSec: Math.round((records.length * 1000) / importMs),
    importMs: Math.round(importMs),
    singleThreadEvaluatePerSec: Math.round(singleThreadEvaluatePerSec),
    speedupOverSingleThread: keysPerSecSteady / singleThreadEvaluatePerSec,
    otherCpuPct: others(),
  };
}
