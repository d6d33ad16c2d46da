/**
 * Worker thread for HeServer: computes a share of the probe rotations, of the per-block
 * multiply-accumulate and of the masking, on the server's shared workspace (key switching tables and the
 * session's expanded keys, written by the main thread) and the gallery's shared arenas. It holds no SEAL
 * instance and no secret: everything it reads is in memory the main thread shares with it.
 */
import { parentPort } from 'node:worker_threads';
import { macShare, PUT_GROUP } from './fused.ts';
import { type PreparedProbe, putDiagonal } from './kernel.ts';
import { maskPairResidues, maskRandomBytes } from './mask.ts';
import { derive, type HeParamId } from './params.ts';
import { probeView, putDiagonalsU32, type WasmMemory } from './wasm-kernel.ts';
import { Workspace } from './workspace.ts';

export type WorkerRequest =
  | {
      t: 'rot';
      paramId: HeParamId;
      ws: WasmMemory;
      slot: number;
      from: number;
      to: number;
      /** Where the rotated probes go: the first arena (wasm kernel) or the JS kernel's prepared probe. */
      arena: WasmMemory | undefined;
      pp: PreparedProbe | undefined;
    }
  | {
      t: 'mac';
      paramId: HeParamId;
      arenas: WasmMemory[];
      blocks: { arena: number; offset: number }[];
      outs: Uint32Array[];
      pp: PreparedProbe | undefined;
    }
  | {
      t: 'mask';
      paramId: HeParamId;
      ws: WasmMemory;
      slot: number;
      tau: number;
      pairs: { o1: Uint32Array; o2: Uint32Array | undefined }[];
      /** Per pair: slot rotation applied after masking (per-query permutation), 0 for none. */
      rots?: number[];
      rnd: Uint8Array;
      outs: Uint32Array[];
    }
  | { t: 'close' };

/** The workspace view of this thread, per parameter set (one server per worker). */
const spaces = new Map<HeParamId, Workspace>();
function space(paramId: HeParamId, memory: WasmMemory): Workspace {
  let w = spaces.get(paramId);
  if (!w) {
    w = Workspace.attach(derive(paramId), memory, 1);
    spaces.set(paramId, w);
  }
  return w;
}

function handle(m: WorkerRequest): unknown {
  if (m.t === 'close') {
    spaces.clear();
    return 'closed';
  }
  const d = derive(m.paramId);
  if (m.t === 'mac') {
    macShare(d, m.arenas, m.blocks, m.outs, m.pp, 1);
    return 'ok';
  }
  const ws = space(m.paramId, m.ws);
  if (m.t === 'mask') {
    const per = maskRandomBytes(d);
    const rot = ws.rotations(m.slot);
    for (const [i, p] of m.pairs.entries()) maskPairResidues(d, rot, p.o1, p.o2, m.tau, m.rnd.subarray(i * per, (i + 1) * per), m.outs[i]!, m.rots?.[i] ?? 0);
    return 'ok';
  }
  // Diagonals [from, to): the first from P_0 (main thread's tree slot 0) by one key switch, the rest by the
  // power-of-two tree in this thread's tree region.
  const L = ws.layout;
  const probeU32 = m.arena ? probeView(d, m.arena) : undefined;
  const put = (k: number, upto: number) => {
    const k0 = k - (k % PUT_GROUP);
    const words = Array.from({ length: upto - k0 + 1 }, (_, j) => ws.words(L.treeCt(1, k0 + j)));
    if (probeU32) putDiagonalsU32(d, probeU32, m.from + k0, words);
    else for (const [j, w] of words.entries()) putDiagonal(d, m.pp!, m.from + k0 + j, w);
  };
  const n = m.to - m.from;
  ws.ks.apply(m.slot, ws.keyIndex(m.from), L.treeCt(0, 0), L.treeCt(1, 0));
  for (let k = 1; k < n; k++) {
    const low = k & -k;
    ws.ks.apply(m.slot, ws.keyIndex(low), L.treeCt(1, k - low), L.treeCt(1, k));
    if ((k + 1) % PUT_GROUP === 0 || k === n - 1) put(k, k);
  }
  return 'ok';
}

// Requests are handled one at a time, in order, and answered with their id.
parentPort?.on('message', (m: WorkerRequest & { id: number }) => {
  let reply: { id: number; ok: boolean; r?: unknown; error?: string };
  try {
    reply = { id: m.id, ok: true, r: handle(m) };
  } catch (e) {
    reply = { id: m.id, ok: false, error: String(e) };
  }
  parentPort?.postMessage(reply);
});
