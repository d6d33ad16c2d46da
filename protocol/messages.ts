/**
 * Every message of the Veil wire protocol, as zod strict schemas tagged by `t` (CONTRIBUTING.md, code rule 2).
 *
 * Three kinds:
 * - signed payloads (inside an Envelope): written by an analyst or a node, verified by whoever relies
 *   on them, even after the coordinator relayed them;
 * - websocket frames between a node and the coordinator (the connection was authenticated when it was
 *   opened: protocol/login.ts);
 * - HTTP bodies between an analyst's SDK and its own node (gateway).
 */
import { z } from 'zod';
import { BIO_MODALITIES } from './biometrics.ts';
import { Envelope } from './envelope.ts';
import { ERROR_CODES } from './errors.ts';
import { LIMITS } from './limits.ts';
import { MATCH_CLASSES } from './match-keys/index.ts';
import { bytes, bytesMax, caseRef, code, country, epoch, id, legalBasis, nonce, purpose, ts } from './primitives.ts';
import { HANDLING_CODES } from './records.ts';

export const matchClass = z.enum(MATCH_CLASSES);
export const handling = z.enum(HANDLING_CODES);
export type Handling = z.infer<typeof handling>;
export const errorCode = z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]);
const tag = bytes(LIMITS.tagBytes);
const token = bytesMax(LIMITS.maxTokenBytes);
const element = bytes(32);
const targets = z.array(country).max(250).nullable();

/** Blinded match keys of a query, each tagged with its class. */
const queryItems = z
  .array(z.strictObject({ cls: matchClass, blinded: element }))
  .min(1)
  .max(LIMITS.maxQueryItems);

/** What every search carries, end to end. */
const searchContext = {
  purpose,
  caseRef,
  legalBasis,
  handling,
};

// ---------------------------------------------------------------- signed payloads

/** Analyst → own node: a blind identifier query (signed by the analyst's key). */
export const QueryRequest = z.strictObject({
  t: z.literal('query'),
  id,
  ts,
  nonce,
  ...searchContext,
  targets,
  items: queryItems,
});
export type QueryRequest = z.infer<typeof QueryRequest>;

/** Gateway node → coordinator → target nodes (signed by the gateway node). */
export const ForwardedQuery = z.strictObject({
  t: z.literal('fwd-query'),
  id,
  ts,
  nonce,
  from: country,
  /** The analyst's account id at its own node: lets the target budget and audit per analyst. */
  analyst: code,
  ...searchContext,
  targets,
  items: queryItems,
});
export type ForwardedQuery = z.infer<typeof ForwardedQuery>;

/** Target node's answer to one query (signed by the target node, verified by the analyst's SDK). */
export const EvalResult = z.strictObject({
  t: z.literal('eval-result'),
  id,
  ts,
  from: country,
  to: country,
  status: z.enum(['ok', 'refused']),
  code: errorCode.optional(),
  epoch,
  /** Indexes of the query items that were evaluated (policy may refuse some classes). */
  items: z.array(z.number().int().nonnegative().max(LIMITS.maxQueryItems)).max(LIMITS.maxQueryItems),
  evaluated: z.array(element).max(LIMITS.maxQueryItems),
  proof: bytes(64).nullable(),
  /**
   * The sequence number of the node's last index chunk the coordinator acknowledged for `epoch`: a lookup
   * must be answered from a commitment at least this recent (docs/trust.md, committed lookups).
   */
  indexSeq: z.number().int().nonnegative(),
});
export type EvalResult = z.infer<typeof EvalResult>;

/** Analyst → own node: look tags up in the coordinator's index. */
export const LookupRequest = z.strictObject({
  t: z.literal('lookup'),
  id,
  ts,
  nonce,
  mode: z.enum(['exact', 'bucket']),
  items: z
    .array(z.strictObject({ country, epoch, keys: z.array(bytesMax(LIMITS.tagBytes, 2)).min(1).max(LIMITS.maxQueryItems) }))
    .min(1)
    .max(250),
});
export type LookupRequest = z.infer<typeof LookupRequest>;

/** Gateway node → coordinator: the same lookup, signed by the node. */
export const ForwardedLookup = z.strictObject({
  t: z.literal('fwd-lookup'),
  id,
  ts,
  nonce,
  from: country,
  mode: z.enum(['exact', 'bucket']),
  items: LookupRequest.shape.items,
});
export type ForwardedLookup = z.infer<typeof ForwardedLookup>;

