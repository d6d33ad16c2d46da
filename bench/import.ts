/**
 * `npm run bench -- import [--quick]`: how fast a node imports records and publishes their index (issue
 * 12 point 6: 10^6 records imported and published in ≤ 4 minutes on 2 cores).
 *
 * Synthetic records (80 % persons, 20 % vehicles; about 7.6 match keys each) go through `importFile`,
 * the path `veil node import` runs, into a fresh node directory; then the node starts beside a
 * coordinator in this process (real websocket, real SQLite files, real crypto) and the clock stops when
 * the coordinator has acknowledged every chunk of the index. The baseline, measured in the same run, is
 * the OPRF floor: single-thread `evaluate` per second (measured right after, on this thread) times the
 * worker count, divided by the match keys per record — the rate if the workers did nothing but the
 * OPRF and nothing else ran. Figures go to bench/results/import.json; `importRecordsPerSec` is also
 * written into bench/results/psi.json when that file exists (the issue lists the key among the PSI ones).
 *
 * `VEIL_BENCH_IMPORT_RECORDS=N` overrides the record count (default 10^6, `--quick` 50,000).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCoordinatorDir, startCoordinator } from '#coordinator';
import { evaluate, initCrypto, OprfKey } from '#crypto';
import { importFile, initNode, startNode } from '#node';
import { silentLogger } from '#platform';
import { matchKeysForRecord, parseRecord } from '#protocol';
import { createLocalPki, syntheticRecords, toNdjson } from '#simulations';
import { contention, selfCpuSeconds } from './harness/cpu.ts';
import { describeMachine, loadAverage } from './harness/machine.ts';
import { fmt, say } from './harness/report.ts';
import { headCommit, writeResultFile } from './harness/results.ts';

const TARGET_SECONDS = 240;
const TARGET_RECORDS = 1_000_000;

/** Writes the records as NDJSON in slices, so 10^6 records never sit in memory as one string. */
function writeRecords(file: string, total: number): void {
  writeFileSync(file, '');
  const slice = 50_000;
  for (let done = 0, seed = 1; done < total; seed++) {
    const n = Math.min(slice, total - done);
    const persons = Math.round(n * 0.8);
    const records = syntheticRecords({ seed, country: 'IT', country3: 'ITA', persons, vehicles: n - persons }).map((r) => ({ ...r, id: `s${seed}-${r.id}` }));
    writeFileSync(file, toNdjson(records), { flag: 'a' });
    done += n;
  }
}

/** Single-thread `evaluate` per second over the match keys of a sample of records (persons and vehicles). */
function evaluateRate(): number {
  const sample = syntheticRecords({ seed: 99, country: 'IT', country3: 'ITA', persons: 800, vehicles: 200 });
  const inputs: Uint8Array[] = [];
  for (const l of sample) {
    const p = parseRecord(l);
    if (p.ok && p.record.op === 'upsert') for (const k of matchKeysForRecord(p.record.record)) inputs.push(k.input);
  }
  const key = OprfKey.generate('voprf');
  for (const x of inputs.slice(0, 200)) evaluate(key, x);
  const t0 = performance.now();
  for (const x of inputs) evaluate(key, x);
  return (inputs.length * 1000) / (performance.now() - t0);
}

