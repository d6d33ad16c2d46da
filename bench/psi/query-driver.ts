/**
 * The analyst side of the end-to-end benchmark: query subjects (half held by some node, half invented),
 * and a driver that runs warm-up, sequential and concurrent blind queries through the SDK, timing each
 * and, optionally, the SDK's HTTP calls by path.
 */
import { decode, LIMITS, matchKeysForQuery, type QuerySubject } from '#protocol';
import type { VeilClient } from '#sdk';
import { rng32, type SyntheticRecord } from '#simulations';
import { stats } from '../harness/stats.ts';
import { CTX } from './config.ts';
import type { E2eRun } from './result.ts';

const SYLLABLES = ['ka', 'zo', 'vri', 'mun', 'tel', 'qua', 'dex', 'sib', 'ror', 'yul', 'fen', 'gap', 'hox', 'lum', 'wex', 'tyr'];

/** Half the subjects are persons some node holds (hits), half invented names (misses). */
export function querySubjects(byCountry: Map<string, SyntheticRecord[]>, gateway: string, n: number, seed: number): QuerySubject[] {
  const r = rng32(seed);
  const others = [...byCountry.entries()].filter(([c]) => c !== gateway).map(([, recs]) => recs.filter((x) => x.kind === 'person'));
  const out: QuerySubject[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      const recs = others[Math.floor(r() * others.length)]!;
      const p = recs[Math.floor(r() * recs.length)]!.person as { given: string; family: string; dob: string };
      out.push({ name: `${p.given} ${p.family}`, dob: p.dob });
    } else {
      const word = () => Array.from({ length: 3 }, () => SYLLABLES[Math.floor(r() * SYLLABLES.length)]).join('');
      const y = 1950 + Math.floor(r() * 55);
      const m = 1 + Math.floor(r() * 12);
      const d = 1 + Math.floor(r() * 28);
      out.push({ name: `${word()} ${word()}`, dob: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` });
    }
  }
  return out;
}

/** What the lookup answers cost the analyst: wire bytes, the part of them that is proof, when each arrived. */
interface LookupProbe {
  lookups: number;
  wireBytes: number;
  proofBytes: number;
  /** performance.now() when the last /v1/lookup body had been read; the SDK verifies from then on. */
  lastAt: number;
}

/**
 * The proof part of a lookup answer: per country the node-signed commitment (kid, payload, signature),
 * per bucket its 16 sibling hashes. Entries are not counted: they are the answer itself (in exact mode a
 * bucket holds the hit, or nothing, or rarely a neighbour with the same 16-bit prefix).
 */
function proofBytesOf(body: Uint8Array): number {
  const r = decode(body, LIMITS.maxFrameBytes) as {
    results?: Array<{ commitment: { kid: string; payload: Uint8Array; sig: Uint8Array }; buckets: Array<{ path: Uint8Array[] }> }>;
  };
  let n = 0;
  for (const c of r.results ?? []) {
    n += c.commitment.kid.length + c.commitment.payload.length + c.commitment.sig.length;
    for (const b of c.buckets) for (const h of b.path) n += h.length;
  }
  return n;
}

/** Times the SDK's HTTP calls by path while `fn` runs (the SDK uses the global fetch), and probes lookup answers. */
async function withFetchTiming<T>(fn: () => Promise<T>, probe: LookupProbe): Promise<{ value: T; byPath: Map<string, number> }> {
  const byPath = new Map<string, number>();
  const real = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const t = performance.now();
    const res = await real(input, init);
    const body = await res.arrayBuffer();
    const path = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).pathname;
    byPath.set(path, (byPath.get(path) ?? 0) + performance.now() - t);
    if (path === '/v1/lookup' && res.ok) {
      probe.lookups++;
      probe.wireBytes += body.byteLength;
      probe.proofBytes += proofBytesOf(new Uint8Array(body));
      probe.lastAt = performance.now();
    }
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  try {
    return { value: await fn(), byPath };
  } finally {
    globalThis.fetch = real;
  }
}

export async function driveQueries(
  client: VeilClient,
  subjects: QuerySubject[],
  opts: { warmup: number; sequential: number; concurrent: number; concurrency: number; timeBreakdown: boolean },
): Promise<Omit<E2eRun, 'setting' | 'nodes' | 'recordsPerNode' | 'setupMs' | 'otherCpuPct'>> {
  let next = 0;
  const take = () => subjects[next++ % subjects.length]!;
  for (let i = 0; i < opts.warmup; i++) await client.query(take(), CTX);

  const statuses: Record<string, number> = {};
  let hitQueries = 0;
  let keys = 0;
  const seqLat: number[] = [];
  const probe: LookupProbe = { lookups: 0, wireBytes: 0, proofBytes: 0, lastAt: 0 };
  const verifyLat: number[] = [];
  const sequential = async () => {
    for (let i = 0; i < opts.sequential; i++) {
      const s = take();
      keys += matchKeysForQuery(s).length;
      const t = performance.now();
      const seen = probe.lookups;
      const r = await client.query(s, CTX);
      const end = performance.now();
      seqLat.push(end - t);
      // After the lookup answer the SDK only decodes it, checks each commitment and bucket path, and matches.
      if (probe.lookups > seen) verifyLat.push(end - probe.lastAt);
      if (r.results.some((c) => c.status === 'hit')) hitQueries++;
      for (const c of r.results) statuses[c.status] = (statuses[c.status] ?? 0) + 1;
    }
  };
  let breakdownMs: E2eRun['breakdownMs'];
  let lookupProof: E2eRun['lookupProof'];
  if (opts.timeBreakdown) {
    const { byPath } = await withFetchTiming(sequential, probe);
    const per = (p: string) => (byPath.get(p) ?? 0) / opts.sequential;
    const total = seqLat.reduce((a, b) => a + b, 0) / opts.sequential;
    const r2 = (x: number) => Math.round(x * 100) / 100;
    breakdownMs = {
      queryCall: r2(per('/v1/query')),
      lookupCall: r2(per('/v1/lookup')),
      membersCall: r2(per('/v1/members')),
      clientSide: r2(total - per('/v1/query') - per('/v1/lookup') - per('/v1/members')),
    };
    const lookups = Math.max(1, probe.lookups);
    lookupProof = {
      lookups: probe.lookups,
      wireBytesPerLookup: Math.round(probe.wireBytes / lookups),
      proofBytesPerLookup: Math.round(probe.proofBytes / lookups),
      verify: stats(verifyLat),
    };
  } else {
    await sequential();
  }

  const conLat: number[] = [];
  let remaining = opts.concurrent;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (remaining > 0) {
        remaining--;
        const t = performance.now();
        await client.query(take(), CTX);
        conLat.push(performance.now() - t);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  return {
    sequential: stats(seqLat),
    concurrent: {
      ...stats(conLat),
      concurrency: opts.concurrency,
      queriesPerSec: Math.round((opts.concurrent * 10000) / wallMs) / 10,
      wallMs: Math.round(wallMs),
    },
    hitQueries,
    statuses,
    meanKeysPerQuery: keys / Math.max(1, opts.sequential),
    ...(breakdownMs ? { breakdownMs } : {}),
    ...(lookupProof ? { lookupProof } : {}),
  };
}
