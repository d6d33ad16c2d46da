/**
 * An in-process stand-in for the analyst's own node and the network behind it, for the SDK's unit
 * tests: only the network is fake. Member nodes hold real keys (Ed25519 signing, X25519 box, RFC 9497
 * VOPRF keys with epochs), publish real self-signed descriptors, index their records under real tags,
 * answer queries with real signed evaluations and batched DLEQ proofs, score biometric probes with the
 * real HE server, and sign real disclosure decisions. The gateway verifies the analyst's signed
 * requests and routes them as the real gateway and coordinator would, as a `Transport`.
 *
 * Each node can be told to misbehave (evaluate with an unpublished key, sign as someone else, alter its
 * answer, be unavailable) and the gateway to fail a request with a given HTTP status and body.
 */
import { BoxKeyPair, OprfKey, SigningKey, blindEvaluateBatch, equalBytes, evaluate, sealTo, sha256, toHex, type GalleryEncoding, type HeServer, type Rng } from '#crypto';
import {
  BioQueryRequest,
  DisclosureRequest,
  Envelope,
  LIMITS,
  ListDisclosures,
  LookupRequest,
  QueryRequest,
  SealedClaim,
  VeilError,
  asVeilError,
  decodeWith,
  encode,
  keyId,
  matchKeysForQuery,
  signEnvelope,
  verifyEnvelope,
  type Answer,
  type BioEvalResult,
  type DisclosureDecision,
  type DisclosureListResponse,
  type DisclosureStatus,
  type ErrorCode,
  type EvalResult,
  type LookupResult,
  type MatchClass,
  type NodeDescriptor,
  type QuerySubject,
  type SealedRelease,
} from '#protocol';
import type { z } from 'zod';
import type { Credential } from './credential.ts';
import type { Transport, TransportResponse } from './transport.ts';

/** A deterministic byte source (LCG) for reproducible keys. */
export function seeded(seed: number): Rng {
  let x = seed >>> 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      out[i] = x >>> 24;
    }
    return out;
  };
}

export function analystCredential(country: string, rng: Rng, analystId = 'analyst-1'): Credential {
  return { analystId, name: 'Test Analyst', country, nodeUrl: null, signing: SigningKey.generate(rng), box: BoxKeyPair.generate(rng) };
}

export class FakeNode {
  readonly signing: SigningKey;
  readonly box: BoxKeyPair;
  epoch = 1;
  /** The OPRF key this node published for `epoch`. */
  oprf: OprfKey;
  /** The key it actually evaluates with (a dishonest node: not the published one). */
  evalKey: OprfKey;
  /** Index entries (tag, token) per epoch. */
  readonly index = new Map<number, Array<[Uint8Array, Uint8Array]>>();
  readonly refuse = new Set<MatchClass>();
  /** How the coordinator reports this node instead of an answer. */
  outage: { status: 'unavailable' | 'timeout' | 'error'; code?: ErrorCode } | undefined;
  /** Sign answers and decisions with another node's key and key id. */
  signAs: FakeNode | undefined;
  /** Sign them with this key under this node's own key id (a forgery). */
  forgeWith: SigningKey | undefined;
  /** A broken node: answers `unknown_session` even when the keys come with the query. */
  rejectsSessions = false;
  /** Alter the payload of signed answers (identifier and biometric). */
  alter: ((r: EvalResult) => EvalResult) | undefined;
  alterBio: ((r: BioEvalResult) => BioEvalResult) | undefined;
  /** Biometric gallery and the HE server scoring it; session keys cached by id. */
  bio: { server: HeServer; gallery: GalleryEncoding } | undefined;
  readonly sessions = new Map<string, Uint8Array>();
  readonly #records: Array<{ subject: QuerySubject; token: Uint8Array }> = [];

  constructor(
    readonly country: string,
    readonly rng: Rng,
  ) {
    this.signing = SigningKey.generate(rng);
    this.box = BoxKeyPair.generate(rng);
    this.oprf = OprfKey.generate('voprf', rng);
    this.evalKey = this.oprf;
  }

  descriptor(): Envelope {
    const d: NodeDescriptor = {
      t: 'descriptor',
      country: this.country,
      ts: 1,
      signPub: this.signing.publicKey(),
      boxPub: this.box.publicKey(),
      oprf: { epoch: this.epoch, pub: this.oprf.publicKey() },
    };
    return signEnvelope(this.signing, keyId.node(this.country), d);
  }

  /** The tags of `subject`'s match keys under the current key. */
  tagsOf(subject: QuerySubject): Array<{ cls: MatchClass; tag: Uint8Array }> {
    return matchKeysForQuery(subject).map((k) => ({ cls: k.cls, tag: evaluate(this.oprf, k.input).subarray(0, LIMITS.tagBytes) }));
  }

  /** Hold a record matching `subject`: index each of its tags with `token`. */
  hold(subject: QuerySubject, token: Uint8Array): void {
    this.#records.push({ subject, token });
    for (const t of this.tagsOf(subject)) this.#entries().push([t.tag, token]);
  }

