/**
 * One country's node in a simulation: the real services of `veil node start` (node/server.ts) over its
 * real SQLite store, composed the same way, with the coordinator link dialing through a simulated link
 * and the gateway app answering simulated HTTP. It can crash (its process and timers vanish, the store
 * file stays) and start again from that file, which runs the real recovery: resent outbox chunks,
 * unacknowledged mail, reconnection with backoff.
 *
 * The one adversarial variant built in (`wrongKey`): the responder evaluates with a key other than the
 * one its index was built with — announced in its descriptor or not.
 */
import type { Hono } from 'hono';
import { OprfKey } from '#crypto';
import {
  BioService,
  CoordinatorLink,
  createGatewayApp,
  DisclosureDesk,
  DisclosureOutbox,
  descriptorAnnouncer,
  linkDispatcher,
  Mail,
  type NodeRepositories,
  NodeStore,
  nodeAudit,
  type Policy,
  Publisher,
  Responder,
} from '#node';
import { envelopeFromText, envelopeToText, silentLogger } from '#platform';
import { loginHeader, type TrustBundle } from '#protocol';
import { MemberDirectory } from '#sdk';
import { type ConnectionDeps, type SimConnection, simDialer } from './connection.ts';
import { Cpu } from './cpu.ts';
import type { SimMember } from './pki.ts';
import { SIM_COORDINATOR } from './pki.ts';
import type { SimRng } from './rng.ts';
import type { PartyClock, Scheduler } from './scheduler.ts';
import { syncFsync } from './sync-fsync.ts';

const REVOCATIONS_KEY = 'revocations';
const BIO_TIMEOUT_MS = 120_000;
const BLOCK = 2048;

export interface NodePartyDeps {
  readonly member: SimMember;
  readonly bundle: TrustBundle;
  readonly dbPath: string;
  readonly policy: Policy;
  readonly sched: Scheduler;
  readonly rng: SimRng;
  /** Everything the connection needs but the node itself. */
  readonly link: Omit<ConnectionDeps, 'node'>;
  readonly heartbeatMs: number;
  readonly queryTimeoutMs: number;
  /** Adversarial: evaluate with another key; `announced` also publishes that key in the descriptor. */
  readonly wrongKey?: 'unannounced' | 'announced';
}

interface Running {
  readonly clock: PartyClock;
  readonly link: CoordinatorLink;
  readonly app: Hono;
  readonly members: MemberDirectory;
  readonly desk: DisclosureDesk;
  readonly bio: BioService;
  readonly publisher: Publisher;
  readonly mail: Mail;
  conn: SimConnection | undefined;
}

export class NodeParty {
  readonly country: string;
  readonly name: string;
  readonly cpu: Cpu;
  readonly store: NodeStore;
  #run: Running | undefined;
  #incarnation = 0;
  readonly #d: NodePartyDeps;

  constructor(d: NodePartyDeps) {
    this.#d = d;
    this.country = d.member.country;
    this.name = `node:${this.country}`;
    this.cpu = new Cpu(this.name, d.sched);
    this.store = new NodeStore(d.dbPath, { fsync: syncFsync });
  }

  get up(): boolean {
    return this.#run !== undefined;
  }

  get keys() {
    return this.#d.member.keys;
  }

  /** The member directory as this node sees it (undefined while down). */
  get members(): MemberDirectory | undefined {
    return this.#run?.members;
  }

  get desk(): DisclosureDesk | undefined {
    return this.#run?.desk;
  }

  get bio(): BioService | undefined {
    return this.#run?.bio;
  }

  galleryBlocks(): number {
    return Math.ceil(this.store.gallery.count('face') / BLOCK);
  }

