/**
 * An in-process stand-in for the analyst's own node and the network behind it, for the SDK's unit
 * tests: only the network is fake. An organisation root certifies every member node and the analyst's
 * own node (which certifies the analyst). Member nodes hold real keys (Ed25519 signing, X25519 box,
 * RFC 9497 VOPRF keys with epochs), publish real signed descriptors beside their certificates, index
 * their records under real tags with a real signed commitment (the coordinator's lookup answers are
 * complete buckets with their paths, and can be told to lie),
 * answer queries with real signed evaluations and batched DLEQ proofs, score biometric probes with the
 * real HE server, and sign real disclosure decisions. The gateway verifies the analyst's signed
 * requests and routes them as the real gateway and coordinator would, as a `Transport`.
 *
 * Each node can be told to misbehave (evaluate with an unpublished key, sign as someone else, alter its
 * answer, be unavailable) and the gateway to fail a request with a given HTTP status and body.
 */

import type { z } from 'zod';
import {
  BoxKeyPair,
  blindEvaluateBatch,
  equalBytes,
  evaluate,
  type GalleryEncoding,
  type HeServer,
  OprfKey,
  type Rng,
  SigningKey,
  sealTo,
  sha256,
  toHex,
} from '#crypto';
import {
  type Answer,
  asVeilError,
  type BioEvalResult,
  BioQueryRequest,
  bucketLeaf,
  bucketOf,
  bucketsOfKeys,
  type DisclosureDecision,
  type DisclosureListResponse,
  DisclosureRequest,
  type DisclosureStatus,
  decodeWith,
  Envelope,
  type ErrorCode,
  type EvalResult,
  encode,
  type IndexCommitment,
  IndexTree,
  keyId,
  LIMITS,
  ListDisclosures,
  LookupRequest,
  type LookupResult,
  type MatchClass,
  type MemberEntry,
  matchKeysForQuery,
  type NodeDescriptor,
  QueryRequest,
  type QuerySubject,
  SealedClaim,
  type SealedRelease,
  signEnvelope,
  VeilError,
  verifyEnvelope,
} from '#protocol';
import type { Credential } from './credential.ts';
/** A deterministic byte source (LCG) for reproducible keys. */
import type { FakeOrg } from './fake-org.test-fixture.ts';
import type { Transport, TransportResponse } from './transport.ts';

export { analystCredential, FakeOrg, seeded } from './fake-org.test-fixture.ts';

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
  /** The node's certificate from the organisation. */
  certificate: Envelope;
  /** The sequence of the node's last acknowledged index chunk (its answers promise it). */
  indexSeq = 1;
  /** The coordinator's lookup answers for this node can be told to lie. */
  lookupLie: ((r: LookupResult) => LookupResult) | undefined;

  constructor(
    readonly country: string,
    readonly rng: Rng,
    readonly org: FakeOrg,
  ) {
    this.signing = SigningKey.generate(rng);
    this.box = BoxKeyPair.generate(rng);
    this.oprf = OprfKey.generate('voprf', rng);
    this.evalKey = this.oprf;
    this.certificate = org.certify(country, this.signing.publicKey());
  }

  /** The node's directory entry: its certificate and signed descriptor. */
  entry(): MemberEntry {
    return { cert: this.certificate, descriptor: this.descriptor() };
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
    if (!e) {
      e = [];
      this.index.set(this.epoch, e);
    }
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
    let r: EvalResult = { ...head, status: 'refused', code: 'refused_by_policy', items: [], evaluated: [], proof: null, indexSeq: this.indexSeq };
    if (allowed.length > 0) {
      const e = blindEvaluateBatch(
        this.evalKey,
        allowed.map((a) => a.blinded),
        this.rng,
      );
      r = { ...head, status: 'ok', items: allowed.map((a) => a.i), evaluated: e.evaluatedElements, proof: e.proof, indexSeq: this.indexSeq };
    }
    return { country: this.country, status: 'answered', env: encode(this.#sign(this.alter ? this.alter(r) : r)) };
  }

  /** The coordinator's answer for this node's index: the complete buckets of the keys, with paths and the node's signed commitment. */
  lookup(item: LookupRequest['items'][number]): LookupResult {
    const all = this.index.get(item.epoch) ?? [];
    const blocks = new Map<number, Uint8Array>();
    const tree = new IndexTree({ get: (n) => blocks.get(n), put: (n, b) => void blocks.set(n, b) });
    const byBucket = new Map<number, Array<[Uint8Array, Uint8Array]>>();
    for (const e of all) byBucket.set(bucketOf(e[0]), [...(byBucket.get(bucketOf(e[0])) ?? []), e]);
    tree.setBuckets(new Map([...byBucket].map(([b, es]) => [b, bucketLeaf(b, es)])));
    const commit: IndexCommitment = {
      t: 'index-commit',
      country: this.country,
      epoch: item.epoch,
      seq: this.indexSeq,
      root: tree.root(),
      count: all.length,
      ts: 1,
    };
    const r: LookupResult = {
      country: this.country,
      epoch: item.epoch,
      commitment: signEnvelope(this.signing, keyId.node(this.country), commit),
      buckets: bucketsOfKeys(item.keys).map((bucket) => ({ bucket, entries: byBucket.get(bucket) ?? [], path: tree.path(bucket) })),
    };
    return this.lookupLie ? this.lookupLie(r) : r;
  }

  /** Entries the coordinator would return for these keys (for assertions). */
  bucketEntries(item: LookupRequest['items'][number]): Array<[Uint8Array, Uint8Array]> {
    return this.lookup(item).buckets.flatMap((b) => b.entries);
  }

  /** Score an encrypted probe as a node does; `unknown_session` when the keys are neither sent nor cached. */
  async answerBio(q: BioQueryRequest, from: string): Promise<Answer> {
    if (this.outage) return { country: this.country, ...this.outage };
    const reply = (status: 'ok' | 'refused', code?: ErrorCode, scored?: { result: Uint8Array; positions: number }): Answer => {
      const r: BioEvalResult = {
        t: 'bio-result',
        id: q.id,
        ts: q.ts,
        from: this.country,
        to: from,
        status,
        ...(code ? { code } : {}),
        modality: q.modality,
        sessionId: q.sessionId,
        positions: scored?.positions ?? 0,
        result: scored?.result ?? null,
      };
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
    readonly analyst: Credential & { org: FakeOrg },
    readonly rng: Rng,
  ) {}

  add(country: string): FakeNode {
    const n = new FakeNode(country, this.rng, this.analyst.org);
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
      return { members: [...this.nodes.values()].map((n) => n.entry()), revocations: null };
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
          return {
            id: q.id,
            answers: this.#targets(q.targets).map((c) => this.nodes.get(c)?.answerQuery(q, me) ?? { country: c, status: 'unavailable' as const }),
          };
        }
        case '/v1/lookup': {
          const l = open(LookupRequest);
          return { id: l.id, results: l.items.flatMap((it) => this.nodes.get(it.country)?.lookup(it) ?? []) };
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