  /** Index entries sharing each tag's 2-byte prefix with `subject`'s tags but not its tags (a busy bucket). */
  crowd(subject: QuerySubject, perTag = 3): void {
    for (const t of this.tagsOf(subject)) {
      for (let i = 0; i < perTag; i++) {
        const other = this.rng(LIMITS.tagBytes);
        other.set(t.tag.subarray(0, 2));
        if (equalBytes(other, t.tag)) continue;
        this.#entries().push([other, this.rng(24)]);
      }
    }
  }

  /** Key rotation: a new epoch and key, every held record re-indexed under it. */
  rotate(): void {
    this.epoch += 1;
    this.oprf = OprfKey.generate('voprf', this.rng);
    this.evalKey = this.oprf;
    for (const { subject, token } of this.#records) for (const t of this.tagsOf(subject)) this.#entries().push([t.tag, token]);
  }

  #entries(): Array<[Uint8Array, Uint8Array]> {
    let e = this.index.get(this.epoch);
    if (!e) this.index.set(this.epoch, (e = []));
    return e;
  }

  #sign(payload: unknown): Envelope {
    if (this.forgeWith) return signEnvelope(this.forgeWith, keyId.node(this.country), payload);
    const signer = this.signAs ?? this;
    return signEnvelope(signer.signing, keyId.node(signer.country), payload);
  }

  /** Answer a forwarded identifier query from `from` (policy, evaluation with proof, signature). */
  answerQuery(q: QueryRequest, from: string): Answer {
    if (this.outage) return { country: this.country, ...this.outage };
    const allowed = q.items.flatMap((it, i) => (this.refuse.has(it.cls) ? [] : [{ i, blinded: it.blinded }]));
    const head = { t: 'eval-result', id: q.id, ts: q.ts, from: this.country, to: from, epoch: this.epoch } as const;
    let r: EvalResult = { ...head, status: 'refused', code: 'refused_by_policy', items: [], evaluated: [], proof: null };
    if (allowed.length > 0) {
      const e = blindEvaluateBatch(this.evalKey, allowed.map((a) => a.blinded), this.rng);
      r = { ...head, status: 'ok', items: allowed.map((a) => a.i), evaluated: e.evaluatedElements, proof: e.proof };
    }
    return { country: this.country, status: 'answered', env: encode(this.#sign(this.alter ? this.alter(r) : r)) };
  }

  lookup(item: LookupRequest['items'][number], mode: 'exact' | 'bucket'): LookupResult {
    const entries = (this.index.get(item.epoch) ?? []).filter(([tag]) =>
      item.keys.some((k) => (mode === 'exact' ? equalBytes(tag, k) : equalBytes(tag.subarray(0, k.length), k))),
    );
    return { country: this.country, epoch: item.epoch, entries, truncated: false };
  }

  /** Score an encrypted probe as a node does; `unknown_session` when the keys are neither sent nor cached. */
  async answerBio(q: BioQueryRequest, from: string): Promise<Answer> {
    if (this.outage) return { country: this.country, ...this.outage };
    const reply = (status: 'ok' | 'refused', code?: ErrorCode, scored?: { result: Uint8Array; positions: number }): Answer => {
      const r: BioEvalResult = { t: 'bio-result', id: q.id, ts: q.ts, from: this.country, to: from, status, ...(code ? { code } : {}), modality: q.modality, sessionId: q.sessionId, positions: scored?.positions ?? 0, result: scored?.result ?? null };
      return { country: this.country, status: 'answered', env: encode(this.#sign(this.alterBio ? this.alterBio(r) : r)) };
    };
    if (q.sessionKeys) {
      if (toHex(sha256(q.sessionKeys)) !== q.sessionId) return reply('refused', 'bad_key');
      this.sessions.set(q.sessionId, q.sessionKeys);
    }
    const keys = this.sessions.get(q.sessionId);
    if (!keys || this.rejectsSessions) return reply('refused', 'unknown_session');
    if (!this.bio) return reply('refused', 'refused_by_policy');
    const scored = await this.bio.server.scoreMasked({ sessionKeys: keys, probe: q.probe, gallery: this.bio.gallery, rng: this.rng });
    return reply('ok', undefined, scored);
  }

  /** Open a sealed disclosure claim with this node's box key. */
  openClaim(sealed: Uint8Array): SealedClaim {
    return decodeWith(this.box.open(sealed), SealedClaim, LIMITS.maxPayloadBytes);
  }

  /** A signed decision on `req` for `analyst`, with a release sealed to the analyst's box key. */
  decide(
    req: DisclosureRequest,
    analyst: Credential,
    o: { status: DisclosureDecision['status']; release?: Omit<SealedRelease, 'id'>; code?: string; id?: string; releaseId?: string },
  ): Envelope {
    const release: SealedRelease | undefined = o.release ? { id: o.releaseId ?? req.id, ...o.release } : undefined;
    const sealed = release ? sealTo(analyst.box.publicKey(), encode(release)) : undefined;
    const dec: DisclosureDecision = {
      t: 'disclosure-decision',
      id: o.id ?? req.id,
      ts: 1,
      from: this.country,
      to: analyst.country,
      analyst: analyst.analystId,
      status: o.status,
      ...(o.code ? { code: o.code } : {}),
      ...(sealed ? { sealed } : {}),
    };
    return this.#sign(dec);
  }
}

export interface DisclosureRow {
  req: DisclosureRequest;
  status: DisclosureStatus;
  createdAt: number;
  decision?: Envelope;
}

/** The analyst's own node (with the coordinator behind it) as a `Transport`. */
export class FakeGateway implements Transport {
  readonly nodes = new Map<string, FakeNode>();
  /** Every request the SDK made: path and (verified) payload. */
  readonly requests: Array<{ path: string; payload: unknown }> = [];
  readonly disclosures: DisclosureRow[] = [];
  /** The next response, instead of handling the request. */
  failNext: TransportResponse | Error | undefined;

  constructor(
    readonly analyst: Credential,
    readonly rng: Rng,
  ) {}

  add(country: string): FakeNode {
    const n = new FakeNode(country, this.rng);
    this.nodes.set(country, n);
    return n;
  }

  node(country: string): FakeNode {
    const n = this.nodes.get(country);
    if (!n) throw new Error(`no fake node ${country}`);
    return n;
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  last<S extends z.ZodType>(path: string, schema: S): z.infer<S> {
    const r = this.requests.filter((x) => x.path === path).at(-1);
    if (!r) throw new Error(`no request to ${path}`);
    return schema.parse(r.payload);
  }

  async get(path: string): Promise<TransportResponse> {
    return this.#respond(async () => {
      if (path !== '/v1/members') throw new VeilError('not_found');
      this.requests.push({ path, payload: undefined });
      return { members: [...this.nodes.values()].map((n) => n.descriptor()) };
    });
  }

  async post(path: string, body: Uint8Array): Promise<TransportResponse> {
    return this.#respond(async () => {
      const env = decodeWith(body, Envelope, path === '/v1/bio-query' ? LIMITS.maxFrameBytes : LIMITS.maxRequestBytes);
      const open = <S extends z.ZodType>(schema: S): z.infer<S> => {
        const p = verifyEnvelope(
          env,
          (kid) => {
            if (kid !== keyId.analyst(this.analyst.analystId)) throw new VeilError('unauthenticated');
            return this.analyst.signing.publicKey();
          },
          schema,
        );
        this.requests.push({ path, payload: p });
        return p;
      };
      const me = this.analyst.country;
      switch (path) {
        case '/v1/query': {
          const q = open(QueryRequest);
          return { id: q.id, answers: this.#targets(q.targets).map((c) => this.nodes.get(c)?.answerQuery(q, me) ?? { country: c, status: 'unavailable' as const }) };
        }
        case '/v1/lookup': {
          const l = open(LookupRequest);
          return { id: l.id, results: l.items.flatMap((it) => this.nodes.get(it.country)?.lookup(it, l.mode) ?? []) };
        }
        case '/v1/bio-query': {
          const q = open(BioQueryRequest);
          const answers: Answer[] = [];
          for (const c of this.#targets(q.targets)) answers.push((await this.nodes.get(c)?.answerBio(q, me)) ?? { country: c, status: 'unavailable' });
          return { id: q.id, answers };
        }
        case '/v1/disclosures': {
          const r = open(DisclosureRequest);
          this.disclosures.push({ req: r, status: 'pending', createdAt: r.ts });
          return { id: r.id, status: 'pending' };
        }
        case '/v1/disclosures/list': {
          open(ListDisclosures);
          const items: DisclosureListResponse['items'] = this.disclosures.map((d) => ({
            id: d.req.id,
            to: d.req.to,
            status: d.status,
            createdAt: d.createdAt,
            fields: d.req.fields,
            ...(d.decision ? { decision: d.decision } : {}),
          }));
          return { items };
        }
        default:
          throw new VeilError('not_found');
      }
    });
  }

  #targets(targets: string[] | null): string[] {
    return targets ?? [...this.nodes.keys()].filter((c) => c !== this.analyst.country);
  }

  async #respond(handle: () => Promise<unknown>): Promise<TransportResponse> {
    const fail = this.failNext;
    if (fail) {
      this.failNext = undefined;
      if (fail instanceof Error) throw fail;
      return fail;
    }
    try {
      return { status: 200, bytes: encode(await handle()) };
    } catch (e) {
      return errorResponse(400, asVeilError(e).code);
    }
  }
}

/** An error response as the real gateway sends it. */
export function errorResponse(status: number, code: ErrorCode): TransportResponse {
  return { status, bytes: encode({ error: { code, message: 'error' } }) };
}
