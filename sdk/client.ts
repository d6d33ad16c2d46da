/**
 * The analyst SDK: blind identifier queries end to end (DESIGN.md §2 steps 1, 6, 7).
 *
 * 1. Derive match keys with the same module the nodes use, blind each (RFC 9497 VOPRF Blind).
 * 2. Send the blinded elements, signed with the analyst's key, to the analyst's own node.
 * 3. For each target country: verify the node's signature on its answer and its batched DLEQ proof
 *    against the OPRF public key it published, then Finalize → 16-byte tags.
 * 4. Look the tags up in the coordinator's index, exactly (the coordinator learns which country hit) or
 *    by bucket (a 2-byte prefix: the coordinator learns neither the tag nor whether it hit; matching is
 *    done here).
 * Result: per country, hit or no hit per match class with the opaque hit token; no identity.
 */
import { blind, finalize, verifyBatch, randomBytes, toHex, toBase64url, fromBase64url, equalBytes, initCrypto, sealTo, HeClient } from '#crypto';
import { EvalResult, LIMITS, QueryResponse, LookupResponse, MembersResponse, ErrorBody, BioEvalResult, decodeTemplate, BIO_PARAMS, type BioModality, type BioQueryRequest, DisclosureAccepted, DisclosureDecision, DisclosureListResponse, SealedRelease, type DisclosureField, type DisclosureStatus, type DisclosureRequest, type ListDisclosures, type SealedClaim, decode, decodeWith, encode, matchKeysForQuery, verifyEnvelope, signEnvelope, validate, type MatchClass, type QuerySubject, Envelope, type QueryRequest, type LookupRequest, type Purpose, type Handling, VeilError, errorCodeOf, type ErrorCode, keyId } from '#protocol';
import type { z } from 'zod';
import { loadCredential, type Credential } from './credential.ts';
import { MemberDirectory, type Member } from './members.ts';

export interface SearchContext {
  purpose: Purpose;
  caseRef: string;
  legalBasis: string;
  handling: Handling;
}

export interface QueryOptions {
  /** Countries to ask; default: every member but the analyst's own. */
  targets?: string[];
  /** `exact` (default) or `bucket` index lookups. */
  mode?: 'exact' | 'bucket';
  /** Prefix length in bytes for bucket lookups (2..4). */
  bucketBytes?: number;
}

export type CountryStatus = 'hit' | 'no-hit' | 'refused' | 'unavailable' | 'timeout' | 'error';

export interface Hit {
  cls: MatchClass;
  /** Opaque hit token (base64url): only the owning node can open it; quote it in a disclosure request. */
  token: string;
}

export interface CountryResult {
  country: string;
  status: CountryStatus;
  code?: ErrorCode;
  epoch?: number;
  hits: Hit[];
  /** Match classes this country's policy did not answer. */
  refusedClasses: MatchClass[];
}

export interface QueryResult {
  queryId: string;
  results: CountryResult[];
  /** What the query consisted of (classes only): for transcripts. */
  classes: MatchClass[];
}

export interface Disclosure {
  id: string;
  /** The owning country. */
  to: string;
  status: DisclosureStatus;
  createdAt: number;
  fields: DisclosureField[];
  /** Why a request was rejected before any officer saw it (e.g. claim_mismatch), or a verification failure here. */
  code?: string;
  /** Opened release: the approved fields (with the record's handling code) or the denial's reason. */
  released?: SealedRelease;
}

export interface BioHit {
  /**
   * Position in this query's keyed permutation of the owner's gallery (only the owner can map it to a
   * record; the same template appears at unrelated positions in other queries; docs/biometrics.md).
   */
  position: number;
  /** Reference to quote in a disclosure request: `bio:<queryId>:<position>`. */
  ref: string;
}

export interface BioCountryResult {
  country: string;
  status: CountryStatus;
  code?: ErrorCode;
  /** Gallery size the node scored. */
  positions?: number;
  hits: BioHit[];
}

export interface BioQueryResult {
  queryId: string;
  modality: BioModality;
  results: BioCountryResult[];
}

export class VeilClient implements AsyncDisposable {
  readonly #members = new MemberDirectory();
  readonly #bio = new Map<BioModality, { he: HeClient; sentTo: Set<string> }>();
  #membersAt = 0;

  private constructor(
    readonly credential: Credential,
    readonly nodeUrl: string,
  ) {}