export async function runImportBench(opts: { quick: boolean }): Promise<void> {
  await initCrypto();
  const records = Number(process.env.VEIL_BENCH_IMPORT_RECORDS ?? (opts.quick ? 50_000 : TARGET_RECORDS));
  if (!Number.isInteger(records) || records < 1000) throw new Error('VEIL_BENCH_IMPORT_RECORDS must be an integer ≥ 1000');
  const machine = describeMachine();
  const workers = availableParallelism();
  const root = mkdtempSync(join(tmpdir(), 'veil-bench-import-'));
  try {
    say(`import: ${fmt(records)} synthetic records into a fresh node (${workers} tag workers), then published to a coordinator …`);
    const file = join(root, 'records.ndjson');
    writeRecords(file, records);
    const pki = createLocalPki(join(root, 'org'));
    const coordDir = join(root, 'coordinator');
    initCoordinatorDir(coordDir, { name: 'bench-import', bundle: pki.bundlePath });
    pki.certifyCoordinator(coordDir);
    const coord = await startCoordinator(coordDir, { logger: silentLogger });
    try {
      const dir = join(root, 'node');
      await initNode(dir, { port: 0, adminPort: 0, country: 'IT', coordinatorUrl: coord.wsUrl, bundle: pki.bundlePath });
      pki.certifyNode(dir);

      const others = contention(() => []);
      const cpu0 = selfCpuSeconds();
      const phases: Record<string, number> = {};
      let phase = '';
      let phaseStart = performance.now();
      let lastLine = 0;
      const t0 = performance.now();
      const report = await importFile(dir, file, {
        workers,
        onProgress: (p) => {
          const now = performance.now();
          if (p.phase !== phase) {
            if (phase) phases[phase] = (phases[phase] ?? 0) + (now - phaseStart);
            phase = p.phase;
            phaseStart = now;
          }
          if (now - lastLine > 10_000) {
            lastLine = now;
            say(`  ${((now - t0) / 1000).toFixed(0)} s: ${p.phase} ${fmt(p.done)}/${fmt(p.total)}`);
          }
        },
      });
      const importMs = performance.now() - t0;
      if (phase) phases[phase] = (phases[phase] ?? 0) + (performance.now() - phaseStart);
      if (!report.written) throw new Error(`import benchmark: nothing written (${report.invalid} invalid lines)`);
      const importCpu = selfCpuSeconds() - cpu0;

      const p0 = performance.now();
      const cpu1 = selfCpuSeconds();
      const node = await startNode(dir, { coordinatorUrl: coord.wsUrl, logger: silentLogger });
      try {
        await node.published(30 * 60_000);
      } finally {
        await node.close();
      }
      const publishMs = performance.now() - p0;
      const publishCpu = selfCpuSeconds() - cpu1;
      const totalMs = importMs + publishMs;
      const otherCpuPct = others();

      const evaluatePerSec = evaluateRate();
      const floor = { evaluatePerSec, keysPerRecord: report.tagsAdded / records };
      const importRecordsPerSec = Math.round((records * 1000) / totalMs);
      const floorRecordsPerSec = Math.round((floor.evaluatePerSec * workers) / floor.keysPerRecord);
      const targetRecordsPerSec = Math.round(TARGET_RECORDS / TARGET_SECONDS);
      machine.loadAvgEnd = loadAverage();
      const result = {
        commit: headCommit(),
        at: new Date().toISOString(),
        machine,
        importRecordsPerSec,
        records,
        importMs: Math.round(importMs),
        importOnlyRecordsPerSec: Math.round((records * 1000) / importMs),
        publishMs: Math.round(publishMs),
        totalMs: Math.round(totalMs),
        phasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])),
        importCpuSeconds: Math.round(importCpu * 10) / 10,
        publishCpuSeconds: Math.round(publishCpu * 10) / 10,
        // What the CPU used would allow if it were spread evenly over every core (an upper bound that
        // does not depend on how busy the machine was; compare with importRecordsPerSec on a quiet run).
        cpuBoundRecordsPerSec: Math.round((records * workers) / (importCpu + publishCpu)),
        tags: report.tagsAdded,
        chunks: report.chunks,
        keysPerRecord: Math.round(floor.keysPerRecord * 100) / 100,
        workers,
        baseline: { singleThreadEvaluatePerSec: Math.round(floor.evaluatePerSec), oprfFloorRecordsPerSec: floorRecordsPerSec },
        vsBaseline: Math.round((importRecordsPerSec / floorRecordsPerSec) * 100) / 100,
        target: { records: TARGET_RECORDS, seconds: TARGET_SECONDS, recordsPerSec: targetRecordsPerSec },
        vsTarget: Math.round((importRecordsPerSec / targetRecordsPerSec) * 100) / 100,
        otherCpuPct,
      };
      const out = writeResultFile('import.json', result);
      const psi = new URL('psi.json', new URL('./results/', import.meta.url));
      if (existsSync(psi)) {
        const current = JSON.parse(readFileSync(psi, 'utf8')) as Record<string, unknown>;
        writeFileSync(psi, `${JSON.stringify({ ...current, importRecordsPerSec, importRecordsPerSecFrom: 'bench/results/import.json' }, null, 2)}\n`);
      }
      say(
        `  import ${(importMs / 1000).toFixed(1)} s (${fmt(result.importOnlyRecordsPerSec)} records/s, ${result.importCpuSeconds} CPU s), publish ${(publishMs / 1000).toFixed(1)} s (${result.publishCpuSeconds} CPU s); ${fmt(result.cpuBoundRecordsPerSec)} records/s if that CPU were spread over ${workers} cores; ${fmt(report.tagsAdded)} tags in ${fmt(report.chunks)} chunks`,
      );
      say(
        `  phases: ${Object.entries(result.phasesMs)
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
          .join(', ')}`,
      );
      say(
        `importRecordsPerSec ${fmt(importRecordsPerSec)} (imported and published); OPRF floor ${fmt(floorRecordsPerSec)} records/s (${fmt(floor.evaluatePerSec)} evaluations/s/thread × ${workers}, ${floor.keysPerRecord.toFixed(2)} keys/record): ${result.vsBaseline}×; target ${fmt(targetRecordsPerSec)}/s: ${result.vsTarget}× ${result.vsTarget >= 1 ? 'meets' : 'MISS'}`,
      );
      say(`  load average ${machine.loadAvgStart} → ${machine.loadAvgEnd}; other processes ${otherCpuPct ?? 'n/a'}% CPU; written to ${out.pathname}`);
    } finally {
      await coord.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