/**
 * A node's descriptor: its box key and current OPRF public key, signed by its certified signing key
 * (the member certificate travels beside it; `signPub` must equal the certificate's).
 */
export const NodeDescriptor = z.strictObject({
  t: z.literal('descriptor'),
  country,
  ts,
  signPub: element,
  boxPub: element,
  oprf: z.strictObject({ epoch, pub: element }),
});
export type NodeDescriptor = z.infer<typeof NodeDescriptor>;

/** A chunk of a node's PSI index (signed by the node). */
export const PublishChunk = z.strictObject({
  t: z.literal('publish'),
  country,
  epoch,
  seq: z.number().int().positive(),
  ts,
  adds: z.array(z.tuple([tag, token])).max(LIMITS.maxPublishPairs),
  removes: z.array(z.tuple([tag, token])).max(LIMITS.maxPublishPairs),
  /** Set on the last chunk of a full (re-)publication: the epoch is complete and becomes current. */
  final: z.boolean(),
});
export type PublishChunk = z.infer<typeof PublishChunk>;

/**
 * A node's signed commitment to its published index for one epoch after chunk `seq`: the root of the
 * bucket tree (protocol/index-commitment.ts) and the number of entries.
 */
export const IndexCommitment = z.strictObject({
  t: z.literal('index-commit'),
  country,
  epoch,
  seq: z.number().int().nonnegative(),
  root: bytes(32),
  count: z.number().int().nonnegative(),
  ts,
});
export type IndexCommitment = z.infer<typeof IndexCommitment>;

/** Analyst → own node: an encrypted biometric 1:N search (docs/design.md §3). */
const bioFields = {
  ...searchContext,
  targets,
  modality: z.enum(BIO_MODALITIES),
  /** SHA-256 (hex) of the session keys: nodes cache keys by it. */
  sessionId: z.string().regex(/^[0-9a-f]{64}$/),
  /** Sent with the first query of a session to each node; omitted afterwards. */
  sessionKeys: bytesMax(LIMITS.maxSessionKeyBytes).optional(),
  probe: bytesMax(LIMITS.maxProbeBytes),
};
export const BioQueryRequest = z.strictObject({ t: z.literal('bio-query'), id, ts, nonce, ...bioFields });
export type BioQueryRequest = z.infer<typeof BioQueryRequest>;

export const ForwardedBioQuery = z.strictObject({ t: z.literal('fwd-bio-query'), id, ts, nonce, from: country, analyst: code, ...bioFields });
export type ForwardedBioQuery = z.infer<typeof ForwardedBioQuery>;

/** Either kind of query the coordinator fans out. */
export const ForwardedAnyQuery = z.discriminatedUnion('t', [ForwardedQuery, ForwardedBioQuery]);
export type ForwardedAnyQuery = z.infer<typeof ForwardedAnyQuery>;

/** Target node's answer to a biometric query: masked encrypted scores only the analyst can decrypt. */
export const BioEvalResult = z.strictObject({
  t: z.literal('bio-result'),
  id,
  ts,
  from: country,
  to: country,
  status: z.enum(['ok', 'refused']),
  code: errorCode.optional(),
  modality: z.enum(BIO_MODALITIES),
  /** The query's session (`sessionId`): the result is encrypted under that session's key only. */
  sessionId: bioFields.sessionId,
  /** Gallery positions covered by the result. */
  positions: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 31),
  result: bytesMax(LIMITS.maxPayloadBytes - 4096).nullable(),
});
export type BioEvalResult = z.infer<typeof BioEvalResult>;

// ---------------------------------------------------------------- websocket frames

const answer = z.strictObject({
  country,
  status: z.enum(['answered', 'unavailable', 'timeout', 'error']),
  code: errorCode.optional(),
  /**
   * The target's signed answer as msgpack-encoded Envelope bytes: the coordinator passes it through
   * without decoding (it routes ~50k answers/s at 250 q/s × 194 targets); the analyst's SDK decodes and
   * verifies it.
   */
  env: bytesMax(LIMITS.maxPayloadBytes).optional(),
});
export type Answer = z.infer<typeof answer>;

/** One complete bucket of a country's index with its path to the committed root. */
const committedBucket = z.strictObject({
  bucket: z.number().int().nonnegative().max(0xffff),
  entries: z.array(z.tuple([tag, token])).max(LIMITS.maxBucketEntries),
  path: z.array(bytes(32)).length(16),
});
export type CommittedBucket = z.infer<typeof committedBucket>;

