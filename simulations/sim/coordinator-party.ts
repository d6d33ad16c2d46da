/**
 * The coordinator in a simulation: the real `createCoordinator` over its real SQLite store, with the
 * simulation's clock, and "the end of an event-loop turn" (its batching boundary) at the end of the
 * current virtual instant. Members connect through `connection.ts`.
 */
import { type Coordinator, CoordinatorConfig, createCoordinator, createTrust, SqliteCoordinatorStore } from '#coordinator';
import { silentLogger } from '#platform';
import { Cpu } from './cpu.ts';
import type { SimPki } from './pki.ts';
import type { PartyClock, Scheduler } from './scheduler.ts';
import { syncFsync } from './sync-fsync.ts';

export class CoordinatorParty {
  readonly name = 'coordinator';
  readonly cpu: Cpu;
  readonly store: SqliteCoordinatorStore;
  readonly acceptor: Coordinator;
  readonly clock: PartyClock;
  readonly config: CoordinatorConfig;
  #members = 0;

  constructor(d: { sched: Scheduler; pki: SimPki; dbPath: string; config: Partial<CoordinatorConfig>; members: number }) {
    this.cpu = new Cpu(this.name, d.sched);
    this.clock = d.sched.clock(this.name);
    this.#members = d.members;
    const signing = d.pki.coordinator.signing;
    this.config = CoordinatorConfig.parse({ name: d.pki.coordinator.name, ...d.config });
    this.store = new SqliteCoordinatorStore(d.dbPath, {
      signer: { sign: (m) => signing.sign(m), publicKey: signing.publicKey() },
      clock: this.clock,
      fsync: syncFsync,
    });
    const trust = createTrust({ bundle: d.pki.bundle, name: this.config.name, meta: this.store.meta, clock: this.clock });
    this.acceptor = createCoordinator({
      config: this.config,
      store: this.store,
      audit: this.store.audit,
      clock: this.clock,
      log: silentLogger,
      trust,
      nextTurn: (fn) => void d.sched.at(d.sched.now, this.name, fn),
    });
  }

  /** Members a query without a target list reaches (for the cost model). */
  members(): number {
    return this.#members;
  }

  async close(): Promise<void> {
    await this.acceptor.close();
    this.clock.kill();
    await this.store.close();
  }
}
