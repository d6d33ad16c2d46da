/**
 * A hand-driven member connection for adversarial tests: logs in to the real coordinator over a real
 * TLS websocket (trusting only the organisation's CA) with a member's certificate and signing key, then
 * does exactly what the test tells it (send garbage, publish a descriptor for one OPRF key and answer
 * with another, …). `connect` resolves with the login refused (`refused` set) instead of throwing, so a
 * test can assert the coordinator's error code.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import { blindEvaluateBatch, type OprfKey, randomBytes, type SigningKey } from '#crypto';
import { channelBinding } from '#platform';
import {
  CoordinatorFrame,
  decodeWith,
  type Envelope,
  type ErrorCode,
  type EvalResult,
  encode,
  ForwardedQuery,
  keyId,
  LIMITS,
  LOGIN_HEADER,
  loginHeader,
  NO_CHANNEL_BINDING,
  type NodeFrame,
  readUnverified,
  signEnvelope,
} from '#protocol';

export interface RawIdentity {
  signing: SigningKey;
  certificate: Envelope;
}

export interface RawConnectOptions {
  /** The organisation's CA (PEM); absent for a plain ws:// development coordinator. */
  caPem?: string;
  /** The coordinator's name the login names (default: the test coordinator). */
  coordinator?: string;
  /** Send no login header at all. */
  noLogin?: boolean;
  /** Replace the channel binding signed into the login (a relayed login). */
  binding?: Uint8Array;
}

export class RawNode {
  readonly frames: CoordinatorFrame[] = [];
  /** Every message received, as sent (also those that do not decode as a frame). */
  readonly received: Uint8Array[] = [];
  closed: { code: number; reason: string } | undefined;
  /** Set when the coordinator refused the login: the HTTP status and the error code it named. */
  refused: { status: number; code: string | undefined } | undefined;

  private constructor(
    readonly ws: WebSocket,
    readonly country: string,
    readonly signing: SigningKey,
  ) {}

  static async connect(url: string, country: string, id: RawIdentity, opts: RawConnectOptions = {}): Promise<RawNode> {
    const finishRequest = (req: ClientRequest): void => {
      const send = (binding: Uint8Array) => {
        if (!opts.noLogin) {
          req.setHeader(
            LOGIN_HEADER,
            loginHeader(id.signing, id.certificate, {
              country,
              coordinator: opts.coordinator ?? 'test-coordinator',
              binding: opts.binding ?? binding,
              ts: Date.now(),
              nonce: randomBytes(16),
            }),
          );
        }
        req.end();
      };
      req.once('socket', (sock) => {
        if (!opts.caPem) return send(NO_CHANNEL_BINDING);
        (sock as TLSSocket).once('secureConnect', () => send(channelBinding(sock as TLSSocket)));
      });
    };
    const ws = new WebSocket(url, { ...(opts.caPem ? { ca: opts.caPem } : {}), finishRequest });
    const n = new RawNode(ws, country, id.signing);
    ws.on('message', (d: Buffer) => {
      n.received.push(new Uint8Array(d));
      try {
        n.frames.push(decodeWith(new Uint8Array(d), CoordinatorFrame, LIMITS.maxFrameBytes));
      } catch {
        /* ignore */
      }
    });
    ws.on('close', (code, reason) => (n.closed = { code, reason: reason.toString() }));
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('unexpected-response', (_req: ClientRequest, r: IncomingMessage) => {
        const code = r.headers['x-veil-error'];
        n.refused = { status: r.statusCode ?? 0, code: typeof code === 'string' ? code : undefined };
        ws.terminate();
        res();
      });
      ws.once('error', (e) => (n.refused ? res() : rej(e)));
    });
    return n;
  }

  send(f: NodeFrame): void {
    this.ws.send(encode(f));
  }

  sendRaw(b: Uint8Array): void {
    this.ws.send(b);
  }

  async next<T extends CoordinatorFrame['t']>(t: T, timeoutMs = 5000): Promise<Extract<CoordinatorFrame, { t: T }>> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f) => f.t === t);
      if (i >= 0) return this.frames.splice(i, 1)[0] as Extract<CoordinatorFrame, { t: T }>;
      if (Date.now() > until || this.closed) throw new Error(`no ${t} frame (closed: ${JSON.stringify(this.closed)})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  descriptor(boxPub: Uint8Array, oprf: OprfKey, epoch = 1): void {
    this.send({
      t: 'descriptor',
      env: signEnvelope(this.signing, keyId.node(this.country), {
        t: 'descriptor',
        country: this.country,
        ts: Date.now(),
        signPub: this.signing.publicKey(),
        boxPub,
        oprf: { epoch, pub: oprf.publicKey() },
      }),
    });
  }

  /** Answer every evaluation batch with `key` (which may differ from the published one). */
  answerWith(key: OprfKey, epoch = 1, refuse?: ErrorCode): void {
    this.ws.on('message', () => {
      for (;;) {
        const i = this.frames.findIndex((f) => f.t === 'eval');
        if (i < 0) return;
        const f = this.frames.splice(i, 1)[0] as Extract<CoordinatorFrame, { t: 'eval' }>;
        const results = f.batch.map((env) => {
          const q = readUnverified(env, ForwardedQuery);
          const e = blindEvaluateBatch(
            key,
            q.items.map((x) => x.blinded),
          );
          const r: EvalResult = {
            t: 'eval-result',
            id: q.id,
            ts: Date.now(),
            from: this.country,
            to: q.from,
            status: refuse ? 'refused' : 'ok',
            ...(refuse ? { code: refuse } : {}),
            epoch,
            items: refuse ? [] : q.items.map((_, i) => i),
            evaluated: refuse ? [] : e.evaluatedElements,
            proof: refuse ? null : e.proof,
            indexSeq: 0,
          };
          return { to: q.from, id: q.id, env: encode(signEnvelope(this.signing, keyId.node(this.country), r)) };
        });
        this.send({ t: 'eval-results', results });
      }
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
