/**
 * Plays the planned workload on a world: each query at its time through its analyst's real SDK,
 * disclosure requests after hits and the data owners' decisions after a delay, key rotations, record
 * deletions, nodes going down and up, partitions. Records what happened for the metrics.
 */
import { OprfKey } from '#crypto';
import { errorCodeOf, type Purpose } from '#protocol';
import type { Disclosure, VeilClient } from '#sdk';
import type { Outcomes } from './metrics/outcomes.ts';
import { Counter, sortedObject, summarize } from './metrics/stats.ts';
import { deleteRecords, rotateKey, type Tagger } from './node-data.ts';
import type { Population } from './population.ts';
import type { SimRng } from './rng.ts';
import type { Scenario } from './scenario.ts';
import type { PlannedEvent, PlannedQuery } from './workload.ts';
import type { World } from './world.ts';

const OWNER_POLL_MS = 30_000;
const ANALYST_POLL_MS = 60_000;
const FIELDS = ['name', 'dob', 'nationality'] as const;

interface Requested {
  readonly at: number;
  readonly owner: string;
  decided?: { at: number; status: string; code?: string };
}

export class Driver {
  #inFlight = 0;
  #lastEventAt = 0;
  readonly #requests: Requested[] = [];
  readonly #ownerSeen = new Set<string>();
  readonly decisions = new Counter();
  readonly events = new Counter();
  readonly #r: SimRng;

  constructor(
    private readonly s: Scenario,
    private readonly world: World,
    private readonly pop: Population,
    private readonly outcomes: Outcomes,
    private readonly tagger: Tagger,
    rng: SimRng,
  ) {
    this.#r = rng;
  }

  /** Schedule every planned event from `t0`, and the data owners' desks. */
  schedule(events: readonly PlannedEvent[], t0: number): void {
    const sched = this.world.sched;
    for (const e of events) {
      this.#lastEventAt = Math.max(this.#lastEventAt, t0 + e.at);
      sched.at(t0 + e.at, 'driver', () => this.#run(e));
    }
    for (const node of this.world.nodes.values()) {
      const r = this.#r.child(`owner:${node.country}`);
      const clock = sched.clock(`owner:${node.country}`);
      clock.setInterval(() => this.#ownerRound(node.country, r), OWNER_POLL_MS);
    }
  }

  /** Nothing left to do: every event ran, every query answered, every disclosure decided. */
  idle(): boolean {
    return this.world.sched.now >= this.#lastEventAt && this.#inFlight === 0 && this.#requests.every((q) => q.decided);
  }

  get lastEventAt(): number {
    return this.#lastEventAt;
  }

  #run(e: PlannedEvent): void {
    this.events.add(e.t);
    const w = this.world;
    switch (e.t) {
      case 'query':
        this.#inFlight++;
        void this.#query(e).finally(() => this.#inFlight--);
        return;
      case 'rotate': {
        const n = w.node(e.country);
        const secret = OprfKey.generate('voprf', this.#r.child(`rotate:${e.country}:${e.at}`).bytes).secretBytes();
        rotateKey(n.store, n.keys, e.country, secret, this.tagger, w.sched.nowMs);
        return;
      }
      case 'delete': {
        const ci = this.pop.countries.findIndex((h) => h.code === e.country);
        const h = this.pop.countries[ci];
        if (!h) return;
        const r = this.#r.child(`delete:${e.country}:${e.at}`);
        const ks: number[] = [];
        for (let tries = 0; ks.length < e.records && tries < e.records * 20; tries++) {
          const k = r.int(h.n);
          if (h.deleted[k] !== 1 && !ks.includes(k)) ks.push(k);
        }
        const n = w.node(e.country);
        deleteRecords(
          n.store,
          n.keys,
          e.country,
          ks.map((k) => `${e.country}-${k}`),
        );
        for (const k of ks) h.deleted[k] = 1;
        return;
      }
      case 'down':
        w.node(e.country).crash();
        w.net.cuts.cut(w.node(e.country).name, 'coordinator');
        return;
      case 'up':
        w.net.cuts.heal(w.node(e.country).name, 'coordinator');
        w.node(e.country).start();
        return;
      case 'cut':
        for (const c of e.countries) w.net.cuts.cut(w.node(c).name, 'coordinator');
        return;
      case 'heal':
        for (const c of e.countries) w.net.cuts.heal(w.node(c).name, 'coordinator');
        return;
      default: {
        const never: never = e;
        throw new Error(`unknown event ${String(never)}`);
      }
    }
  }

  async #query(q: PlannedQuery): Promise<void> {
    const sched = this.world.sched;
    const sentAt = sched.now;
    const ctx = {
      purpose: this.s.workload.purpose as Purpose,
      caseRef: q.leak ? leakyCaseRef(q) : `case-${q.requester}-${q.n}`,
      legalBasis: 'art-3',
      handling: 'restricted' as const,
    };
    let client: VeilClient;
    try {
      client = await this.world.analyst(q.requester, q.analyst).client();
      if (q.kind === 'biometric') {
        const probe = this.pop.face(q.face ?? -1, 1000 + q.n);
        const r = await client.bioMatch('face', probe, ctx, q.targets ? { targets: q.targets } : {});
        this.outcomes.biometric(q, r, sentAt, sched.now);
        return;
      }
      if (!q.subject) return;
      const r = await client.query(q.subject, ctx, { mode: this.s.workload.lookup, ...(q.targets ? { targets: q.targets } : {}) });
      this.outcomes.identifier(q, r, sentAt, sched.now);
      const hit = r.results.find((c) => c.status === 'hit' && c.hits.length > 0);
      if (hit && this.#r.chance(this.s.workload.disclosures.share)) {
        const token = hit.hits[0]?.token ?? '';
        const req: Requested = { at: sched.now, owner: hit.country };
        this.#requests.push(req);
        try {
          const receipt = await client.requestDisclosure({ country: hit.country, token }, q.subject, ctx, {
            fields: [...FIELDS],
            justification: `simulated case ${q.n}`,
          });
          void this.#follow(client, receipt.id, req);
        } catch (e) {
          req.decided = { at: sched.now, status: 'not-sent', code: errorCodeOf(e) };
          this.decisions.add(`not-sent:${errorCodeOf(e)}`);
        }
      }
    } catch (e) {
      this.outcomes.failed(q, sentAt, sched.now, errorCodeOf(e));
    }
  }

  /** The analyst checks its requests now and then until the owner has decided. */
  async #follow(client: VeilClient, id: string, req: Requested): Promise<void> {
    const sched = this.world.sched;
    this.#inFlight++;
    try {
      for (;;) {
        await new Promise<void>((resolve) => sched.after(ANALYST_POLL_MS, 'driver', resolve));
        let mine: Disclosure | undefined;
        try {
          mine = (await client.disclosures()).find((d) => d.id === id);
        } catch {
          continue;
        }
        if (mine && mine.status !== 'sent' && mine.status !== 'pending') {
          req.decided = { at: sched.now, status: mine.status, ...(mine.code ? { code: mine.code } : {}) };
          this.decisions.add(mine.code ? `${mine.status}:${mine.code}` : mine.status);
          return;
        }
        if (sched.now > this.#lastEventAt + this.s.drain) {
          req.decided = { at: sched.now, status: 'undecided-at-end' };
          this.decisions.add('undecided-at-end');
          return;
        }
      }
    } finally {
      this.#inFlight--;
    }
  }

