/**
 * `npm run soak -- --minutes M --qps Q`: a real network in this process (coordinator, nodes FR and DE,
 * ten analysts at FR) under an open-loop mixed workload at Q requests per second — blind queries that
 * hit and that miss (each with its lookup), disclosure lists, and a disclosure request now and then —
 * for M minutes. Resident memory is sampled every 10 s; growth is measured from the sample after the
 * first tenth of the run (warm-up: caches, JIT) to the last. Writes `bench/results/soak.json`.
 */
import { initCrypto } from '#crypto';
import type { VeilClient } from '#sdk';
import { CTX, startInproc } from '../test/helpers/inproc.ts';
import { headCommit, writeResultFile } from './harness/results.ts';
import { stats } from './harness/stats.ts';

function arg(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number`);
  return v;
}

const argv = process.argv.slice(2);
const minutes = arg(argv, '--minutes', 30);
const qps = arg(argv, '--qps', 100);
const MAX_IN_FLIGHT = 256;

await initCrypto();
const people = Array.from({ length: 200 }, (_, i) => ({
  id: `de-${i}`,
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: `Weber${String.fromCharCode(65 + (i % 26))}${i}`, given: 'Karl', dob: '1966-06-06' },
}));
// Configured as an operator running this load would: DE's budgets (per country and per analyst) and FR's
// gateway buckets sized for 100 requests/s from ten analysts. With the defaults (FR's gateway: 50
// queries/s for the node; DE: 10,000 evaluations per analyst per day) the workload is refused
// `rate_limited` and `over_budget` by design within minutes.
const policy = {
  v: 1,
  answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }],
  budgets: { dailyEvaluations: 1_000_000_000, perRequester: {}, perAnalyst: { dailyEvaluations: 100_000_000 } },
};
const bucket = (perSecond: number) => ({ perSecond, burst: 2 * perSecond });
const gatewayPolicy = {
  v: 1,
  answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }],
  budgets: { dailyEvaluations: 100_000, perRequester: {} },
  gateway: {
    queries: { perAnalyst: bucket(Math.max(10, qps)), perCountry: bucket(Math.max(50, 2 * qps)) },
    lookups: { perAnalyst: bucket(Math.max(20, 2 * qps)), perCountry: bucket(Math.max(100, 4 * qps)) },
    inFlightPerAnalyst: 64,
  },
};
const net = await startInproc([
  { country: 'FR', policy: gatewayPolicy },
  { country: 'DE', records: people, policy },
]);
const analysts: VeilClient[] = [];
for (let i = 0; i < 10; i++) analysts.push(await net.client('FR', `Soak Analyst ${i}`));
const first = await analysts[0]!.query({ name: `${people[0]!.person.given} ${people[0]!.person.family}`, dob: '1966-06-06' }, CTX, { targets: ['DE'] });
const token = first.results[0]?.hits[0]?.token;

const errors: Record<string, number> = {};
const latencies: number[] = [];
const samples: Array<{ s: number; rssMiB: number; heapMiB: number; inFlight: number }> = [];
let done = 0;
let inFlight = 0;
let skipped = 0;
const started = performance.now();
const end = started + minutes * 60_000;
const mib = () => Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;

const one = async (n: number): Promise<void> => {
  const a = analysts[n % analysts.length]!;
  const t0 = performance.now();
  try {
    const r = n % 20;
    if (r < 10) {
      const p = people[n % people.length]!.person;
      await a.query({ name: `${p.given} ${p.family}`, dob: p.dob }, CTX, { targets: ['DE'] });
    } else if (r < 18) await a.query({ name: `Nobody Soak${n}`, dob: '1980-01-01' }, CTX, { targets: ['DE'] });
    else if (r < 19 || !token) await a.disclosures();
    else await a.requestDisclosure({ country: 'DE', token }, { name: 'Karl WeberA0', dob: '1966-06-06' }, CTX, { fields: ['name'], justification: 'Soak.' });
    latencies.push(performance.now() - t0);
    done++;
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'untyped';
    errors[code] = (errors[code] ?? 0) + 1;
  }
};

const sampler = setInterval(() => {
  // Requests in flight show a backlog: memory held by queued work is not a leak, but the rate is too high.
  samples.push({ s: Math.round((performance.now() - started) / 1000), rssMiB: mib(), heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20), inFlight });
  const x = samples.at(-1);
  console.log(
    `${x?.s}s rss ${x?.rssMiB} MiB, heap ${x?.heapMiB} MiB, in flight ${inFlight}, done ${done}, errors ${JSON.stringify(errors)}, skipped ${skipped}`,
  );
}, 10_000);
let n = 0;
while (performance.now() < end) {
  const due = Math.floor(((performance.now() - started) / 1000) * qps);
  while (n < due) {
    if (inFlight >= MAX_IN_FLIGHT) {
      skipped++;
      n++;
      continue;
    }
    inFlight++;
    void one(n++).finally(() => inFlight--);
  }
  await new Promise((r) => setTimeout(r, 5));
}
while (inFlight > 0) await new Promise((r) => setTimeout(r, 50));
clearInterval(sampler);
const seconds = (performance.now() - started) / 1000;
const warm = samples.find((s) => s.s >= (minutes * 60) / 10) ?? samples[0];
const last = samples.at(-1);
const report = {
  commit: headCommit(),
  at: new Date().toISOString(),
  minutes,
  targetQps: qps,
  achievedQps: Math.round((done / seconds) * 10) / 10,
  requests: done,
  errors,
  skippedOverInFlightCap: skipped,
  latency: stats(latencies),
  rssWarmMiB: warm?.rssMiB,
  rssEndMiB: last?.rssMiB,
  rssGrowthPct: warm && last ? Math.round(((last.rssMiB - warm.rssMiB) / warm.rssMiB) * 1000) / 10 : null,
  samples,
};
const file = writeResultFile('soak.json', report);
console.log(JSON.stringify({ ...report, samples: undefined }, null, 2));
console.log(`written to ${file.pathname}`);
for (const a of analysts) await a.close();
await net.stop();
