/**
 * The coordinator's websocket entries under fuzz. Post-authentication: a logged-in hostile member sends
 * mutated frames of every type (the payload mutated and validly re-signed, so it reaches schema and
 * semantic checks; the frame's own structure mutated; or its bytes damaged), each followed by a probe
 * (a lookup with its own id) whose answer shows the coordinator handled the frame — answered or dropped
 * it — since a connection's frames are handled in order. Pre-authentication: the upgrade request's
 * login header mutated (structure or text), or frames sent at once on a fresh connection before its
 * login has completed.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import { blind, concatBytes, fromBase64url, randomBytes, type SigningKey, toBase64url, utf8 } from '#crypto';
import { channelBinding } from '#platform';
import {
  CoordinatorFrame,
  decode,
  decodeWith,
  type Envelope,
  encode,
  keyId,
  LABELS,
  LIMITS,
  LOGIN_HEADER,
  loginHeader,
  PROTOCOL_VERSION,
  signEnvelope,
} from '#protocol';
import type { RawIdentity } from '../../test/helpers/raw-node.ts';
import { encodeTree, mutateBytes, mutateTree, type Rng } from './mutate.ts';

/** What became of one fuzzed input. */
export interface Outcome {
  /** An error code answered, 'ok' (accepted), 'dropped' (handled without an answer) or 'closed'. */
  code: string;
  hang?: boolean;
  /** What was sent, abridged (console inputs), for the failures list. */
  input?: string;
  /** A hang that was answered after all: how long the answer took (absent: no answer within `LATE_MS`). */
  lateMs?: number;
}

export const ANSWER_MS = 1000;
/**
 * How long a hang is still watched for its answer: an answer that comes late is slowness (a loaded
 * machine, a slow step), one that never comes is a defect. Both count as hangs.
 */
export const LATE_MS = 10_000;

/** The outcome `p` settles to within `ms`, else a hang (with `lateMs` when it settled within `LATE_MS`). */
export async function answerOrHang(p: Promise<Outcome>, ms = ANSWER_MS): Promise<Outcome> {
  const t0 = performance.now();
  const r = await within(p, ms);
  if (r !== false) return r;
  const late = await within(p, LATE_MS);
  return late === false ? { code: 'hang', hang: true } : { code: 'hang', hang: true, lateMs: Math.round(performance.now() - t0) };
}

const hex = () => Buffer.from(randomBytes(16)).toString('hex');

/** Fresh timestamps, nonces and ids, so a mutated payload is not refused as a replay before anything else. */
export function refresh(p: Record<string, unknown>): Record<string, unknown> {
  const out = { ...p };
  if ('ts' in out) out.ts = Date.now();
  if ('nonce' in out) out.nonce = randomBytes(16);
  if ('id' in out && typeof out.id === 'string') out.id = hex();
  return out;
}

type Seed = { frame: Record<string, unknown>; payloads: Record<string, Record<string, unknown>> };

/**
 * One valid-looking frame of every type a member sends (payloads unsigned; signed when sent), each built
 * only when picked (a query's blinding is a scalar multiplication).
 */
function seeds(country: string): Array<() => Seed> {
  const ctx = { purpose: 'wanted-person', caseRef: 'F-1', legalBasis: 'art-3', handling: 'restricted' };
  const blinded = () => blind('voprf', utf8(hex())).blindedElement;
  return [
    () => ({
      frame: { t: 'query' },
      payloads: {
        env: {
          t: 'fwd-query',
          id: hex(),
          ts: 0,
          nonce: randomBytes(16),
          from: country,
          analyst: 'fuzz',
          ...ctx,
          targets: ['DE'],
          items: [{ cls: 'name_dob', blinded: blinded() }],
        },
      },
    }),
    () => ({
      frame: { t: 'lookup' },
      payloads: {
        env: {
          t: 'fwd-lookup',
          id: hex(),
          ts: 0,
          nonce: randomBytes(16),
          from: country,
          mode: 'exact',
          items: [{ country: 'DE', epoch: 1, keys: [randomBytes(16)] }],
        },
      },
    }),
    () => ({
      frame: { t: 'descriptor' },
      payloads: { env: { t: 'descriptor', country, ts: 0, signPub: randomBytes(32), boxPub: randomBytes(32), oprf: { epoch: 1, pub: randomBytes(32) } } },
    }),
    () => ({
      frame: {
        t: 'eval-results',
        results: [
          { to: 'FR', id: hex(), env: randomBytes(200) },
          { to: 'FR', id: hex(), code: 'forbidden' },
        ],
      },
      payloads: {},
    }),
    () => ({
      frame: { t: 'publish' },
      payloads: {
        env: { t: 'index-chunk', country, epoch: 1, seq: 0, entries: [[randomBytes(16), randomBytes(32)]] },
        commit: { t: 'index-commit', country, epoch: 1, root: randomBytes(32), count: 1 },
      },
    }),
    () => ({
      frame: { t: 'mail-send', mid: hex(), to: 'DE' },
      payloads: { env: { t: 'disclosure-request', id: hex(), ts: 0, nonce: randomBytes(16), from: country, to: 'DE' } },
    }),
    () => ({ frame: { t: 'mail-ack', mids: [hex()] }, payloads: {} }),
  ];
}

