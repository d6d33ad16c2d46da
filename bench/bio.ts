/**
 * Benchmark of encrypted biometric 1:N matching: gallery 10^4 and 10^5 (10^6 with --full),
 * 512-d, one node, beside a plaintext float32 1:N baseline over the same gallery in the same run.
 * Prints a table and writes bench/results/bio.json. Nothing here asserts timing.
 *
 *   npx tsx bench/bio.ts [--full] [--sizes 10000,100000] [--workers 1|2] [--warmup N (untimed queries per size, 1)]
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GalleryEncoding, HE_PARAMS, HeClient, HeServer, initCrypto, randomBytes, sealHeapBytes, unpermutePosition } from '#crypto';
import { makeProbe } from '#simulations';
import { CAPTURES, fillGallery, PARAM, plaintextScores, SEED } from './bio/gallery.ts';
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
  rssBytes: number;
  rssMiB: number;
  /**
   * Encoded gallery written to a file, then read back into a fresh GalleryEncoding (`restoreBlock`) and
   * one probe scored on it, its decisions checked: what a node that persisted its encoding would pay at
   * start. (The node does not persist it yet: `readyMs` of a node is not measured.)
   */
  restore: { fileBytes: number; writeMs: number; restoreMs: number; firstQueryMs: number; decisionsMatchPlaintext: boolean };
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

export async function runBioBench(opts: { full: boolean; sizes?: number[]; workers?: number; warmup?: number }): Promise<BioBenchResult> {
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
      const others = contention(() => []);
      const flat = fillGallery(n, dims);
      const gallery = GalleryEncoding.create(PARAM);
      for (let t = 0; t < n; t++) gallery.set(t, flat.subarray(t * dims, (t + 1) * dims));
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
      const rssBytes = process.memoryUsage().rss;
      const restore = await restoreRun(gallery, n, { server, keys, client, flat, dims, threshold: p.threshold });
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
        rssBytes,
        rssMiB: rssBytes / 2 ** 20,
        restore,
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

/** Persist the encoded gallery block by block, restore it into a fresh encoding, score one mated probe. */
async function restoreRun(
  gallery: GalleryEncoding,
  n: number,
  c: { server: HeServer; keys: Uint8Array; client: HeClient; flat: Float32Array; dims: number; threshold: number },
): Promise<BioRun['restore']> {
  const bs = HE_PARAMS[PARAM].n / 2;
  const blocks = Math.ceil(gallery.size / bs);
  const dir = mkdtempSync(join(tmpdir(), 'veil-bio-'));
  const file = join(dir, 'gallery.bin');
  try {
    let t0 = performance.now();
    const occ = new Uint8Array(bs);
    let fileBytes = 0;
    const fd = openSync(file, 'w');
    for (let bi = 0; bi < blocks; bi++) {
      for (let s = 0; s < bs; s++) occ[s] = gallery.has(bi * bs + s) ? 1 : 0;
      const b = gallery.blockBytes(bi);
      fileBytes += writeSync(fd, occ) + writeSync(fd, b);
    }
    closeSync(fd);
    const writeMs = performance.now() - t0;
    t0 = performance.now();
    const restored = GalleryEncoding.create(PARAM);
    const rfd = openSync(file, 'r');
    try {
      for (let bi = 0; bi < blocks; bi++) {
        const o = new Uint8Array(bs);
        readSync(rfd, o);
        // The bench trusts its own file; a node would check a MAC over the block before accepting it.
        restored.restoreBlock(bi, o, (dst) => readSync(rfd, dst) === dst.length);
      }
    } finally {
      closeSync(rfd);
    }
    restored.restoreSize(gallery.size);
    const restoreMs = performance.now() - t0;
    const probeVec = makeProbe({ seed: SEED, identity: 0, dims: c.dims });
    t0 = performance.now();
    const r = await c.server.scoreMasked({ sessionKeys: c.keys, probe: c.client.encryptProbe(probeVec), gallery: restored });
    const firstQueryMs = performance.now() - t0;
    const hits = c.client.decryptMasked(r.result);
    const want: number[] = [];
    const scores = new Float32Array(n);
    plaintextScores(c.flat, n, c.dims, probeVec, scores);
    for (let t = 0; t < n; t++) if (scores[t]! >= c.threshold) want.push(t);
    const decisionsMatchPlaintext = restored.dirtyBlocks === 0 && hits.length === want.length && hits.every((h, i) => h === want[i]);
    return { fileBytes, writeMs, restoreMs, firstQueryMs, decisionsMatchPlaintext };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  console.log(
    `  restore: ${(r.restore.fileBytes / 2 ** 20).toFixed(0)} MiB file, write ${r.restore.writeMs.toFixed(0)} ms, restore ${r.restore.restoreMs.toFixed(0)} ms, first query ${r.restore.firstQueryMs.toFixed(0)} ms, match ${r.restore.decisionsMatchPlaintext}; rss ${r.rssMiB.toFixed(0)} MiB; other processes ${r.otherCpuPct ?? 'n/a'}% CPU, load ${r.loadAvgStart}`,
  );
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
  await runBioBench({ full, ...(sizes ? { sizes } : {}), ...(workers ? { workers } : {}), ...(warmup !== undefined ? { warmup } : {}) });
}