const lookupResult = z.strictObject({
  country,
  epoch,
  /** The node-signed `IndexCommitment` the buckets are proven against. */
  commitment: Envelope,
  buckets: z.array(committedBucket).max(LIMITS.maxQueryItems),
});
export type LookupResult = z.infer<typeof lookupResult>;

/** A member as the directory distributes it: its certificate and its current signed descriptor. */
export const MemberEntry = z.strictObject({ cert: Envelope, descriptor: Envelope.nullable() });
export type MemberEntry = z.infer<typeof MemberEntry>;
const directory = { members: z.array(MemberEntry).max(1000), revocations: Envelope.nullable() };

export const CoordinatorFrame = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('welcome'), ...directory }),
  z.strictObject({ t: z.literal('members'), ...directory }),
  z.strictObject({ t: z.literal('eval'), batch: z.array(Envelope).min(1).max(LIMITS.maxBatchQueries) }),
  z.strictObject({ t: z.literal('query-result'), id, answers: z.array(answer).max(250) }),
  z.strictObject({ t: z.literal('lookup-result'), id, results: z.array(lookupResult).max(250) }),
  z.strictObject({ t: z.literal('publish-ack'), epoch, seq: z.number().int().positive() }),
  z.strictObject({ t: z.literal('error'), code: errorCode, ref: id.optional() }),
  /** The coordinator has durably stored a mail item: the sender may forget it. */
  z.strictObject({ t: z.literal('mail-stored'), mid: id }),
  /** The answer to `presence`: the countries with a live, authenticated session. */
  z.strictObject({ t: z.literal('presence'), id, online: z.array(country).max(1000) }),
  /** Mail for this node; it acknowledges with `mail-ack` once it has durably processed each item. */
  z.strictObject({
    t: z.literal('mail'),
    items: z
      .array(z.strictObject({ mid: id, from: country, env: Envelope }))
      .min(1)
      .max(256),
  }),
]);
export type CoordinatorFrame = z.infer<typeof CoordinatorFrame>;

export const NodeFrame = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('descriptor'), env: Envelope }),
  z.strictObject({ t: z.literal('query'), env: Envelope }),
  z.strictObject({
    t: z.literal('eval-results'),
    /**
     * `to` and `id` route the answer; `env` is the encoded signed Envelope, passed through undecoded.
     * The analyst's SDK checks the signature and that the signed payload matches `to` and `id`. A query
     * the node could not verify gets no signed answer: `code` alone, routed as an error for that target.
     */
    results: z
      .array(z.union([z.strictObject({ to: country, id, env: bytesMax(LIMITS.maxPayloadBytes) }), z.strictObject({ to: country, id, code: errorCode })]))
      .min(1)
      .max(LIMITS.maxBatchQueries),
  }),
  z.strictObject({ t: z.literal('lookup'), env: Envelope }),
  /** An index chunk and the node's commitment to the index after applying it. */
  z.strictObject({ t: z.literal('publish'), env: Envelope, commit: Envelope }),
  /** Store a signed message in `to`'s mailbox; idempotent by `mid`. */
  z.strictObject({ t: z.literal('mail-send'), mid: id, to: country, env: Envelope }),
  z.strictObject({ t: z.literal('mail-ack'), mids: z.array(id).min(1).max(256) }),
  /** Which members are connected now (the node's operator asks, `veil status`). */
  z.strictObject({ t: z.literal('presence'), id }),
]);
export type NodeFrame = z.infer<typeof NodeFrame>;

// ---------------------------------------------------------------- analyst HTTP API (SDK ↔ own node)

export const QueryResponse = z.strictObject({ id, answers: z.array(answer).max(250) });
export type QueryResponse = z.infer<typeof QueryResponse>;
export const LookupResponse = z.strictObject({ id, results: z.array(lookupResult).max(250) });
export type LookupResponse = z.infer<typeof LookupResponse>;
export const MembersResponse = z.strictObject(directory);
export type MembersResponse = z.infer<typeof MembersResponse>;
export const ErrorBody = z.strictObject({ error: z.strictObject({ code: errorCode, message: z.string().max(200) }) });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Exhaustiveness guard for `switch (msg.t)`. */
export function assertNever(x: never): never {
  throw new Error(`unhandled message ${String((x as { t?: unknown }).t)}`);
}