/**
 * `signEnvelope` for a mutated payload: the payload encoded by `encodeTree` (deep nests included), then
 * signed as the protocol signs envelopes (`LABELS.envelope`, 0x00, the payload bytes).
 */
export function signTree(key: SigningKey, kid: string, payload: unknown): Envelope {
  const body = encodeTree(payload, encode);
  if (body.length > LIMITS.maxPayloadBytes) throw new Error('payload over the cap: damage bytes instead');
  return { v: PROTOCOL_VERSION, kid, payload: body, sig: key.sign(concatBytes(utf8(LABELS.envelope), Uint8Array.of(0), body)) };
}

/** A mutated member frame, encoded. */
export function mutatedFrame(rng: Rng, id: RawIdentity, country: string): Uint8Array {
  const seed = rng.pick(seeds(country))();
  const kid = keyId.node(country);
  const mode = rng.int(20);
  const signed = (deep: boolean): Record<string, unknown> => {
    const f: Record<string, unknown> = { ...seed.frame };
    const names = Object.keys(seed.payloads);
    const target = names.length ? rng.pick(names) : undefined;
    for (const [k, p] of Object.entries(seed.payloads)) {
      const payload = deep && k === target ? mutateTree(refresh(p), rng) : refresh(p);
      f[k] = signTree(id.signing, kid, payload);
    }
    return f;
  };
  try {
    if (mode === 0) return encode(signed(false)); // valid
    if (mode < 9) return encodeTree(Object.keys(seed.payloads).length ? signed(true) : mutateTree(seed.frame, rng), encode);
    if (mode < 15) return encodeTree(mutateTree(signed(false), rng), encode);
    return mutateBytes(encode(signed(false)), rng);
  } catch {
    // A mutation the encoder or signer refuses (too large to sign, say): damage the bytes instead.
    return mutateBytes(encode(signed(false)), rng);
  }
}

/** A logged-in member connection that sends fuzzed frames and probes after each. */
export class MemberFuzzer {
  #ws: WebSocket | undefined;
  #codes: string[] = [];
  #waiting: { id: string; resolve: () => void } | undefined;

  constructor(
    readonly url: string,
    readonly caPem: string,
    readonly id: RawIdentity,
    readonly country: string,
  ) {}

