/**
 * A simulated network, assembled: the scheduler, the seeded randomness, the links, the PKI, the
 * coordinator, one node per country with its store file under `dir`, and analysts created on demand.
 * Everything else (population, workload, adversaries, metrics) works on a `World`.
 */
import { join } from 'node:path';
import type { CoordinatorConfig } from '#coordinator';
import { initCrypto } from '#crypto';
import type { Policy } from '#node';
import { AnalystParty } from './analyst-party.ts';
import { COORDINATOR } from './connection.ts';
import { CoordinatorParty } from './coordinator-party.ts';
import type { Costs } from './costs.ts';
import { type LinkSpec, SimNetwork } from './links.ts';
import { NodeParty } from './node-party.ts';
import type { Observer } from './observer.ts';
import { SimPki } from './pki.ts';
import { SimRng } from './rng.ts';
import { Scheduler } from './scheduler.ts';

export interface WorldOptions {
  readonly seed: number;
  /** Virtual time at the start (ms since the epoch). */
  readonly start: number;
  readonly countries: readonly string[];
  /** Directory for the SQLite files (the caller creates and removes it). */
  readonly dir: string;
  readonly costs: Costs;
  /** Link between a node and the coordinator, and between an analyst and its node. */
  readonly wan: (country: string) => LinkSpec;
  readonly lan: LinkSpec;
  readonly policy: (country: string) => Policy;
  readonly coordinator: Partial<CoordinatorConfig>;
  readonly heartbeatMs: number;
  readonly queryTimeoutMs: number;
  readonly wrongKey?: ReadonlyMap<string, 'unannounced' | 'announced'>;
  readonly observer: Observer;
}

export class World {
  readonly sched: Scheduler;
  readonly rng: SimRng;
  readonly net: SimNetwork;
  readonly pki: SimPki;
  readonly coordinator: CoordinatorParty;
  readonly nodes = new Map<string, NodeParty>();
  readonly #analysts = new Map<string, AnalystParty>();
  readonly opts: WorldOptions;

  private constructor(o: WorldOptions) {
    this.opts = o;
    this.sched = new Scheduler(o.start);
    this.rng = SimRng.root(o.seed);
    this.pki = new SimPki(this.rng.child('pki'), o.start);
    const countryOf = (party: string) => party.replace(/^(node|analyst):/, '').slice(0, 2);
    this.net = new SimNetwork(this.sched, this.rng.child('net'), (from, to) => {
      if (from === COORDINATOR || to === COORDINATOR) return o.wan(countryOf(from === COORDINATOR ? to : from));
      return o.lan;
    });
    this.coordinator = new CoordinatorParty({
      sched: this.sched,
      pki: this.pki,
      dbPath: join(o.dir, 'coordinator.db'),
      config: o.coordinator,
      members: o.countries.length,
    });
    for (const c of o.countries) {
      const wrongKey = o.wrongKey?.get(c);
      this.nodes.set(
        c,
        new NodeParty({
          member: this.pki.member(c),
          bundle: this.pki.bundle,
          dbPath: join(o.dir, `node-${c}.db`),
          policy: o.policy(c),
          sched: this.sched,
          rng: this.rng.child(`node:${c}`),
          link: { net: this.net, observer: o.observer, costs: o.costs, coordinator: this.coordinator },
          heartbeatMs: o.heartbeatMs,
          queryTimeoutMs: o.queryTimeoutMs,
          ...(wrongKey ? { wrongKey } : {}),
        }),
      );
    }
  }

  static async create(o: WorldOptions): Promise<World> {
    await initCrypto();
    return new World(o);
  }

  node(country: string): NodeParty {
    const n = this.nodes.get(country);
    if (!n) throw new Error(`no node ${country}`);
    return n;
  }

  /** The analyst `id` of `country`, with an account at its node (created on first use). */
  analyst(country: string, id: string): AnalystParty {
    const key = `${country}/${id}`;
    let a = this.#analysts.get(key);
    if (!a) {
      const node = this.node(country);
      const credential = this.pki.analyst(this.pki.member(country), id);
      node.store.analysts.add({ id, name: id, signPub: credential.signing.publicKey(), boxPub: credential.box.publicKey() }, this.sched.now);
      a = new AnalystParty({ credential, node, net: this.net, observer: this.opts.observer, costs: this.opts.costs, rng: this.rng.child(`analyst:${key}`) });
      this.#analysts.set(key, a);
    }
    return a;
  }

  analysts(): AnalystParty[] {
    return [...this.#analysts.values()];
  }

  async close(): Promise<void> {
    for (const a of this.#analysts.values()) await a.close();
    for (const n of this.nodes.values()) n.close();
    await this.coordinator.close();
  }
}
