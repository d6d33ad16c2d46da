/**
 * A hand-driven member connection for adversarial tests: logs in to the real coordinator over a real
 * websocket with a member's real signing key, then does exactly what the test tells it (send garbage,
 * publish a descriptor for one OPRF key and answer with another, …).
 */
import { WebSocket } from 'ws';
import { SigningKey, OprfKey, blindEvaluateBatch } from '#crypto';
import { CoordinatorFrame, ForwardedQuery, LIMITS, PROTOCOL_VERSION, challengeBytes, decodeWith, encode, readUnverified, signEnvelope, type NodeFrame, type EvalResult, type ErrorCode, keyId } from '#protocol';

export class RawNode {
  readonly frames: CoordinatorFrame[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(
    readonly ws: WebSocket,
    readonly country: string,
    readonly signing: SigningKey,
  ) {}

  static async connect(url: string, country: string, signing: SigningKey, opts: { auth?: boolean } = {}): Promise<RawNode> {
    const ws = new WebSocket(url);
    const n = new RawNode(ws, country, signing);
    ws.on('message', (d: Buffer) => {
      try {
        n.frames.push(decodeWith(new Uint8Array(d), CoordinatorFrame, LIMITS.maxFrameBytes));
      } catch {
        /* ignore */
      }
    });
    ws.on('close', (code, reason) => (n.closed = { code, reason: reason.toString() }));
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    const ch = await n.next('challenge');
    if (opts.auth !== false && ch.t === 'challenge') {
      n.send({ t: 'auth', v: PROTOCOL_VERSION, country, sig: signing.sign(challengeBytes(ch.nonce, ch.coordinator, country)) });
    }
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
          const e = blindEvaluateBatch(key, q.items.map((x) => x.blinded));
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
