/**
 * The scenario file: what to simulate, validated by zod with errors that name the field. JSON with
 * `//` and `/* … *\/` comments (stripped before parsing). Durations are milliseconds or strings with a
 * unit (`"250ms"`, `"30s"`, `"2m"`, `"1h"`); shares are between 0 and 1. Every field has a default, so
 * `{}` is a valid (tiny) scenario. `docs/simulations.md` describes each field.
 */
import { z } from 'zod';
import { MATCH_CLASSES, PURPOSES, VeilError } from '#protocol';
import { DEFAULT_COSTS } from './costs.ts';
import { WORLD } from './world-countries.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const duration = z.union([
  z.number().nonnegative(),
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, { error: 'a duration is a number of milliseconds or a string like "250ms", "30s", "2m", "1h"' })
    .transform((s) => {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(s) as RegExpExecArray;
      return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    }),
]);
const share = z.number().min(0).max(1);
const KNOWN = new Set(WORLD.map((c) => c.code));
const country = z.string().refine((c) => KNOWN.has(c), { error: 'is not one of the 195 countries (ISO 3166-1 alpha-2, upper case)' });

const LinkSpec = z.strictObject({
  latencyMs: z.number().nonnegative().max(10_000),
  jitterMs: z.number().nonnegative().max(10_000).default(0),
  bandwidthMbps: z.number().positive().max(1_000_000),
  loss: share.default(0),
});

const Countries = z.union([
  z.strictObject({ count: z.number().int().min(2).max(WORLD.length) }),
  z.strictObject({ codes: z.array(country).min(2).max(WORLD.length) }),
]);

const Population = z.strictObject({
  recordsPerCountry: z.number().int().min(1).max(1_000_000).default(300),
  /** What a country's records are: persons, (stolen/lost) documents, (stolen) vehicles. */
  mix: z.strictObject({ persons: share, documents: share, vehicles: share }).default({ persons: 0.6, documents: 0.25, vehicles: 0.15 }),
  /** Share of a country's person records about persons another country also holds. */
  overlap: share.default(0.2),
  /** Share of person records that carry an alias (another spelling or name of the person). */
  aliases: share.default(0.1),
  /** Share of person records with a typing error in the family name. */
  typos: share.default(0.02),
  /** Share of person records missing a field (sex, given name, or day and month of birth). */
  missingFields: share.default(0.05),
  /** Share of person records with the person's passport. */
  passports: share.default(0.4),
  faces: z
    .strictObject({
      /** How many countries hold face templates (the first ones of the list). */
      countries: z.number().int().min(0).max(WORLD.length).default(2),
      /** Share of those countries' person records with a face template. */
      share: share.default(0.5),
      /** Capture quality a = σ²·d range (larger is noisier; genuine cosine ≈ 1/√((1+a₁)(1+a₂))). */
      quality: z.tuple([z.number().min(0).max(20), z.number().min(0).max(20)]).default([0.25, 0.65]),
    })
    .default({ countries: 2, share: 0.5, quality: [0.25, 0.65] }),
});

const Arrival = z.discriminatedUnion('process', [
  z.strictObject({ process: z.literal('poisson'), ratePerSecond: z.number().positive().max(10_000) }),
  z.strictObject({
    process: z.literal('bursts'),
    ratePerSecond: z.number().positive().max(10_000),
    burstSize: z.number().int().min(1).max(100_000),
    burstEvery: duration,
  }),
]);

const Disclosures = z.strictObject({
  /** Share of identifier hits an analyst follows with a disclosure request. */
  share: share.default(0.3),
  /** Mean delay of a data owner's decision (exponential). */
  decisionDelay: duration.default(600_000),
  approve: share.default(0.7),
  deny: share.default(0.2),
});

const Workload = z.strictObject({
  queries: z.number().int().min(0).max(1_000_000).default(100),
  arrival: Arrival.default({ process: 'poisson', ratePerSecond: 2 }),
  mix: z.strictObject({ document: share, vehicle: share, name: share, biometric: share }).default({ document: 0.25, vehicle: 0.1, name: 0.55, biometric: 0.1 }),
  /** Share of queries about a person, document or vehicle some country holds (the rest: absent). */
  present: share.default(0.7),
  /** Share of name queries typed from another source (a variant of the name, date or script). */
  variants: share.default(0.5),
  /** Which countries a query asks: every other member, or that many chosen at random. */
  targets: z
    .union([
      z.literal('all'),
      z.strictObject({
        random: z
          .number()
          .int()
          .min(1)
          .max(WORLD.length - 1),
      }),
    ])
    .default('all'),
  lookup: z.enum(['exact', 'bucket']).default('exact'),
  /** Countries whose analysts send the queries (the first ones of the list); default every country. */
  requesters: z.number().int().min(1).max(WORLD.length).optional(),
  analystsPerCountry: z.number().int().min(1).max(100).default(2),
  purpose: z.enum(PURPOSES).default('criminal-investigation'),
  disclosures: Disclosures.default({ share: 0.3, decisionDelay: 600_000, approve: 0.7, deny: 0.2 }),
  keyRotations: z
    .array(z.strictObject({ country, at: duration }))
    .max(1000)
    .default([]),
  deletions: z
    .array(z.strictObject({ country, at: duration, records: z.number().int().min(1).max(1_000_000) }))
    .max(1000)
    .default([]),
  /** Start sending queries this long after the network is up (publication, directories). */
  warmup: duration.default(5000),
});

