/**
 * Benchmark of encrypted biometric 1:N matching: gallery 10^4 and 10^5 (10^6 with --full),
 * 512-d, one node, beside a plaintext float32 1:N baseline over the same gallery in the same run; and per
 * size, a real node's start (bench/bio/ready.ts): time to its first answer with and without its persisted
 * encoding (`readyMs`), and its resident memory (`rssMiB`).
 * Prints a table and writes bench/results/bio.json. Nothing here asserts timing.
 *
 *   npx tsx bench/bio.ts [--full] [--sizes 10000,100000] [--workers 1|2] [--warmup N (untimed queries per size, 1)] [--no-node]
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GalleryEncoding, HE_PARAMS, HeClient, HeServer, initCrypto, randomBytes, sealHeapBytes, unpermutePosition } from '#crypto';
import { makeProbe } from '#simulations';
import { CAPTURES, fillGallery, PARAM, plaintextScores, SEED } from './bio/gallery.ts';
import { type NodeReadiness, nodeReadiness } from './bio/ready.ts';
import { contention } from './harness/cpu.ts';
import { loadAverage } from './harness/machine.ts';
import { writeResultFile } from './harness/results.ts';

export interface BioRun {
  galleryTemplates: number;
  dims: number;
  paramId: string;
  probes: number;
  serverMsPerProbe: number;
  /** Median and each probe's server time (after one untimed warm-up query per size). */
  serverMsPerProbeMedian: number;
  serverMsPerProbeEach: number[];
  serverMsBreakdown: { rotations: number; mac: number; mask: number };
  usPerTemplate: number;
  plaintextMsPerProbe: number;
  ratioToPlaintext: number;
  uploadBytesPerQuery: number;
  sessionKeyBytes: number;
  downloadBytes: number;
  clientEncryptMs: number;
  clientDecryptMs: number;
  maxScoreError: number;
  decisionsMatchPlaintext: boolean;
  hitsPerProbe: number[];
  galleryEncodeMs: number;
  galleryMemoryBytes: number;
  sealHeapBytes: number;
  /** This benchmark process after scoring (it also holds the float32 gallery of the plaintext baseline). */
  benchRssBytes: number;
  benchRssMiB: number;
  /** Resident memory of the node process serving this gallery (warm start, after its first answer); null with --no-node. */
  rssMiB: number | null;
  /** Node process start → first answer, restoring its persisted encoding; null with --no-node. */
  readyMs: number | null;
  /** The same without a persisted encoding (every block encoded and stored first). */
  coldReadyMs: number | null;
  node: NodeReadiness | null;
  /** CPU used by other processes during this size's timed part, % of one core (the machine is shared). */
  otherCpuPct: number | null;
  loadAvgStart: number;
  workers: number;
  /** The same probes with the per-query position permutation (ScoreOptions.permutation), interleaved. */
  permuted?: {
    serverMsPerProbeMedian: number;
    serverMsPerProbeEach: number[];
    serverMsBreakdown: { rotations: number; mac: number; mask: number };
    decisionsMatchPlaintext: boolean;
  };
}

export interface BioBenchResult {
  machine: { cores: number; cpuModel: string; node: string };
  params: (typeof HE_PARAMS)['face-512-v1'];
  runs: BioRun[];
}

/** Block `bi` of the first n templates of `flat`, as the encoding reads it (the node reads its table). */
function blockOf(flat: Float32Array, n: number, dims: number, bi: number): { templates: Float32Array; occupied: Uint8Array } {
  const bs = HE_PARAMS[PARAM].n / 2;
  const templates = new Float32Array(bs * dims);
  const end = Math.min(n, (bi + 1) * bs);
  templates.set(flat.subarray(bi * bs * dims, end * dims));
  const occupied = new Uint8Array(bs);
  occupied.fill(1, 0, Math.max(0, end - bi * bs));
  return { templates, occupied };
}