  async #connect(): Promise<WebSocket> {
    const ws = await openSocket(this.url, this.caPem, (binding) => loginHeader(this.id.signing, this.id.certificate, this.#login(binding)));
    if (!(ws instanceof WebSocket)) throw new Error(`fuzz member refused: ${ws.code}`);
    ws.on('message', (d: Buffer) => {
      let f: CoordinatorFrame;
      try {
        f = decodeWith(new Uint8Array(d), CoordinatorFrame, LIMITS.maxFrameBytes);
      } catch {
        return;
      }
      const w = this.#waiting;
      if (w && ((f.t === 'lookup-result' && f.id === w.id) || (f.t === 'error' && f.ref === w.id))) return w.resolve();
      if (f.t === 'error') this.#codes.push(f.code);
    });
    ws.on('close', () => this.#waiting?.resolve());
    return ws;
  }

  #login(binding: Uint8Array) {
    return { country: this.country, coordinator: 'test-coordinator', binding, ts: Date.now(), nonce: randomBytes(16) };
  }

  async send(frame: Uint8Array): Promise<Outcome> {
    if (!this.#ws || this.#ws.readyState !== WebSocket.OPEN) {
      const ws = await within(this.#connect(), ANSWER_MS);
      if (ws === false) return { code: 'hang', hang: true };
      this.#ws = ws;
    }
    const ws = this.#ws;
    this.#codes = [];
    const probeId = hex();
    const probe = {
      t: 'fwd-lookup',
      id: probeId,
      ts: Date.now(),
      nonce: randomBytes(16),
      from: this.country,
      mode: 'exact',
      items: [{ country: 'ZZ', epoch: 1, keys: [randomBytes(16)] }],
    };
    const answered = new Promise<true>((resolve) => {
      this.#waiting = { id: probeId, resolve: () => resolve(true) };
    });
    ws.send(frame);
    ws.send(encode({ t: 'lookup', env: signEnvelope(this.id.signing, keyId.node(this.country), probe) }));
    const o = await answerOrHang(answered.then((): Outcome => ({ code: 'answered' })));
    this.#waiting = undefined;
    if (o.hang) {
      ws.terminate();
      return o;
    }
    if (ws.readyState !== WebSocket.OPEN) return { code: 'closed' };
    return { code: this.#codes[0] ?? 'dropped' };
  }

  close(): void {
    this.#ws?.terminate();
  }
}

/** A pre-authentication input: a mutated login header, or frames right after the upgrade. */
export async function preAuth(rng: Rng, url: string, caPem: string, id: RawIdentity, country: string): Promise<Outcome> {
  const early = rng.chance(0.3);
  const header = (binding: Uint8Array): string => {
    const valid = loginHeader(id.signing, id.certificate, { country, coordinator: 'test-coordinator', binding, ts: Date.now(), nonce: randomBytes(16) });
    if (early) return valid;
    if (rng.chance(0.3)) return mutateText(valid, rng);
    const outer = decode(fromBase64url(valid), LIMITS.maxFrameBytes) as Record<string, unknown>;
    return toBase64url(encodeTree(mutateTree(outer, rng), encode));
  };
  const run = async (): Promise<Outcome> => {
    const ws = await openSocket(url, caPem, header);
    if (!(ws instanceof WebSocket)) return ws;
    if (!early) {
      ws.terminate();
      return { code: 'ok' };
    }
    // Frames sent before the login completes: the coordinator may answer, drop them or close.
    const codes: string[] = [];
    ws.on('message', (d: Buffer) => {
      try {
        const f = decodeWith(new Uint8Array(d), CoordinatorFrame, LIMITS.maxFrameBytes);
        if (f.t === 'error') codes.push(f.code);
      } catch {
        /* not a frame */
      }
    });
    for (let i = 0, n = 1 + rng.int(3); i < n; i++) ws.send(mutateBytes(encode({ t: 'mail-ack', mids: [hex()] }), rng));
    await new Promise((r) => setTimeout(r, 20));
    ws.terminate();
    return { code: codes[0] ?? 'dropped' };
  };
  return answerOrHang(run());
}

function mutateText(s: string, rng: Rng): string {
  switch (rng.int(4)) {
    case 0:
      return s.slice(0, rng.int(s.length));
    case 1:
      return s.replace(/./g, (c) => (rng.chance(0.02) ? String.fromCharCode(33 + rng.int(90)) : c));
    case 2:
      return s + 'A'.repeat(rng.pick([10, 4000, 12_000]));
    default:
      return '';
  }
}

/** Open a websocket with a login header computed from the TLS channel; the refusal as an outcome. */
function openSocket(url: string, caPem: string, header: (binding: Uint8Array) => string): Promise<WebSocket | Outcome> {
  return new Promise((resolve) => {
    const finishRequest = (req: ClientRequest): void => {
      req.once('socket', (sock) =>
        (sock as TLSSocket).once('secureConnect', () => {
          // This runs in a socket event: a throw here would escape as an uncaught exception and leave
          // the request unsent (a "hang" of the fuzzer's own making). It is an outcome instead.
          let h: string;
          try {
            h = header(channelBinding(sock as TLSSocket));
          } catch {
            resolve({ code: 'fuzzer_error' });
            req.destroy();
            return;
          }
          if (h) req.setHeader(LOGIN_HEADER, h);
          req.end();
        }),
      );
    };
    const ws = new WebSocket(url, { ca: caPem, finishRequest });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req: ClientRequest, r: IncomingMessage) => {
      const code = r.headers['x-veil-error'];
      resolve({ code: typeof code === 'string' ? code : `http_${r.statusCode}` });
      ws.terminate();
    });
    ws.once('error', () => resolve({ code: 'dropped' }));
    ws.once('close', () => resolve({ code: 'closed' }));
  });
}

/** Whether `p` settled within `ms`: its value, or false. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