  static async connect(credential: Credential | string, opts: { nodeUrl?: string } = {}): Promise<VeilClient> {
    await initCrypto();
    const cred = typeof credential === 'string' ? loadCredential(credential) : credential;
    const url = opts.nodeUrl ?? cred.nodeUrl;
    if (!url) throw new VeilError('bad_config', 'the credential names no node URL; pass nodeUrl');
    return new VeilClient(cred, url.replace(/\/$/, ''));
  }

  get country(): string {
    return this.credential.country;
  }

  async members(refresh = false): Promise<Member[]> {
    if (refresh || Date.now() - this.#membersAt > 30_000) {
      const r = await this.#get('/v1/members', MembersResponse);
      this.#members.update(r.members);
      this.#membersAt = Date.now();
    }
    return this.#members.all();
  }

  /** A blind query: which countries hold this person, document or vehicle? */
  async query(subject: QuerySubject, ctx: SearchContext, opts: QueryOptions = {}): Promise<QueryResult> {
    const keys = matchKeysForQuery(subject);
    if (keys.length === 0) throw new VeilError('bad_request', 'the subject yields no match keys');
    if (keys.length > LIMITS.maxQueryItems) throw new VeilError('too_large', 'too many match keys');
    await this.members();
    const blinds = keys.map((k) => blind('voprf', k.input));
    const id = toHex(randomBytes(16));
    const req: QueryRequest = {
      t: 'query',
      id,
      ts: Date.now(),
      nonce: randomBytes(16),
      ...ctx,
      targets: opts.targets ?? null,
      items: keys.map((k, i) => ({ cls: k.cls, blinded: blinds[i]!.blindedElement })),
    };
    const resp = await this.#post('/v1/query', signEnvelope(this.credential.signing, keyId.analyst(this.credential.analystId), req), QueryResponse);

    const results: CountryResult[] = [];
    const tagsByCountry = new Map<string, { epoch: number; tags: Array<{ cls: MatchClass; tag: Uint8Array }> }>();
    for (const a of resp.answers) {
      if (a.status !== 'answered' || !a.env) {
        results.push({ country: a.country, status: a.status === 'answered' ? 'error' : a.status, ...(a.code ? { code: a.code } : {}), hits: [], refusedClasses: [] });
        continue;
      }
      try {
        const r = await this.#verifyAnswer(a.country, id, decodeWith(a.env, Envelope, LIMITS.maxPayloadBytes), req, blinds, keys);
        if (r.status === 'refused') {
          results.push({ country: a.country, status: 'refused', ...(r.code ? { code: r.code } : {}), epoch: r.epoch, hits: [], refusedClasses: keys.map((k) => k.cls) });
          continue;
        }
        const answered = new Set(r.items);
        const refusedClasses = [...new Set(keys.filter((_, i) => !answered.has(i)).map((k) => k.cls))];
        tagsByCountry.set(a.country, { epoch: r.epoch, tags: r.tags });
        results.push({ country: a.country, status: 'no-hit', epoch: r.epoch, hits: [], refusedClasses });
      } catch (e) {
        results.push({ country: a.country, status: 'error', code: errorCodeOf(e), hits: [], refusedClasses: [] });
      }
    }

    if (tagsByCountry.size > 0) {
      const hits = await this.#lookup(tagsByCountry, opts.mode ?? 'exact', opts.bucketBytes ?? 2);
      for (const r of results) {
        const h = hits.get(r.country);
        if (h && h.length > 0) {
          r.status = 'hit';
          r.hits = h;
        }
      }
    }
    results.sort((a, b) => a.country.localeCompare(b.country));
    return { queryId: id, results, classes: keys.map((k) => k.cls) };
  }