export async function runBioBench(opts: { full: boolean; sizes?: number[]; workers?: number; warmup?: number; node?: boolean }): Promise<BioBenchResult> {
  const sizes = opts.sizes ?? (opts.full ? [10_000, 100_000, 1_000_000] : [10_000, 100_000]);
  const p = HE_PARAMS[PARAM];
  const dims = p.dims;
  await initCrypto();
  const client = await HeClient.create(PARAM);
  const workers = opts.workers ?? Math.min(2, cpus().length);
  const server = await HeServer.create(PARAM, { workers });
  const runs: BioRun[] = [];
  try {
    const keys = client.sessionKeys();
    for (const n of sizes) {
      const loadAvgStart = loadAverage();
      // A node first (its own process), while this one holds nothing of this size yet.
      const node = opts.node === false ? null : await nodeReadiness(n, client);
      if (node) printNode(node);
      const others = contention(() => []);
      const flat = fillGallery(n, dims);
      // Templates are read from `flat` when a block is encoded, not copied into the encoding (as the node does).
      const gallery = GalleryEncoding.create(PARAM, { source: (bi) => blockOf(flat, n, dims, bi) });
      for (let t = 0; t < n; t++) gallery.mark(t, true);
      let t0 = performance.now();
      gallery.flush();
      const galleryEncodeMs = performance.now() - t0;

      // Probes: two mated (identities 0 and the last one), one non-mated.
      const lastId = Math.ceil(n / CAPTURES) - 1;
      const probeIds = [0, lastId, lastId + 1_000_000];
      const scores = new Float32Array(n);
      let plainMs = 0;
      let serverMs = 0;
      const br = { rotations: 0, mac: 0, mask: 0 };
      let encMs = 0;
      let decMs = 0;
      let upload = 0;
      let download = 0;
      let match = true;
      const hitsPerProbe: number[] = [];
      const each: number[] = [];
      const eachPerm: number[] = [];
      const brPerm = { rotations: 0, mac: 0, mask: 0 };
      let matchPerm = true;
      // Untimed warm-up queries (session keys cached, code warm: the steady state of a running node).
      for (let w = 0; w < (opts.warmup ?? 1); w++) {
        await server.scoreMasked({ sessionKeys: keys, probe: client.encryptProbe(makeProbe({ seed: SEED, identity: 1, dims })), gallery });
      }
      for (const id of probeIds) {
        const probeVec = makeProbe({ seed: SEED, identity: id, dims });
        t0 = performance.now();
        plaintextScores(flat, n, dims, probeVec, scores);
        plainMs += performance.now() - t0;
        const want: number[] = [];
        for (let t = 0; t < n; t++) if (scores[t]! >= p.threshold) want.push(t);

        t0 = performance.now();
        const probe = client.encryptProbe(probeVec);
        encMs += performance.now() - t0;
        upload = probe.length;
        t0 = performance.now();
        const r = await server.scoreMasked({ sessionKeys: keys, probe, gallery });
        each.push(performance.now() - t0);
        serverMs += performance.now() - t0;
        br.rotations += r.timings.rotations;
        br.mac += r.timings.mac;
        br.mask += r.timings.mask;
        download = r.result.length;
        t0 = performance.now();
        const hits = client.decryptMasked(r.result);
        decMs += performance.now() - t0;
        hitsPerProbe.push(hits.length);
        if (hits.length !== want.length || hits.some((h, i) => h !== want[i])) match = false;
        // Same probe with the position permutation (a fresh node-drawn seed per query, as a node does).
        const permutation = { seed: randomBytes(32) };
        t0 = performance.now();
        const rp = await server.scoreMasked({ sessionKeys: keys, probe, gallery, permutation });
        eachPerm.push(performance.now() - t0);
        brPerm.rotations += rp.timings.rotations;
        brPerm.mac += rp.timings.mac;
        brPerm.mask += rp.timings.mask;
        const back = client
          .decryptMasked(rp.result)
          .map((q) => unpermutePosition(q, { ...permutation, positions: rp.positions, paramId: PARAM }))
          .sort((a, b) => a - b);
        if (back.length !== want.length || back.some((h, i) => h !== want[i])) matchPerm = false;
      }
      // Score error from one unmasked (test-only) run of the first probe.
      const probeVec = makeProbe({ seed: SEED, identity: 0, dims });
      plaintextScores(flat, n, dims, probeVec, scores);
      const raw = client.debugDecryptScores(
        (await server.scoreMasked({ sessionKeys: keys, probe: client.encryptProbe(probeVec), gallery, unmaskedForTesting: true })).result,
      );
      let maxErr = 0;
      for (let t = 0; t < n; t++) {
        let s = 0;
        const off = t * dims;
        for (let i = 0; i < dims; i++) s += flat[off + i]! * probeVec[i]!;
        maxErr = Math.max(maxErr, Math.abs(raw[t]! - s));
      }
      const otherCpuPct = others();
      const benchRssBytes = process.memoryUsage().rss;
      const k = probeIds.length;
      const run: BioRun = {
        galleryTemplates: n,
        dims,
        paramId: PARAM,
        probes: k,
        serverMsPerProbe: serverMs / k,
        serverMsPerProbeMedian: [...each].sort((a, b) => a - b)[Math.floor(each.length / 2)]!,
        serverMsPerProbeEach: each,
        serverMsBreakdown: { rotations: br.rotations / k, mac: br.mac / k, mask: br.mask / k },
        usPerTemplate: (serverMs / k / n) * 1000,
        plaintextMsPerProbe: plainMs / k,
        ratioToPlaintext: serverMs / plainMs,
        uploadBytesPerQuery: upload,
        sessionKeyBytes: keys.length,
        downloadBytes: download,
        clientEncryptMs: encMs / k,
        clientDecryptMs: decMs / k,
        maxScoreError: maxErr,
        decisionsMatchPlaintext: match,
        hitsPerProbe,
        galleryEncodeMs,
        galleryMemoryBytes: gallery.memoryBytes(),
        sealHeapBytes: sealHeapBytes(),
        benchRssBytes,
        benchRssMiB: benchRssBytes / 2 ** 20,
        rssMiB: node?.warm.rssMiB ?? null,
        readyMs: node?.warm.readyMs ?? null,
        coldReadyMs: node?.cold.readyMs ?? null,
        node,
        otherCpuPct,
        loadAvgStart,
        workers,
        permuted: {
          serverMsPerProbeMedian: [...eachPerm].sort((a, b) => a - b)[Math.floor(eachPerm.length / 2)]!,
          serverMsPerProbeEach: eachPerm,
          serverMsBreakdown: { rotations: brPerm.rotations / k, mac: brPerm.mac / k, mask: brPerm.mask / k },
          decisionsMatchPlaintext: matchPerm,
        },
      };
      runs.push(run);
      printRun(run);
    }
  } finally {
    client.dispose();
    server.dispose();
  }
  const result: BioBenchResult = {
    machine: { cores: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    params: HE_PARAMS[PARAM],
    runs,
  };
  const out = writeResultFile('bio.json', result);
  console.log(`wrote ${fileURLToPath(out)}`);
  return result;
}

function printNode(r: NodeReadiness): void {
  const f = (x: NodeReadiness['cold']) =>
    `ready ${(x.readyMs / 1000).toFixed(1)} s (start ${(x.startupMs / 1000).toFixed(1)}, load ${(x.loadMs / 1000).toFixed(1)}, answer ${(x.answerMs / 1000).toFixed(1)}; blocks restored ${x.loaded.restoredBlocks}, encoded ${x.loaded.encodedBlocks}), cpu ${(x.cpuMs / 1000).toFixed(1)} s, rss ${x.rssMiB.toFixed(0)} MiB, match ${x.decisionsMatchPlaintext}`;
  console.log(
    `node with ${r.galleryTemplates} templates (table filled in ${(r.populateMs / 1000).toFixed(1)} s, node.db ${(r.dbBytes / 2 ** 20).toFixed(0)} MiB)`,
  );
  console.log(`  cold start: ${f(r.cold)}`);
  console.log(`  warm start: ${f(r.warm)}`);
}

let headerPrinted = false;
function printRun(r: BioRun): void {
  const mib = (b: number) => (b / 2 ** 20).toFixed(2);
  if (!headerPrinted) {
    console.log(
      'templates | server ms/probe mean (rot/mac/mask) [median] | µs/template | plaintext ms | ratio | upload KiB | keys MiB | download MiB | enc ms | dec ms | max err | match | encode s | gallery MiB',
    );
    headerPrinted = true;
  }
  console.log(
    [
      r.galleryTemplates,
      `${r.serverMsPerProbe.toFixed(0)} (${r.serverMsBreakdown.rotations.toFixed(0)}/${r.serverMsBreakdown.mac.toFixed(0)}/${r.serverMsBreakdown.mask.toFixed(0)}) [${r.serverMsPerProbeMedian.toFixed(0)}]`,
      r.usPerTemplate.toFixed(2),
      r.plaintextMsPerProbe.toFixed(1),
      r.ratioToPlaintext.toFixed(1),
      (r.uploadBytesPerQuery / 1024).toFixed(1),
      mib(r.sessionKeyBytes),
      mib(r.downloadBytes),
      r.clientEncryptMs.toFixed(1),
      r.clientDecryptMs.toFixed(1),
      r.maxScoreError.toExponential(2),
      r.decisionsMatchPlaintext,
      (r.galleryEncodeMs / 1000).toFixed(1),
      mib(r.galleryMemoryBytes),
    ].join(' | '),
  );
  console.log(`  bench process rss ${r.benchRssMiB.toFixed(0)} MiB; other processes ${r.otherCpuPct ?? 'n/a'}% CPU, load ${r.loadAvgStart}`);
  if (r.permuted) {
    const q = r.permuted;
    console.log(
      `  permuted: median ${q.serverMsPerProbeMedian.toFixed(0)} ms (rot/mac/mask ${q.serverMsBreakdown.rotations.toFixed(0)}/${q.serverMsBreakdown.mac.toFixed(0)}/${q.serverMsBreakdown.mask.toFixed(0)}), each ${q.serverMsPerProbeEach.map((x) => x.toFixed(0)).join(',')}; plain each ${r.serverMsPerProbeEach.map((x) => x.toFixed(0)).join(',')}; match ${q.decisionsMatchPlaintext}`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const full = process.argv.includes('--full');
  const i = process.argv.indexOf('--sizes');
  const sizes = i > 0 ? process.argv[i + 1]?.split(',').map(Number) : undefined;
  const w = process.argv.indexOf('--workers');
  const workers = w > 0 ? Number(process.argv[w + 1]) : undefined;
  const wu = process.argv.indexOf('--warmup');
  const warmup = wu > 0 ? Number(process.argv[wu + 1]) : undefined;
  const node = !process.argv.includes('--no-node');
  await runBioBench({ full, node, ...(sizes ? { sizes } : {}), ...(workers ? { workers } : {}), ...(warmup !== undefined ? { warmup } : {}) });
}