const Fault = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('node-down'), country, at: duration, for: duration }),
  z.strictObject({ kind: z.literal('partition'), countries: z.array(country).min(1), at: duration, for: duration }),
]);

const Adversary = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('enumerating-analyst'),
    country,
    /** What it walks through: document numbers of one series, or the dates of birth of one name. */
    target: z.enum(['documents', 'birthdates']).default('birthdates'),
    queries: z.number().int().min(1).max(100_000).default(200),
    ratePerSecond: z.number().positive().max(10_000).default(5),
    at: duration.default(10_000),
  }),
  z.strictObject({ kind: z.literal('wrong-key-member'), country, announced: z.boolean().default(false) }),
  z.strictObject({ kind: z.literal('curious-coordinator') }),
  z.strictObject({
    kind: z.literal('colluding-members'),
    countries: z.array(country).min(2),
    /** The coordinator colludes too (it holds the tags the analysts look up). */
    withCoordinator: z.boolean().default(false),
  }),
  z.strictObject({
    kind: z.literal('flooding-member'),
    country,
    ratePerSecond: z.number().positive().max(100_000).default(500),
    at: duration.default(10_000),
    for: duration.default(5000),
  }),
]);

const Policy = z.strictObject({
  dailyEvaluations: z.number().int().nonnegative().default(100_000),
  perAnalystDailyEvaluations: z.number().int().nonnegative().default(10_000),
  dailyBioQueries: z.number().int().nonnegative().default(1000),
  /** Match classes nodes answer (default all). */
  classes: z.array(z.enum(MATCH_CLASSES)).min(1).optional(),
  /** How long a data owner has to decide a disclosure request before it expires. */
  disclosureDeadline: duration.default(3_600_000),
});

const Coordinator = z.strictObject({
  queryDeadlineMs: z.number().int().min(50).max(60_000).default(3000),
  bioDeadlineMs: z.number().int().min(100).max(600_000).default(60_000),
  ratePerCountry: z.number().positive().max(100_000).default(200),
  heartbeatMs: z.number().int().min(100).max(120_000).default(15_000),
});

const costShape = Object.fromEntries(Object.keys(DEFAULT_COSTS).map((k) => [k, z.number().nonnegative().max(600_000).optional()])) as Record<
  keyof typeof DEFAULT_COSTS,
  z.ZodOptional<z.ZodNumber>
>;

export const Scenario = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'letters, digits, . _ - only (it names files)' })
    .default('scenario'),
  description: z.string().max(2000).default(''),
  seed: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 32 - 1)
    .default(1),
  start: z.iso.datetime().default('2026-06-01T08:00:00Z'),
  countries: Countries.default({ count: 4 }),
  population: Population.default(Population.parse({})),
  network: z
    .strictObject({
      wan: LinkSpec.default({ latencyMs: 40, jitterMs: 8, bandwidthMbps: 100, loss: 0.001 }),
      lan: LinkSpec.default({ latencyMs: 0.5, jitterMs: 0.1, bandwidthMbps: 1000, loss: 0 }),
      perCountry: z.record(country, LinkSpec.partial()).default({}),
    })
    .default({
      wan: { latencyMs: 40, jitterMs: 8, bandwidthMbps: 100, loss: 0.001 },
      lan: { latencyMs: 0.5, jitterMs: 0.1, bandwidthMbps: 1000, loss: 0 },
      perCountry: {},
    }),
  faults: z.array(Fault).max(10_000).default([]),
  workload: Workload.default(Workload.parse({})),
  policy: Policy.default(Policy.parse({})),
  coordinator: Coordinator.default(Coordinator.parse({})),
  adversaries: z.array(Adversary).max(100).default([]),
  /** `queried`: stand-in tags for keys no query of the run derives (see tagger.ts); `all`: evaluate every key. */
  index: z.strictObject({ tags: z.enum(['all', 'queried']).default('all') }).default({ tags: 'all' }),
  costs: z.strictObject(costShape).default({}),
  metrics: z
    .strictObject({
      /** Probes whose encrypted scores are decrypted unmasked for the DET curve (on the same galleries). */
      detProbes: z.number().int().min(0).max(1000).default(6),
      throughputBin: duration.default(10_000),
    })
    .default({ detProbes: 6, throughputBin: 10_000 }),
  /** Deliberate faults of the people involved, to see the ledger catch them. */
  inject: z.strictObject({ caseRefLeaks: share.default(0) }).default({ caseRefLeaks: 0 }),
  /** The run ends this long after the last scheduled event (decisions, faults), at the latest. */
  drain: duration.default(120_000),
});
export type Scenario = z.infer<typeof Scenario>;

/** Remove `//` and `/* *\/` comments outside strings. */
export function stripComments(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
    } else if (c === '"') {
      inString = true;
      out += c;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Parse and validate a scenario's text; the error names the file, the field and what is wrong. */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(stripComments(text));
  } catch (e) {
    throw new VeilError('bad_config', `${source}: not valid JSON (after removing comments): ${e instanceof Error ? e.message : 'syntax error'}`);
  }
  return parseScenarioValue(raw, source);
}

/** Validate a parsed scenario value (the error names the source and the field). */
export function parseScenarioValue(raw: unknown, source = 'scenario'): Scenario {
  const r = Scenario.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new VeilError('bad_config', `${source}: ${issues.join('; ')}`);
  }
  return r.data;
}

/** The scenario's countries, in order. */
export function scenarioCountries(s: Scenario): string[] {
  return 'count' in s.countries ? WORLD.slice(0, s.countries.count).map((c) => c.code) : [...s.countries.codes];
}
