/**
 * The load generator of the fan-out benchmark: 195 fake members, each logged in on its own authenticated
 * websocket. One member (the gateway) sends signed queries to all others through the coordinator; every
 * member answers each evaluation request with one pre-signed answer; results and errors are counted
 * into the current phase.
 */

import type { ClientRequest } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { type RawData, WebSocket } from 'ws';
import { randomBytes, type SigningKey, toHex } from '#crypto';
import { channelBinding } from '#platform';
import {
  type Answer,
  CoordinatorFrame,
  decode,
  decodeWith,
  type Envelope,
  encode,
  type ForwardedQuery,
  keyId,
  LIMITS,
  LOGIN_HEADER,
  loginHeader,
  type NodeFrame,
  signEnvelope,
} from '#protocol';
import { CTX } from './config.ts';

/** A member country simulated by the load generator: its keys, its signed descriptor and answer. */
export interface FakeMember {
  readonly country: string;
  readonly key: SigningKey;
  /** Its member certificate from the benchmark's organisation. */
  readonly certificate: Envelope;
  readonly boxPub: Uint8Array;
  readonly descriptor: Envelope;
  /**
   * A signed EvalResult of realistic size and content, sent back for every query (see `benchFanout`),
   * encoded once: answers pass through the coordinator as bytes.
   */
  readonly answer: Uint8Array;
  ws?: WebSocket;
}

/**
 * The `t` of a frame from its first bytes, without decoding it: every Veil frame is a msgpack map whose
 * first key is "t" with a short string value. Lets the load generator skip the large `members` frames.
 */
function frameType(b: Uint8Array): string | undefined {
  // fixmap (0x8N) or map16 (0xde + 2 length bytes), as msgpackr writes objects
  const o = (b[0]! & 0xf0) === 0x80 ? 1 : b[0] === 0xde ? 3 : -1;
  if (o < 0 || b.length < o + 4 || b[o] !== 0xa1 || b[o + 1] !== 0x74) return undefined;
  const len = b[o + 2]! - 0xa0;
  if (len < 1 || len > 31 || b.length < o + 3 + len) return undefined;
  return String.fromCharCode(...b.subarray(o + 3, o + 3 + len));
}

const rawBytes = (d: RawData): Uint8Array => (Array.isArray(d) ? Buffer.concat(d) : d instanceof ArrayBuffer ? new Uint8Array(d) : d);
/** A query's identity inside the eval frames the responders receive: the gateway's signature bytes. */
const sigKey = (sig: Uint8Array) => Buffer.from(sig.buffer, sig.byteOffset, 16).toString('latin1');

/** All members' websockets, the queries in flight, and the phase results are counted into. */
export class FanoutLoad {
  readonly members: FakeMember[];
  readonly gateway: FakeMember;
  readonly #items: ForwardedQuery['items'];
  readonly #idBySig = new Map<string, string>();
  readonly #inflight = new Map<string, { sentAt: number; phase: PhaseState }>();
  phase: PhaseState | undefined;

  readonly #trust: { caPem: string; coordinator: string };

