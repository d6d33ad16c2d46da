/**
 * A coordinator without sockets or servers, for unit tests: the real `createCoordinator` over an
 * in-memory SQLite store, with real Ed25519 keys, a real organisation root that certifies the members,
 * real login headers and the real codec. Only the member sockets, the TLS channel binding (a random
 * value per connection), the clock (`ManualClock`) and the end of an event-loop turn (`ManualTurns`)
 * are fakes, so tests decide when time passes and when batched frames leave.
 */
import { BoxKeyPair, initCrypto, randomBytes, SigningKey, toHex } from '#crypto';
import { type AuditEntry, ManualClock, silentLogger } from '#platform';
import {
  CoordinatorFrame,
  decodeWith,
  type Envelope,
  encode,
  type ForwardedBioQuery,
  type ForwardedQuery,
  issueCertificate,
  keyId,
  LIMITS,
  loginHeader,
  type NodeFrame,
  signEnvelope,
} from '#protocol';
import { CoordinatorConfig } from './config.ts';
import { type Coordinator, createCoordinator } from './coordinator.ts';
import { SqliteCoordinatorStore } from './store/sqlite-store.ts';
import type { ConnectionHandler, MemberSocket } from './transport.ts';
import { createTrust } from './trust.ts';

type Frame = CoordinatorFrame;
type FrameOf<T extends Frame['t']> = Extract<Frame, { t: T }>;

/** A member socket that records what the coordinator sends and how it closes the connection. */
export class FakeSocket implements MemberSocket {
  open = true;
  readonly sent: Uint8Array[] = [];
  pings = 0;
  terminated = false;
  closedWith: { code: number; reason: string } | undefined;
  /** Called (as a later microtask) once the socket closes, like the transport's close event. */
  onClosed: () => void = () => undefined;
  /** Called on each ping; a live node answers with a pong. */
  onPing: () => void = () => undefined;

  send(frame: Uint8Array): void {
    if (this.open) this.sent.push(frame);
  }

  ping(): void {
    this.pings++;
    this.onPing();
  }

  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
    this.#end();
  }

  terminate(): void {
    this.terminated = true;
    this.#end();
  }

  /** Every frame received so far, decoded. */
  frames(): Frame[] {
    return this.sent.map((b) => decodeWith(b, CoordinatorFrame, LIMITS.maxFrameBytes));
  }

  /** Frames of one kind received so far. */
  framesOf<T extends Frame['t']>(t: T): Array<FrameOf<T>> {
    return this.frames().filter((f): f is FrameOf<T> => f.t === t);
  }

  #end(): void {
    if (!this.open) return;
    this.open = false;
    queueMicrotask(() => this.onClosed());
  }
}

/** The end of an event-loop turn, on demand: what the coordinator defers runs when `run()` is called. */
export class ManualTurns {
  #queue: Array<() => void> = [];
  readonly nextTurn = (fn: () => void): void => {
    this.#queue.push(fn);
  };

  get waiting(): number {
    return this.#queue.length;
  }

  /** Run deferred work, including what it defers in turn, until nothing is left. */
  run(): void {
    while (this.#queue.length > 0) {
      const q = this.#queue;
      this.#queue = [];
      for (const fn of q) fn();
    }
  }
}

/** Let every pending Promise continuation run (the store's Promises resolve in microtasks). */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

export const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-1', legalBasis: 'art-3', handling: 'restricted' } as const;

export const ORG = 'unit-org';

export interface Member {
  readonly country: string;
  readonly key: SigningKey;
  readonly boxPub: Uint8Array;
  /** Its member certificate, signed by the harness's organisation root. */
  readonly certificate: Envelope;
}

export interface Connected extends Member {
  readonly socket: FakeSocket;
  readonly conn: ConnectionHandler;
  send(frame: NodeFrame): void;
  sendRaw(bytes: Uint8Array, isBinary?: boolean): void;
  /** Signs an envelope with this member's node key. */
  sign(payload: unknown): Envelope;
}

export interface Harness {
  readonly coordinator: Coordinator;
  readonly store: SqliteCoordinatorStore;
  readonly clock: ManualClock;
  readonly turns: ManualTurns;
  readonly config: CoordinatorConfig;
  /** The organisation root that certifies members. */
  readonly root: SigningKey;
  /**
   * A member certified by the organisation, known to the coordinator as if it had logged in before (the
   * coordinator learns members from their logins); it is not connected.
   */
  admit(country: string, opts?: { notAfter?: number }): Promise<Member>;
  /**
   * Log in (the upgrade-request check) and open a connection; resolves after the login settles. A
   * refused login throws the typed error, as the transport would answer HTTP 401 with its code.
   */
  connect(m: Member, opts?: { key?: SigningKey; coordinator?: string; relayed?: boolean; noLogin?: boolean }): Promise<Connected>;
  auditEntries(): AuditEntry[];
  close(): Promise<void>;
}

