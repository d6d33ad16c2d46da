/**
 * How soon a node holding n face templates answers after it starts (`readyMs`, issue 12 point 7): a real
 * node directory (keys, SQLite store) with n templates in its gallery table, then the node's biometric
 * service started twice as its own process (`node-host.ts`):
 * - cold: nothing persisted yet — the node encodes every block and stores it (what the node paid at every
 *   start before the encoding was persisted);
 * - warm: the node restores the stored blocks (verifying each) — every later start.
 * Each run answers one mated probe; its hits, mapped back to gallery slots, are compared with the
 * plaintext decisions. `rssMiB` is the warm node process's resident memory after answering.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HE_PARAMS, type HeClient, SigningKey, toBase64url } from '#crypto';
import { createNodeKeys, type GalleryLoad, layoutPosition, NodeStore, nodePaths } from '#node';
import { BioEvalResult, decodeWith, Envelope, LIMITS, verifyEnvelope } from '#protocol';
import { makeProbe, REPO_ROOT } from '#simulations';
import { fillTemplates, PARAM, SEED } from './gallery.ts';

export interface NodeStartRun {
  /** Process start → first answer. */
  readyMs: number;
  /** Process start → service built (module loading, crypto init, store open). */
  startupMs: number;
  loadMs: number;
  answerMs: number;
  loaded: GalleryLoad;
  /** CPU time the node process used until the answer (both threads): less sensitive to other jobs than readyMs. */
  cpuMs: number;
  rssMiB: number;
  decisionsMatchPlaintext: boolean;
}

export interface NodeReadiness {
  galleryTemplates: number;
  /** Writing the templates into the gallery table (through the repository, as an import does). */
  populateMs: number;
  /** node.db after the encoding was persisted (templates + encoded blocks). */
  dbBytes: number;
  cold: NodeStartRun;
  warm: NodeStartRun;
}

const BATCH = 8192;

function host(dir: string, run: number): Promise<Record<string, unknown>> {
  const script = fileURLToPath(new URL('./node-host.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', script, dir, String(run)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`node host exited (${code}): ${err.trim().slice(-1500)}`));
      else resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

export async function nodeReadiness(n: number, client: HeClient): Promise<NodeReadiness> {
  const p = HE_PARAMS[PARAM];
  const dims = p.dims;
  const dir = mkdtempSync(join(tmpdir(), 'veil-bio-ready-'));
  try {
    const keys = createNodeKeys(dir);
    const probeVec = makeProbe({ seed: SEED, identity: 0, dims });
    const want: number[] = [];
    let store = new NodeStore(nodePaths(dir).db);
    const t0 = performance.now();
    for (let first = 0; first < n; first += BATCH) {
      const count = Math.min(BATCH, n - first);
      const flat = fillTemplates(first, count, dims);
      store.tx(() => {
        for (let i = 0; i < count; i++) {
          const t = flat.subarray(i * dims, (i + 1) * dims);
          let s = 0;
          for (let k = 0; k < dims; k++) s += t[k]! * probeVec[k]!;
          if (s >= p.threshold) want.push(first + i);
          store.gallery.set('face', `rec-${first + i}`, t);
        }
      });
    }
    const populateMs = performance.now() - t0;
    store.close();
    const requester = SigningKey.generate();
    writeFileSync(
      join(dir, 'query.json'),
      JSON.stringify({
        requester: 'FR',
        requesterKey: toBase64url(requester.secretBytes()),
        sessionId: client.sessionId,
        sessionKeys: toBase64url(client.sessionKeys()),
        probe: toBase64url(client.encryptProbe(probeVec)),
      }),
    );
    const runs: NodeStartRun[] = [];
    for (const run of [0, 1]) {
      const r = await host(dir, run);
      store = new NodeStore(nodePaths(dir).db);
      try {
        const res = verifyEnvelope(
          decodeWith(Buffer.from(String(r.answer), 'base64url'), Envelope, LIMITS.maxFrameBytes),
          () => keys.signing.publicKey(),
          BioEvalResult,
        );
        if (!res.result) throw new Error(`node refused the query: ${res.code ?? ''}`);
        const slots = client
          .decryptMasked(res.result)
          .map((q) => layoutPosition(store, keys, 'FR', String(r.id), 'face', q))
          .sort((a, b) => a - b);
        runs.push({
          readyMs: Number(r.readyMs),
          startupMs: Number(r.startupMs),
          loadMs: Number(r.loadMs),
          answerMs: Number(r.answerMs),
          loaded: r.loaded as GalleryLoad,
          cpuMs: Number(r.cpuMs),
          rssMiB: Number(r.rssBytes) / 2 ** 20,
          decisionsMatchPlaintext: slots.length === want.length && slots.every((s, i) => s === want[i]),
        });
      } finally {
        store.close();
      }
    }
    const [cold, warm] = runs as [NodeStartRun, NodeStartRun];
    return { galleryTemplates: n, populateMs, dbBytes: statSync(nodePaths(dir).db).size, cold, warm };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npx tsx bench/bio/ready.ts [sizes, default 100000]`: the node runs alone, written to bench/results/bio-node.json. */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { HeClient, initCrypto } = await import('#crypto');
  const { loadAverage } = await import('../harness/machine.ts');
  const { writeResultFile } = await import('../harness/results.ts');
  await initCrypto();
  const sizes = (process.argv[2] ?? '100000').split(',').map(Number);
  const client = await HeClient.create(PARAM);
  const runs: Array<NodeReadiness & { loadAvgStart: number; loadAvgEnd: number }> = [];
  try {
    for (const n of sizes) {
      const loadAvgStart = loadAverage();
      const r = await nodeReadiness(n, client);
      runs.push({ ...r, loadAvgStart, loadAvgEnd: loadAverage() });
      console.log(JSON.stringify(runs.at(-1)));
    }
  } finally {
    client.dispose();
  }
  writeResultFile('bio-node.json', { runs });
}