  /** Start the node's services (as `veil node start` does) and dial the coordinator. */
  start(): void {
    if (this.#run) return;
    const { member, sched, rng } = this.#d;
    const country = this.country;
    const keys = member.keys;
    const store = this.store;
    const incarnation = ++this.#incarnation;
    const r = rng.child(`incarnation:${incarnation}`);
    const clock = sched.clock(this.name);
    const log = silentLogger;
    const audit = nodeAudit(store, keys);
    const members = new MemberDirectory(this.#d.bundle, () => clock.now());
    const saved = store.meta.get(REVOCATIONS_KEY);
    if (saved) members.applyRevocations(envelopeFromText(saved, 'stored revocation list'));
    const policy = { current: this.#d.policy };
    const running: Partial<Running> & { conn: SimConnection | undefined } = { conn: undefined };
    const link = new CoordinatorLink({
      urls: ['sim://coordinator'],
      country,
      login: (binding) =>
        loginHeader(keys.signing, member.certificate, { country, coordinator: SIM_COORDINATOR, binding, ts: clock.now(), nonce: r.bytes(16) }),
      log,
      clock,
      heartbeatMs: this.#d.heartbeatMs,
      dial: simDialer({ ...this.#d.link, node: this }, (c) => {
        running.conn = c;
      }),
      random: () => r.next(),
    });
    const responderStore = this.#d.wrongKey ? wrongKeyStore(store, OprfKey.generate('voprf', rng.child('wrong-key').bytes).secretBytes()) : store;
    const responder = new Responder({ country, store: responderStore, keys, policy, members, audit, log, clock });
    const honest = this.#d.wrongKey ? new Responder({ country, store, keys, policy, members, audit, log, clock }) : responder;
    const bio = new BioService({ country, store, keys, policy, members, audit, log, clock, workers: 1, rng: r.child('bio').bytes });
    const desk = new DisclosureDesk({ country, store, keys, audit, policy, clock });
    const outbox = new DisclosureOutbox({ country, store, keys, members, audit, clock });
    const mail = new Mail({ country, store, link, members, desk, outbox, audit, log, clock });
    const announcedKey = this.#d.wrongKey === 'announced' ? () => responder.activeKey() : () => honest.activeKey();
    const announce = descriptorAnnouncer({ country, keys, link, clock, activeKey: announcedKey });
    const publisher = new Publisher({
      country,
      store,
      keys,
      link,
      audit,
      log,
      clock,
      onEpochActivated: () => {
        responder.resetKey();
        if (honest !== responder) honest.resetKey();
        announce();
      },
    });
    const saveRevocations = (list: Parameters<typeof envelopeToText>[0]) => store.meta.set(REVOCATIONS_KEY, envelopeToText(list));
    link.attach(linkDispatcher({ link, members, saveRevocations, responder, bio, publisher, mail, announce, log }));
    bio.syncGallery();
    const app = createGatewayApp({
      country,
      store,
      keys,
      link,
      members,
      audit,
      log,
      outbox,
      clock,
      policy,
      queryTimeoutMs: this.#d.queryTimeoutMs,
      bioTimeoutMs: BIO_TIMEOUT_MS,
    });
    audit.append({ kind: 'node.started', country });
    this.#run = Object.assign(running, { clock, link, app, members, desk, bio, publisher, mail });
    link.start();
  }

  /** The process dies: timers and pending work vanish, the coordinator sees the connection reset. */
  crash(): void {
    const run = this.#run;
    if (!run) return;
    this.#run = undefined;
    run.clock.kill();
    run.conn?.destroy();
    run.publisher.close();
    run.mail.close();
    void run.bio.close();
    this.cpu.reset();
  }

  /** The gateway's answer to one analyst request (status and body), or undefined when the node is down. */
  async http(method: 'GET' | 'POST', path: string, body: Uint8Array | undefined): Promise<{ status: number; bytes: Uint8Array } | undefined> {
    const run = this.#run;
    if (!run) return undefined;
    const res = await run.app.request(path, {
      method,
      ...(body ? { body, headers: { 'content-type': 'application/msgpack' } } : { headers: { accept: 'application/msgpack' } }),
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    // An answer computed by a process that crashed meanwhile never leaves.
    return this.#run === run ? { status: res.status, bytes } : undefined;
  }

  /** Is `run` still the current incarnation? (requests in flight across a crash are lost) */
  get incarnation(): number {
    return this.#run ? this.#incarnation : -1;
  }

  close(): void {
    this.crash();
    this.store.close();
  }
}

/** The store as a responder with another key sees it: the same epochs, another secret. */
function wrongKeyStore(store: NodeStore, wrong: Uint8Array): NodeRepositories {
  const records = new Proxy(store.records, {
    get(target, prop, receiver) {
      if (prop === 'activeEpoch') return () => ({ ...target.activeEpoch(), secret: wrong });
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'records') return records;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as NodeRepositories;
}
