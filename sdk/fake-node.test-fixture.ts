/**
 * A member node of the SDK's fake network (test fixture): real keys (Ed25519 signing, X25519 box, RFC 9497
 * VOPRF keys with epochs), a real signed descriptor beside its certificate, records indexed under real
 * tags with a real signed commitment, real signed evaluations with batched DLEQ proofs, biometric
 * scoring with the real HE server, and real signed disclosure decisions. Each node can be told to
 * misbehave (evaluate with an unpublished key, sign as someone else, alter its answer, be unavailable).
 * `fake-gateway.test-fixture.ts` routes the analyst's requests to these nodes.
 */

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
  type BioEvalResult,
  type BioQueryRequest,
  bucketLeaf,
  bucketOf,
  bucketsOfKeys,
  type DisclosureDecision,
  type DisclosureRequest,
  decodeWith,
  type Envelope,
  type ErrorCode,
  type EvalResult,
  encode,
  type IndexCommitment,
  IndexTree,
  keyId,
  LIMITS,
  type LookupRequest,
  type LookupResult,
  type MatchClass,
  type MemberEntry,
  matchKeysForQuery,
  type NodeDescriptor,
  type QueryRequest,
  type QuerySubject,
  SealedClaim,
  type SealedRelease,
  signEnvelope,
} from '#protocol';
import type { Credential } from './credential.ts';
import type { FakeOrg } from './fake-org.test-fixture.ts';

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