  async #verifyAnswer(
    country: string,
    id: string,
    env: Envelope,
    req: QueryRequest,
    blinds: Array<{ blind: Uint8Array; blindedElement: Uint8Array }>,
    keys: Array<{ cls: MatchClass; input: Uint8Array }>,
  ): Promise<{ status: 'ok' | 'refused'; code?: ErrorCode; epoch: number; items: number[]; tags: Array<{ cls: MatchClass; tag: Uint8Array }> }> {
    let member = this.#members.get(country);
    const resolve = (m: Member | undefined) => (kid: string) => {
      if (!m || kid !== keyId.node(country)) throw new VeilError('unknown_member', 'answer not signed by the target');
      return m.signPub;
    };
    let r: EvalResult;
    try {
      r = verifyEnvelope(env, resolve(member), EvalResult);
    } catch (e) {
      if (errorCodeOf(e) !== 'unknown_member') throw e;
      await this.members(true);
      member = this.#members.get(country);
      r = verifyEnvelope(env, resolve(member), EvalResult);
    }
    if (r.id !== id || r.from !== country || r.to !== this.credential.country) throw new VeilError('bad_request', 'answer is for another query');
    if (r.status === 'refused') return { status: 'refused', ...(r.code ? { code: r.code } : {}), epoch: r.epoch, items: [], tags: [] };
    if (member && member.epoch !== r.epoch) {
      await this.members(true);
      member = this.#members.get(country);
    }
    if (!member || member.epoch !== r.epoch) throw new VeilError('bad_proof', 'no published OPRF key for that epoch');
    if (r.items.length !== r.evaluated.length || !r.proof || r.items.some((i) => i >= req.items.length) || new Set(r.items).size !== r.items.length) {
      throw new VeilError('bad_proof', 'answer shape');
    }
    const blinded = r.items.map((i) => req.items[i]!.blinded);
    verifyBatch(member.oprfPub, blinded, r.evaluated, r.proof);
    const tags = r.items.map((i, j) => ({
      cls: keys[i]!.cls,
      tag: finalize('voprf', keys[i]!.input, blinds[i]!.blind, r.evaluated[j]!).subarray(0, LIMITS.tagBytes),
    }));
    return { status: 'ok', epoch: r.epoch, items: r.items, tags };
  }

  async #lookup(
    byCountry: Map<string, { epoch: number; tags: Array<{ cls: MatchClass; tag: Uint8Array }> }>,
    mode: 'exact' | 'bucket',
    bucketBytes: number,
  ): Promise<Map<string, Hit[]>> {
    if (bucketBytes < 2 || bucketBytes > 4) throw new VeilError('bad_request', 'bucketBytes must be 2..4');
    const items: LookupRequest['items'] = [];
    for (const [country, v] of byCountry) {
      const keys = v.tags.map((t) => (mode === 'exact' ? t.tag : t.tag.subarray(0, bucketBytes)));
      items.push({ country, epoch: v.epoch, keys: dedupe(keys) });
    }
    const req: LookupRequest = { t: 'lookup', id: toHex(randomBytes(16)), ts: Date.now(), nonce: randomBytes(16), mode, items };
    const resp = await this.#post('/v1/lookup', signEnvelope(this.credential.signing, keyId.analyst(this.credential.analystId), req), LookupResponse);
    const out = new Map<string, Hit[]>();
    for (const r of resp.results) {
      const mine = byCountry.get(r.country);
      if (!mine) continue;
      const hits: Hit[] = [];
      const seen = new Set<string>();
      for (const [tag, token] of r.entries) {
        for (const t of mine.tags) {
          // In bucket mode the entries include other tags in the bucket: match here, locally.
          if (!equalBytes(t.tag, tag)) continue;
          const k = `${t.cls}|${toBase64url(token)}`;
          if (seen.has(k)) continue;
          seen.add(k);
          hits.push({ cls: t.cls, token: toBase64url(token) });
        }
      }
      out.set(r.country, hits);
    }
    return out;
  }

  /**
   * Encrypted biometric 1:N search (DESIGN.md §3). The probe is encrypted here under a per-session HE
   * key whose secret never leaves this client; each target node scores it against its whole gallery
   * and masks the scores so that only which positions cross the threshold can be decrypted here.
   * Session keys go to a node once and are cached there by their hash.
   */
  async bioMatch(modality: BioModality, embedding: ArrayLike<number>, ctx: SearchContext, opts: { targets?: string[] } = {}): Promise<BioQueryResult> {
    const probe = decodeTemplate(Array.from(embedding), modality).vector;
    const members = await this.members();
    const session = await this.#bioSession(modality);
    const targets = opts.targets ?? members.map((m) => m.country).filter((c) => c !== this.credential.country);
    const id = toHex(randomBytes(16));
    const send = async (to: string[], withKeys: boolean) => {
      const req: BioQueryRequest = {
        t: 'bio-query',
        id: to === targets ? id : toHex(randomBytes(16)),
        ts: Date.now(),
        nonce: randomBytes(16),
        ...ctx,
        targets: to,
        modality,
        sessionId: session.he.sessionId,
        ...(withKeys ? { sessionKeys: session.he.sessionKeys() } : {}),
        probe: session.he.encryptProbe(probe),
      };
      const r = await this.#post('/v1/bio-query', signEnvelope(this.credential.signing, keyId.analyst(this.credential.analystId), req), QueryResponse);
      return { req, answers: r.answers };
    };
    const first = await send(targets, targets.some((c) => !session.sentTo.has(c)));
    const answers = new Map(first.answers.map((a) => [a.country, { a, req: first.req }]));
    // A node that lost the session keys (restart, cache eviction) asks for them again: resend once.
    const retry: string[] = [];
    for (const [c, { a }] of answers) {
      if (a.status !== 'answered' || !a.env) continue;
      try {
        const r = this.#openBio(c, decodeWith(a.env, Envelope, LIMITS.maxPayloadBytes));
        if (r.status === 'refused' && r.code === 'unknown_session') retry.push(c);
      } catch {
        /* reported below */
      }
    }
    if (retry.length > 0) {
      const again = await send(retry, true);
      for (const a of again.answers) answers.set(a.country, { a, req: again.req });
    }
    const results: BioCountryResult[] = [];
    for (const [country, { a, req }] of answers) {
      if (a.status !== 'answered' || !a.env) {
        results.push({ country, status: a.status === 'answered' ? 'error' : a.status, ...(a.code ? { code: a.code } : {}), hits: [] });
        continue;
      }
      try {
        const r = this.#openBio(country, decodeWith(a.env, Envelope, LIMITS.maxPayloadBytes));
        if (r.id !== req.id || r.to !== this.credential.country || r.modality !== modality) throw new VeilError('bad_request', 'answer is for another query');
        if (r.status === 'refused' || !r.result) {
          results.push({ country, status: 'refused', ...(r.code ? { code: r.code } : {}), hits: [] });
          continue;
        }
        session.sentTo.add(country);
        // Positions are in this query's permuted space (the node maps them back for a disclosure).
        const positions = session.he.decryptMasked(r.result);
        results.push({
          country,
          status: positions.length > 0 ? 'hit' : 'no-hit',
          positions: r.positions,
          hits: positions.map((p) => ({ position: p, ref: `bio:${req.id}:${p}` })),
        });
      } catch (e) {
        results.push({ country, status: 'error', code: errorCodeOf(e), hits: [] });
      }
    }
    results.sort((x, y) => x.country.localeCompare(y.country));
    return { queryId: id, modality, results };
  }

  #openBio(country: string, env: Envelope): BioEvalResult {
    const m = this.#members.get(country);
    const r = verifyEnvelope(
      env,
      (kid) => {
        if (!m || kid !== keyId.node(country)) throw new VeilError('unknown_member', 'answer not signed by the target');
        return m.signPub;
      },
      BioEvalResult,
    );
    if (r.from !== country) throw new VeilError('bad_request', 'answer from another country');
    return r;
  }

  async #bioSession(modality: BioModality): Promise<{ he: HeClient; sentTo: Set<string> }> {
    let s = this.#bio.get(modality);
    if (!s) {
      s = { he: await HeClient.create(BIO_PARAMS[modality]), sentTo: new Set() };
      this.#bio.set(modality, s);
    }
    return s;
  }

  /**
   * Ask for the record behind a biometric hit. The claim is the probe itself, sealed to the owning
   * node, which checks the plaintext similarity at that position before queuing the request and shows
   * the score to its data owner.
   */
  async requestBioDisclosure(
    hit: { country: string; ref: string },
    modality: BioModality,
    embedding: ArrayLike<number>,
    ctx: Omit<SearchContext, 'handling'>,
    opts: { fields: DisclosureField[]; justification: string; id?: string },
  ): Promise<{ id: string; status: DisclosureStatus }> {
    const m = /^bio:([0-9a-f]{32}):(\d+)$/.exec(hit.ref);
    if (!m) throw new VeilError('bad_request', 'biometric hit reference must be bio:<queryId>:<position>');
    const claim: SealedClaim['claim'] = { bio: { modality, queryId: m[1]!, position: Number(m[2]), embedding: Array.from(embedding) } };
    return this.#disclose(hit.country, undefined, claim, ctx, opts);
  }

  /**
   * Ask the owning country to reveal the record behind a hit (DESIGN.md §4). The claim — what was
   * searched for — and the justification travel sealed to the owning node, which checks the claim
   * really matches before any officer sees the request. Returns once the own node has queued it.
   */
  async requestDisclosure(
    hit: { country: string; token: string },
    claim: QuerySubject,
    ctx: Omit<SearchContext, 'handling'>,
    opts: { fields: DisclosureField[]; justification: string; id?: string },
  ): Promise<{ id: string; status: DisclosureStatus }> {
    return this.#disclose(hit.country, fromBase64url(hit.token), claim, ctx, opts);
  }

  async #disclose(
    country: string,
    token: Uint8Array | undefined,
    claim: SealedClaim['claim'],
    ctx: Omit<SearchContext, 'handling'>,
    opts: { fields: DisclosureField[]; justification: string; id?: string },
  ): Promise<{ id: string; status: DisclosureStatus }> {
    const hit = { country };
    await this.members();
    let owner = this.#members.get(hit.country);
    if (!owner) {
      await this.members(true);
      owner = this.#members.get(hit.country);
    }
    if (!owner) throw new VeilError('unknown_member', 'owner country');
    const id = opts.id ?? toHex(randomBytes(16));
    const sealedClaim = sealTo(owner.boxPub, encode({ id, ...(token ? { token } : {}), claim, justification: opts.justification } satisfies SealedClaim));
    const req: DisclosureRequest = {
      t: 'disclosure-request',
      id,
      ts: Date.now(),
      nonce: randomBytes(16),
      to: hit.country,
      purpose: ctx.purpose,
      caseRef: ctx.caseRef,
      legalBasis: ctx.legalBasis,
      fields: opts.fields,
      analystBoxPub: this.credential.box.publicKey(),
      sealedClaim,
    };
    return this.#post('/v1/disclosures', signEnvelope(this.credential.signing, keyId.analyst(this.credential.analystId), req), DisclosureAccepted);
  }

  /** My disclosure requests with their status; decisions are verified and releases opened here. */
  async disclosures(): Promise<Disclosure[]> {
    await this.members();
    const req: ListDisclosures = { t: 'list-disclosures', ts: Date.now(), nonce: randomBytes(16) };
    const r = await this.#post('/v1/disclosures/list', signEnvelope(this.credential.signing, keyId.analyst(this.credential.analystId), req), DisclosureListResponse);
    const out: Disclosure[] = [];
    for (const it of r.items) {
      const d: Disclosure = { id: it.id, to: it.to, status: it.status, createdAt: it.createdAt, fields: it.fields };
      if (it.decision) {
        try {
          let owner = this.#members.get(it.to);
          if (!owner) {
            await this.members(true);
            owner = this.#members.get(it.to);
          }
          const dec = verifyEnvelope(
            it.decision,
            (kid) => {
              if (!owner || kid !== keyId.node(it.to)) throw new VeilError('unknown_member');
              return owner.signPub;
            },
            DisclosureDecision,
          );
          if (dec.id !== it.id || dec.from !== it.to || dec.analyst !== this.credential.analystId) throw new VeilError('bad_request', 'decision for another request');
          if (dec.code) d.code = dec.code;
          if (dec.sealed) {
            const rel = decodeWith(this.credential.box.open(dec.sealed), SealedRelease, LIMITS.maxPayloadBytes);
            if (rel.id !== it.id) throw new VeilError('bad_request', 'release for another request');
            d.released = rel;
          }
        } catch (e) {
          d.status = 'rejected';
          d.code = errorCodeOf(e);
        }
      }
      out.push(d);
    }
    return out;
  }

  async #get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    const res = await fetch(this.nodeUrl + path, { headers: { accept: 'application/msgpack' } });
    return this.#read(res, schema);
  }

  async #post<S extends z.ZodType>(path: string, env: Envelope, schema: S): Promise<z.infer<S>> {
    const res = await fetch(this.nodeUrl + path, { method: 'POST', headers: { 'content-type': 'application/msgpack' }, body: encode(env) });
    return this.#read(res, schema);
  }

  async #read<S extends z.ZodType>(res: Response, schema: S): Promise<z.infer<S>> {
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (!res.ok) {
      let code: ErrorCode = 'internal';
      try {
        code = validate(decode(bytes, LIMITS.maxFrameBytes), ErrorBody).error.code;
      } catch {
        // not one of our error bodies
      }
      throw new VeilError(code, `node answered HTTP ${res.status}`);
    }
    return decodeWith(bytes, schema, LIMITS.maxFrameBytes);
  }

  async close(): Promise<void> {
    for (const s of this.#bio.values()) s.he.dispose();
    this.#bio.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function dedupe(keys: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const h = toHex(k);
    if (seen.has(h)) return false;
    seen.add(h);
    return true;
  });
}