  constructor(members: FakeMember[], items: ForwardedQuery['items'], trust: { caPem: string; coordinator: string }) {
    this.#trust = trust;
    this.members = members;
    this.gateway = members[0]!;
    this.#items = items;
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  /** Log every member in (TLS → login header → welcome → descriptor), `parallel` logins at a time. */
  async connectAll(wsUrl: string, parallel: number): Promise<void> {
    let next = 0;
    const one = async (): Promise<void> => {
      while (next < this.members.length) {
        const m = this.members[next++]!;
        await this.#connect(wsUrl, m);
      }
    };
    await Promise.all(Array.from({ length: parallel }, one));
  }

  #connect(wsUrl: string, m: FakeMember): Promise<void> {
    return new Promise((resolve, reject) => {
      const finishRequest = (req: ClientRequest): void => {
        req.once('socket', (sock) =>
          (sock as TLSSocket).once('secureConnect', () => {
            const binding = channelBinding(sock as TLSSocket);
            req.setHeader(
              LOGIN_HEADER,
              loginHeader(m.key, m.certificate, { country: m.country, coordinator: this.#trust.coordinator, binding, ts: Date.now(), nonce: randomBytes(16) }),
            );
            req.end();
          }),
        );
      };
      const ws = new WebSocket(wsUrl, { maxPayload: LIMITS.maxFrameBytes, perMessageDeflate: false, ca: this.#trust.caPem, finishRequest });
      m.ws = ws;
      const timer = setTimeout(() => reject(new Error(`member ${m.country}: login timed out`)), 60_000);
      ws.on('error', (e) => reject(e));
      ws.on('message', (data: RawData, isBinary: boolean) => {
        if (!isBinary) return;
        const bytes = rawBytes(data);
        const t = frameType(bytes);
        switch (t) {
          case 'eval':
            return this.#onEval(m, bytes);
          case 'query-result':
            return this.#onResult(bytes);
          case 'members':
            return; // the directory broadcast after every descriptor: not needed here
          case 'welcome':
            ws.send(encode({ t: 'descriptor', env: m.descriptor } satisfies NodeFrame));
            clearTimeout(timer);
            resolve();
            return;
          default: {
            const f = decodeWith(bytes, CoordinatorFrame, LIMITS.maxFrameBytes);
            if (f.t === 'error') {
              this.#onError(f.code, f.ref);
            }
          }
        }
      });
    });
  }

  #onEval(m: FakeMember, bytes: Uint8Array): void {
    const f = decode(bytes, LIMITS.maxFrameBytes) as { batch: Envelope[] };
    const results: Array<{ to: string; id: string; env: Uint8Array }> = [];
    for (const env of f.batch) {
      const id = this.#idBySig.get(sigKey(env.sig));
      if (id !== undefined) results.push({ to: this.gateway.country, id, env: m.answer });
    }
    if (results.length > 0) m.ws!.send(encode({ t: 'eval-results', results } satisfies NodeFrame));
  }

  #onResult(bytes: Uint8Array): void {
    const now = performance.now();
    const f = decode(bytes, LIMITS.maxFrameBytes) as { id: string; answers: Answer[] };
    const q = this.#inflight.get(f.id);
    if (!q) return;
    this.#inflight.delete(f.id);
    const p = q.phase;
    p.latencies.push(now - q.sentAt);
    if (now >= p.windowStart && now <= p.windowEnd) p.inWindow++;
    p.lastResult = now;
    for (const a of f.answers) if (a.status !== 'answered') p.incomplete++;
    p.onDone?.();
  }

  #onError(code: string, ref: string | undefined): void {
    const q = ref !== undefined ? this.#inflight.get(ref) : undefined;
    const p = q?.phase ?? this.phase;
    if (ref !== undefined) this.#inflight.delete(ref);
    if (p) {
      p.errors[code] = (p.errors[code] ?? 0) + 1;
      p.onDone?.();
    }
  }

  send(phase: PhaseState): void {
    const gw = this.gateway;
    const id = toHex(randomBytes(16));
    const fwd: ForwardedQuery = {
      t: 'fwd-query',
      id,
      ts: Date.now(),
      nonce: randomBytes(16),
      from: gw.country,
      analyst: 'bench-analyst',
      ...CTX,
      targets: null,
      items: this.#items,
    };
    const env = signEnvelope(gw.key, keyId.node(gw.country), fwd);
    this.#idBySig.set(sigKey(env.sig), id);
    this.#inflight.set(id, { sentAt: performance.now(), phase });
    phase.sent++;
    gw.ws!.send(encode({ t: 'query', env } satisfies NodeFrame));
  }

  forgetSent(): void {
    this.#idBySig.clear();
    this.#inflight.clear();
  }

  close(): void {
    for (const m of this.members) m.ws?.terminate();
  }
}

/** What one phase has counted so far (see fanout-phase.ts). */
export interface PhaseState {
  sent: number;
  /** Results received in [windowStart, windowEnd]: the sending window minus its first tenth (ramp-in). */
  inWindow: number;
  windowStart: number;
  latencies: number[];
  incomplete: number;
  errors: Record<string, number>;
  windowEnd: number;
  lastResult: number;
  onDone?: () => void;
}

export const newPhase = (): PhaseState => ({
  sent: 0,
  inWindow: 0,
  latencies: [],
  incomplete: 0,
  errors: {},
  windowStart: 0,
  windowEnd: Infinity,
  lastResult: 0,
});