  /** A data owner at `country` looks at the desk and decides new requests after a delay. */
  #ownerRound(country: string, r: SimRng): void {
    const desk = this.world.node(country).desk;
    if (!desk) return;
    const d = this.s.workload.disclosures;
    for (const v of desk.list('pending')) {
      const key = `${country}/${v.id}`;
      if (this.#ownerSeen.has(key)) continue;
      this.#ownerSeen.add(key);
      const x = r.next();
      if (x >= d.approve + d.deny) continue; // nobody decides: it expires at the deadline
      this.world.sched.after(r.exp(d.decisionDelay), `owner:${country}`, () => {
        const desk2 = this.world.node(country).desk;
        if (!desk2) return;
        try {
          if (x < d.approve) desk2.approve(v.id, v.fields, 'sim-owner');
          else desk2.deny(v.id, 'not enough grounds (simulated)', 'sim-owner');
        } catch {
          // decided meanwhile (expired): the first decision stands
        }
      });
    }
  }

  /** The results' `disclosures` section. */
  summary(): object {
    for (const q of this.#requests) {
      if (q.decided) continue;
      q.decided = { at: this.world.sched.now, status: 'undecided-at-end' };
      this.decisions.add('undecided-at-end');
    }
    const turnaround = this.#requests
      .filter((q) => q.decided && q.decided.status !== 'not-sent' && q.decided.status !== 'undecided-at-end')
      .map((q) => (q.decided?.at ?? 0) - q.at);
    return {
      requested: this.#requests.length,
      outcomes: this.decisions.toObject(),
      turnaroundMs: summarize(turnaround),
      byOwner: sortedObject(countBy(this.#requests.map((q) => q.owner))),
    };
  }
}

function countBy(xs: readonly string[]): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m];
}

/** A case reference an analyst wrote with the subject's name in it (ASCII, as the field allows). */
function leakyCaseRef(q: PlannedQuery): string {
  const s = q.subject;
  const raw = s && 'name' in s ? s.name : s && 'doc' in s ? s.doc.number : s && 'vin' in s ? s.vin : 'unknown';
  const ascii = raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 50);
  return `case-${ascii || 'x'}`;
}
