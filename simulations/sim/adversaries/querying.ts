/**
 * Adversaries that act through an analyst's real SDK: an analyst enumerating (dates of birth of one
 * name, or the numbers of one document series) and a member flooding the network with queries. Both
 * report what they got and whether the protocol's budgets and rate limits stopped them.
 */
import { errorCodeOf, type QuerySubject } from '#protocol';
import type { QueryResult } from '#sdk';
import { Counter, summarize } from '../metrics/stats.ts';
import type { Scenario } from '../scenario.ts';
import type { Adversary, AdversaryContext, AdversaryReport } from './adversary.ts';

type EnumSpec = Extract<Scenario['adversaries'][number], { kind: 'enumerating-analyst' }>;
type FloodSpec = Extract<Scenario['adversaries'][number], { kind: 'flooding-member' }>;

const CTX = { purpose: 'criminal-investigation', legalBasis: 'art-3', handling: 'restricted' } as const;
const pad = (n: number) => String(n).padStart(2, '0');

/** Sends `subjects` one every 1000/rate ms from `at` through analyst `id` of `country`; counts answers. */
class Sender {
  pending = 0;
  sent = 0;
  answered = 0;
  readonly refused = new Counter();
  readonly hits: Array<{ n: number; countries: string[] }> = [];

  constructor(
    private readonly ctx: AdversaryContext,
    private readonly country: string,
    private readonly id: string,
  ) {}

  schedule(subjects: readonly QuerySubject[], at: number, ratePerSecond: number): void {
    const { world } = this.ctx;
    for (const [n, subject] of subjects.entries()) {
      this.pending++;
      world.sched.at(at + (n * 1000) / ratePerSecond, `adversary:${this.id}`, () => {
        void this.#one(n, subject).finally(() => this.pending--);
      });
    }
  }

  async #one(n: number, subject: QuerySubject): Promise<void> {
    try {
      const client = await this.ctx.world.analyst(this.country, this.id).client();
      this.sent++;
      const r: QueryResult = await client.query(subject, { ...CTX, caseRef: `${this.id}-${n}` }, { mode: this.ctx.s.workload.lookup });
      this.answered++;
      const hit = r.results.filter((c) => c.status === 'hit').map((c) => c.country);
      if (hit.length > 0) this.hits.push({ n, countries: hit });
      for (const c of r.results) if (c.status !== 'hit' && c.status !== 'no-hit') this.refused.add(c.code ?? c.status);
    } catch (e) {
      this.refused.add(errorCodeOf(e));
    }
  }
}

/** Walks the dates of birth of one held person's name, or the numbers following one held document. */
export function enumeratingAnalyst(spec: EnumSpec): Adversary {
  let sender: Sender | undefined;
  let truthIndex = -1;
  let who = '';
  return {
    kind: spec.kind,
    start(ctx) {
      const { pop } = ctx;
      sender = new Sender(ctx, spec.country, 'enum');
      const subjects: QuerySubject[] = [];
      // the target: the first person (or document) held by a country other than the adversary's
      const ci = pop.countries.findIndex((h) => h.code !== spec.country && h.n > 0);
      const h = pop.countries[ci];
      const k = h ? h.kind.findIndex((x) => x === (spec.target === 'birthdates' ? 0 : 1)) : -1;
      if (!h || k < 0) return;
      const id = h.subject[k] as number;
      if (spec.target === 'birthdates') {
        const p = pop.person(id);
        who = `${h.code}'s person record ${k}`;
        const born = Date.UTC(p.dob.y, p.dob.m - 1, p.dob.d);
        // the walk covers the true date at a seeded position
        const offset = ctx.world.rng.child('adversary:enum').int(spec.queries);
        for (let i = 0; i < spec.queries; i++) {
          const d = new Date(born + (i - offset) * 86_400_000);
          if (i === offset) truthIndex = i;
          subjects.push({ name: `${p.given} ${p.family}`, dob: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` });
        }
      } else {
        const doc = pop.document(id);
        who = `${h.code}'s document record ${k}`;
        const digits = /\d+$/.exec(doc.number)?.[0] ?? '0';
        const stem = doc.number.slice(0, doc.number.length - digits.length);
        for (let i = 0; i < spec.queries; i++) {
          const num = String((Number(digits) + i) % 10 ** digits.length).padStart(digits.length, '0');
          if (i === 0) truthIndex = 0;
          subjects.push({ doc: { ...doc, number: `${stem}${num}` } });
        }
      }
      sender.schedule(subjects, ctx.t0 + spec.at, spec.ratePerSecond);
    },
    busy: () => (sender?.pending ?? 0) > 0,
    report(): AdversaryReport {
      const s = sender;
      const refused = s ? [...Object.values(s.refused.toObject())].reduce((a, b) => a + b, 0) : 0;
      const found = s?.hits.some((h) => h.n === truthIndex) ?? false;
      return {
        kind: spec.kind,
        who: `analyst:${spec.country}/enum`,
        summary: `walked ${spec.queries} ${spec.target} for ${who || 'no target'}: ${s?.answered ?? 0} answered, ${refused} refused, ${s?.hits.length ?? 0} hits${found ? ' (the true one among them)' : ''}`,
        achieved: {
          planned: spec.queries,
          sent: s?.sent ?? 0,
          answered: s?.answered ?? 0,
          refusedCountryAnswers: refused,
          hits: s?.hits.length ?? 0,
          foundTarget: found ? 'yes' : 'no',
          refusals: JSON.stringify(s?.refused.toObject() ?? {}),
        },
        contained: refused > 0 || !found,
      };
    },
  };
}

/** An analyst of one member sending queries for subjects nobody holds at a high rate for a while. */
export function floodingMember(spec: FloodSpec): Adversary {
  let sender: Sender | undefined;
  let window = { from: 0, to: 0 };
  return {
    kind: spec.kind,
    start(ctx) {
      sender = new Sender(ctx, spec.country, 'flood');
      const count = Math.max(1, Math.round((spec.ratePerSecond * spec.for) / 1000));
      const subjects: QuerySubject[] = [];
      for (let i = 0; i < count; i++) subjects.push({ doc: ctx.pop.document(-2_000_000_000 + i) });
      window = { from: ctx.t0 + spec.at, to: ctx.t0 + spec.at + spec.for };
      sender.schedule(subjects, window.from, spec.ratePerSecond);
    },
    busy: () => (sender?.pending ?? 0) > 0,
    report(ctx): AdversaryReport {
      const s = sender;
      const during: number[] = [];
      const outside: number[] = [];
      for (const d of ctx.outcomes.done) {
        if (d.error) continue;
        (d.sentAt >= window.from && d.sentAt < window.to + 5000 ? during : outside).push(d.doneAt - d.sentAt);
      }
      const refused = s ? Object.values(s.refused.toObject()).reduce((a, b) => a + b, 0) : 0;
      const p50During = summarize(during).p50;
      const p50Outside = summarize(outside).p50;
      return {
        kind: spec.kind,
        who: `analyst:${spec.country}/flood`,
        summary: `sent ${s?.sent ?? 0} queries at ${spec.ratePerSecond}/s: ${refused} refusals; other analysts' median latency ${p50During} ms during the flood, ${p50Outside} ms otherwise`,
        achieved: {
          sent: s?.sent ?? 0,
          answered: s?.answered ?? 0,
          refusals: JSON.stringify(s?.refused.toObject() ?? {}),
          othersP50DuringMs: p50During,
          othersP50OutsideMs: p50Outside,
        },
        contained: refused > 0,
      };
    },
  };
}
