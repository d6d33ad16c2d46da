/**
 * From a scenario to a running network: the world (parties, links, PKI), the population and its
 * records imported into every node's store, the planned workload, and the network brought up — every
 * node logged in, its index published and acknowledged, and every directory complete — before the
 * workload starts.
 */
import { OprfKey } from '#crypto';
import { DEFAULT_GATEWAY_LIMITS, DEFAULT_PER_ANALYST, type Policy } from '#node';
import { DEFAULT_COSTS } from './costs.ts';
import { Holders } from './metrics/truth.ts';
import { writeRecords } from './node-data.ts';
import type { Observer } from './observer.ts';
import { Population } from './population.ts';
import { type Scenario, scenarioCountries } from './scenario.ts';
import { oprfTagger, type TagCounts } from './tagger.ts';
import { type Plan, planWorkload } from './workload.ts';
import { World } from './world.ts';
import { worldCountry } from './world-countries.ts';

export type Progress = (phase: string, done: number, total: number) => void;

/** The longest a network may take to come up (virtual time) before the run gives up. */
const MAX_STARTUP_MS = 3_600_000;

export interface Prepared {
  readonly world: World;
  readonly pop: Population;
  readonly plan: Plan;
  readonly holders: Holders;
  readonly tagger: ReturnType<typeof oprfTagger>;
  readonly tags: TagCounts;
  readonly imported: { records: number; refused: number; reasons: string[]; tags: number; templates: number };
  /** Virtual time when the network was up (every index published, every directory complete). */
  readonly readyAt: number;
}

export function scenarioPolicy(s: Scenario): Policy {
  return {
    v: 1,
    answer: [{ requesters: ['*'], purposes: ['*'], classes: s.policy.classes ?? ['*'] }],
    budgets: {
      dailyEvaluations: s.policy.dailyEvaluations,
      perRequester: {},
      dailyBioQueries: s.policy.dailyBioQueries,
      perAnalyst: { ...DEFAULT_PER_ANALYST, dailyEvaluations: s.policy.perAnalystDailyEvaluations },
    },
    disclosure: { deadlineHours: s.policy.disclosureDeadline / 3_600_000, autoApprove: [] },
    gateway: DEFAULT_GATEWAY_LIMITS,
  };
}

export async function prepare(
  s: Scenario,
  dir: string,
  observer: Observer,
  opts: { wrongKey?: ReadonlyMap<string, 'unannounced' | 'announced'>; onProgress?: Progress } = {},
): Promise<Prepared> {
  const countries = scenarioCountries(s);
  const start = Date.parse(s.start);
  const policy = scenarioPolicy(s);
  const world = await World.create({
    seed: s.seed,
    start,
    countries,
    dir,
    costs: { ...DEFAULT_COSTS, ...definedOnly(s.costs) },
    wan: (c) => ({ ...s.network.wan, ...definedOnly(s.network.perCountry[c] ?? {}) }),
    lan: s.network.lan,
    policy: () => policy,
    coordinator: s.coordinator,
    heartbeatMs: s.coordinator.heartbeatMs,
    queryTimeoutMs: Math.max(10_000, s.coordinator.queryDeadlineMs + 5000),
    ...(opts.wrongKey ? { wrongKey: opts.wrongKey } : {}),
    observer,
  });
  const pop = new Population(
    s.seed,
    countries.map((c) => worldCountry(c) ?? { code: c, spec: { code: c, scripts: ['latin'], mix: { de: 100 } } }),
    s.population,
  );
  const plan = planWorkload(s, pop, countries, world.rng.child('workload'));
  const tags: TagCounts = { evaluated: 0, standIn: 0 };
  const tagger = oprfTagger(tags, s.index.tags === 'queried' ? plan.queriedKeys : undefined);
  const imported = { records: 0, refused: 0, reasons: [] as string[], tags: 0, templates: 0 };
  for (const [ci, c] of countries.entries()) {
    const n = world.node(c);
    n.store.tx(() => n.store.records.addEpoch(1, OprfKey.generate('voprf', world.rng.child(`oprf:${c}:1`).bytes).secretBytes(), 'active', start));
    const h = pop.countries[ci];
    const raw: object[] = [];
    for (let k = 0; k < (h?.n ?? 0); k++) raw.push(pop.record(ci, k));
    const r = writeRecords(n.store, n.keys, c, raw, tagger, start);
    imported.records += r.written;
    imported.refused += r.refused;
    imported.tags += r.tags;
    imported.templates += r.templates;
    for (const why of r.reasons) if (imported.reasons.length < 5) imported.reasons.push(`${c}: ${why}`);
    opts.onProgress?.('import', ci + 1, countries.length);
  }
  const holders = new Holders(pop, plan.queries);
  for (const n of world.nodes.values()) n.start();
  const all = countries.length;
  const ready = () => [...world.nodes.values()].every((n) => n.up && n.store.records.outboxCount() === 0 && (n.members?.all().length ?? 0) === all);
  await world.sched.run({ until: start + MAX_STARTUP_MS, stop: ready, onTime: () => opts.onProgress?.('startup', countReady(world, all), all) });
  if (!ready()) throw new Error('the simulated network did not come up within an hour of virtual time');
  return { world, pop, plan, holders, tagger, tags, imported, readyAt: world.sched.now };
}

function countReady(world: World, all: number): number {
  let n = 0;
  for (const node of world.nodes.values()) if (node.up && node.store.records.outboxCount() === 0 && (node.members?.all().length ?? 0) === all) n++;
  return n;
}

/** An object without its undefined fields (scenario overrides of defaults). */
export function definedOnly<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]-?: Exclude<T[K], undefined> };
}