export async function startHarness(config: Partial<CoordinatorConfig> = {}): Promise<Harness> {
  await initCrypto();
  const key = SigningKey.generate();
  const clock = new ManualClock(Date.now());
  const turns = new ManualTurns();
  const cfg = CoordinatorConfig.parse({ name: 'unit-coordinator', ...config });
  const store = new SqliteCoordinatorStore(':memory:', { signer: { sign: (m) => key.sign(m), publicKey: key.publicKey() }, clock });
  const root = SigningKey.generate();
  const trust = createTrust({
    bundle: {
      org: ORG,
      rootPub: root.publicKey(),
      caPem: '',
      caEndorsement: signEnvelope(root, `org:${ORG}`, { unused: true }),
      fingerprint: '',
      coordinatorCert: undefined,
      coordinatorCerts: [],
      rollover: undefined,
    },
    name: cfg.name,
    meta: store.meta,
    clock,
  });
  const coordinator = createCoordinator({ config: cfg, store, audit: store.audit, clock, log: silentLogger, nextTurn: turns.nextTurn, trust });

  return {
    coordinator,
    store,
    clock,
    turns,
    config: cfg,
    root,
    async admit(country, opts = {}) {
      const k = SigningKey.generate();
      const certificate = issueCertificate(root, {
        org: ORG,
        serial: toHex(randomBytes(16)),
        role: 'node',
        name: country,
        signPub: k.publicKey(),
        tlsPub: randomBytes(32),
        roles: ['requester', 'responder'],
        notBefore: clock.now() - 60_000,
        notAfter: opts.notAfter ?? clock.now() + 86_400_000,
        x509: new Uint8Array(8),
      });
      await store.members.admit({ country, signPub: k.publicKey(), cert: encode(certificate) });
      return { country, key: k, boxPub: BoxKeyPair.generate().publicKey(), certificate };
    },
    async connect(m, opts = {}) {
      const binding = randomBytes(32);
      const header = opts.noLogin
        ? undefined
        : loginHeader(opts.key ?? m.key, m.certificate, {
            country: m.country,
            coordinator: opts.coordinator ?? cfg.name,
            binding: opts.relayed ? randomBytes(32) : binding,
            ts: clock.now(),
            nonce: randomBytes(16),
          });
      const who = coordinator.authenticate(header, binding);
      const socket = new FakeSocket();
      const conn = coordinator.accept(socket, who);
      socket.onClosed = () => conn.closed();
      socket.onPing = () => conn.pong();
      const c: Connected = {
        ...m,
        socket,
        conn,
        send: (f) => conn.message(encode(f), true),
        sendRaw: (b, isBinary = true) => conn.message(b, isBinary),
        sign: (payload) => signEnvelope(m.key, keyId.node(m.country), payload),
      };
      await settle();
      return c;
    },
    auditEntries: () => (store.auditLog?.list({ limit: 1000 }) ?? []).map((r) => r.entry).filter((e) => e.kind !== 'audit.checkpoint'),
    async close() {
      await coordinator.close();
      await store.close();
    },
  };
}

/** A forwarded identifier query from `from`, as its gateway node would send it. */
export function fwdQuery(from: string, over: Partial<ForwardedQuery> = {}): ForwardedQuery {
  return {
    t: 'fwd-query',
    id: toHex(randomBytes(16)),
    ts: Date.now(),
    nonce: randomBytes(16),
    from,
    analyst: 'unit-analyst',
    ...CTX,
    targets: null,
    items: [{ cls: 'name_dob', blinded: randomBytes(32) }],
    ...over,
  };
}

/** A forwarded encrypted biometric query from `from`. */
export function fwdBioQuery(from: string, over: Partial<ForwardedBioQuery> = {}): ForwardedBioQuery {
  return {
    t: 'fwd-bio-query',
    id: toHex(randomBytes(16)),
    ts: Date.now(),
    nonce: randomBytes(16),
    from,
    analyst: 'unit-analyst',
    ...CTX,
    targets: null,
    modality: 'face',
    sessionId: toHex(randomBytes(32)),
    probe: randomBytes(64),
    ...over,
  };
}

/** `from` sends query `q` (signed by its node key) over its connection. */
export function sendQuery(from: Connected, q: ForwardedQuery | ForwardedBioQuery): Envelope {
  const env = from.sign(q);
  from.send({ t: 'query', env });
  return env;
}

/** A target's answer to query `id` of `to`, as the bytes a node would send. */
export function answerFrame(target: Connected, to: string, id: string): NodeFrame {
  return { t: 'eval-results', results: [{ to, id, env: encode(target.sign({ t: 'eval-result', id, to, from: target.country })) }] };
}
