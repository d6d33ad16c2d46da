/**
 * The analyst SDK's facade: `VeilClient` holds the analyst's credential and its channel to its own node,
 * and composes the flows — blind identifier queries (`query.ts`, `verify-answer.ts`, `lookup.ts`),
 * encrypted biometric search (`bio-match.ts`) and owner-approved disclosure (`disclosure.ts`) — over one
 * member directory (`known-members.ts`).
 *
 * The transport (default: HTTP with `fetch` to the credential's node URL), randomness and clock can be
 * injected, and so can the factory of biometric HE sessions.
 */
import { initCrypto, type Rng, randomBytes } from '#crypto';
import { type BioModality, type QuerySubject, VeilError } from '#protocol';
import { BioMatcher, type BioSessionFactory } from './bio-match.ts';
import { type Credential, loadCredential } from './credential.ts';
import { biometricClaim, type DisclosureContext, identifierClaim, listDisclosures, requestDisclosure } from './disclosure.ts';
import { type Clock, type FlowDeps, systemTime } from './flow-deps.ts';
import { KnownMembers } from './known-members.ts';
import type { Member } from './members.ts';
import { NodeApi } from './node-api.ts';
import { runQuery } from './query.ts';
import { nodeTransport, type Transport } from './transport.ts';
import type { BioQueryResult, Disclosure, DisclosureOptions, DisclosureReceipt, QueryOptions, QueryResult, SearchContext } from './types.ts';
import { VerifiedCommitments } from './verified-commitments.ts';
import { VerifyPool } from './verify-pool.ts';

export interface ConnectOptions {
  /** The own node's base URL; default: the credential's. Not needed when `transport` is given. */
  nodeUrl?: string;
  /** How requests reach the own node; default: HTTPS to `nodeUrl`, pinned to the node's certified TLS certificate. */
  transport?: Transport;
  /** Randomness for blinds, request ids and nonces; default: the system CSPRNG. */
  rng?: Rng;
  /** Time for request timestamps and the member directory's age; default: the system clock. */
  clock?: Clock;
  /** Creates the HE session of a modality; default: real CKKS sessions (`HeClient`). */
  bioSessions?: BioSessionFactory;
  /**
   * Worker threads checking query answers (signature, DLEQ proof, finalization); default one per core,
   * started at the first query with several answers; 0 checks them on the calling thread.
   */
  verifyThreads?: number;
}

export class VeilClient implements AsyncDisposable {
  readonly #deps: FlowDeps;
  readonly #bio: BioMatcher;
  readonly #pool: VerifyPool | undefined;

  private constructor(
    readonly credential: Credential,
    /** The own node's base URL (empty when an injected transport was given without one). */
    readonly nodeUrl: string,
    transport: Transport,
    opts: ConnectOptions,
  ) {
    const api = new NodeApi({ transport, credential });
    const clock = opts.clock ?? systemTime;
    this.#pool = opts.verifyThreads === 0 ? undefined : new VerifyPool(opts.verifyThreads ?? 0);
    this.#deps = {
      credential,
      api,
      members: new KnownMembers({ api, clock, anchor: credential.bundle }),
      rng: opts.rng ?? randomBytes,
      clock,
      ...(this.#pool ? { check: this.#pool.check } : {}),
      commitments: new VerifiedCommitments(),
    };
    this.#bio = new BioMatcher(this.#deps, opts.bioSessions);
  }

  static async connect(credential: Credential | string, opts: ConnectOptions = {}): Promise<VeilClient> {
    await initCrypto();
    const cred = typeof credential === 'string' ? loadCredential(credential) : credential;
    const url = opts.nodeUrl ?? cred.nodeUrl ?? '';
    if (!url && !opts.transport) throw new VeilError('bad_config', 'the credential names no node URL; pass nodeUrl');
    const nodeUrl = url.replace(/\/$/, '');
    return new VeilClient(cred, nodeUrl, opts.transport ?? nodeTransport(nodeUrl, { caPem: cred.bundle.caPem, nodeCertificate: cred.node.x509 }), opts);
  }

  get country(): string {
    return this.credential.country;
  }

  /** The network's members (verified descriptors), refetched when `refresh` is set or after 30 s. */
  async members(refresh = false): Promise<Member[]> {
    return this.#deps.members.list(refresh);
  }

  /** A blind query: which countries hold this person, document or vehicle? */
  async query(subject: QuerySubject, ctx: SearchContext, opts: QueryOptions = {}): Promise<QueryResult> {
    return runQuery(this.#deps, subject, ctx, opts);
  }

  /**
   * Encrypted biometric 1:N search: only which positions of each target's gallery cross the threshold
   * is learned here, as references to quote in a disclosure request.
   */
  async bioMatch(modality: BioModality, embedding: ArrayLike<number>, ctx: SearchContext, opts: { targets?: string[] } = {}): Promise<BioQueryResult> {
    return this.#bio.match(modality, embedding, ctx, opts);
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
    ctx: DisclosureContext,
    opts: DisclosureOptions,
  ): Promise<DisclosureReceipt> {
    return requestDisclosure(this.#deps, biometricClaim(hit, modality, embedding), ctx, opts);
  }

  /**
   * Ask the owning country to reveal the record behind a hit. The claim — what was searched for — and
   * the justification travel sealed to the owning node, which checks the claim really matches before
   * any officer sees the request. Returns once the own node has queued it.
   */
  async requestDisclosure(
    hit: { country: string; token: string },
    claim: QuerySubject,
    ctx: DisclosureContext,
    opts: DisclosureOptions,
  ): Promise<DisclosureReceipt> {
    return requestDisclosure(this.#deps, identifierClaim(hit, claim), ctx, opts);
  }

  /** My disclosure requests with their status; decisions are verified and releases opened here. */
  async disclosures(): Promise<Disclosure[]> {
    return listDisclosures(this.#deps);
  }

  /** Start the answer-checking threads now rather than at the first large query. */
  async warmUp(): Promise<void> {
    await this.#pool?.start();
  }

  /** Delete the HE sessions' secret keys and stop the answer-checking threads. */
  async close(): Promise<void> {
    this.#bio.dispose();
    await this.#pool?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
