/**
 * Disclosure messages (docs/design.md §4): identity only on the owner's approval.
 *
 * What travels in the clear (and so what the gateway and the coordinator may see): request id, the two
 * countries, the analyst's account id, purpose, case reference, legal basis, requested field names, the
 * analyst's X25519 public key, the decision's status. What travels sealed (`crypto_box_seal`): to the
 * owning node, the claim (the identifier that matched, with the hit token) and the justification; to
 * the analyst, the released fields and the owner's reason for a denial.
 */
import { z } from 'zod';
import { BIO_MODALITIES } from './biometrics.ts';
import { Envelope } from './envelope.ts';
import { LIMITS } from './limits.ts';
import { handling, matchClass } from './messages.ts';
import { bytes, bytesMax, caseRef, code, country, id, legalBasis, nonce, purpose, ts } from './primitives.ts';
import { DATE_ORDERS, DISCLOSURE_FIELDS, GENDERS } from './vocabulary.ts';

export { DISCLOSURE_FIELDS } from './vocabulary.ts';
export type DisclosureField = (typeof DISCLOSURE_FIELDS)[number];
export const disclosureField = z.enum(DISCLOSURE_FIELDS);

export const DISCLOSURE_STATUSES = ['sent', 'pending', 'approved', 'denied', 'expired', 'rejected'] as const;
export type DisclosureStatus = (typeof DISCLOSURE_STATUSES)[number];

/**
 * Size caps of store-and-forward mail. A typical disclosure request or decision is under 1 KiB; the
 * largest legitimate ones are a biometric claim (a 2048-float probe and a 2000-character justification:
 * about 25 KiB sealed) and a release of a record with every field at its cap (about 21 KiB sealed;
 * `disclosure.test.ts` builds both). 64 KiB per item holds those with more than twice the room, while
 * a page of mail stays far below a frame (`LIMITS.maxFrameBytes`, 40 MiB): a member cannot make
 * another's mail undeliverable by padding it.
 */
export const MAIL_LIMITS = {
  /** One mail item: the signed envelope, encoded. */
  maxItemBytes: 64 * 1024,
  /** One sealed part (claim or release): the item cap less room for the clear fields and the envelope. */
  maxSealedBytes: 60 * 1024,
} as const;

const fields = z.array(disclosureField).min(1).max(DISCLOSURE_FIELDS.length);
const sealed = bytesMax(MAIL_LIMITS.maxSealedBytes);

/** Analyst → own node (signed by the analyst). */
export const DisclosureRequest = z.strictObject({
  t: z.literal('disclosure-request'),
  id,
  ts,
  nonce,
  to: country,
  purpose,
  caseRef,
  legalBasis,
  fields,
  analystBoxPub: bytes(32),
  /** crypto_box_seal to the owning node's box key of a `SealedClaim`. */
  sealedClaim: sealed,
});
export type DisclosureRequest = z.infer<typeof DisclosureRequest>;

/** The part only the owning node can read. */
export const SealedClaim = z.strictObject({
  id,
  /**
   * The request the claim belongs to: the owner checks these equal the forwarded request's clear fields
   * (`from` and `analyst` as the requesting node authenticated them), so the claim binds the request id
   * to its requester, the box key releases are sealed to, and the fields asked for.
   */
  from: country,
  analyst: code,
  to: country,
  purpose,
  caseRef,
  legalBasis,
  fields,
  analystBoxPub: bytes(32),
  /** The hit token from the query result (identifier hits; absent for biometric hits). */
  token: bytesMax(LIMITS.maxTokenBytes).optional(),
  /** The identifier that matched: what the analyst searched for (for a biometric hit, the probe). */
  claim: z.union([
    z.strictObject({
      bio: z.strictObject({
        modality: z.enum(BIO_MODALITIES),
        queryId: id,
        position: z
          .number()
          .int()
          .nonnegative()
          .max(2 ** 31),
        embedding: z.array(z.number()).min(1).max(2048),
      }),
    }),
    // A person as the analyst searched for it: with the sex and date order the query used, the owner
    // derives the same keys (gendered surname stems, one reading of an ambiguous date).
    z.strictObject({
      name: z.string().min(1).max(300),
      dob: z.string().min(4).max(20),
      sex: z.enum(GENDERS).optional(),
      dateOrder: z.enum(DATE_ORDERS).optional(),
    }),
    z.strictObject({
      doc: z.strictObject({ type: z.string().max(40), country: z.string().max(3), number: z.string().max(40) }),
      /** The query asked for misread characters too (O/0, I/1, …): the owner derives `doc_fuzzy` keys as well. */
      confusions: z.boolean().optional(),
    }),
    z.strictObject({ vin: z.string().max(40) }),
  ]),
  justification: z.string().min(1).max(2000),
});
export type SealedClaim = z.infer<typeof SealedClaim>;

/** Requesting node → coordinator mailbox → owning node (signed by the requesting node). */
export const ForwardedDisclosure = z.strictObject({
  t: z.literal('fwd-disclosure'),
  id,
  ts,
  from: country,
  analyst: code,
  to: country,
  purpose,
  caseRef,
  legalBasis,
  fields,
  analystBoxPub: bytes(32),
  sealedClaim: sealed,
});
export type ForwardedDisclosure = z.infer<typeof ForwardedDisclosure>;

/** Owning node → coordinator mailbox → requesting node → analyst (signed by the owning node). */
export const DisclosureDecision = z.strictObject({
  t: z.literal('disclosure-decision'),
  id,
  ts,
  from: country,
  to: country,
  analyst: code,
  status: z.enum(['approved', 'denied', 'expired', 'rejected']),
  /** Why a request was rejected before any officer saw it (bad token, claim does not match). */
  code: code.optional(),
  cls: z.union([matchClass, z.enum(BIO_MODALITIES)]).optional(),
  /** crypto_box_seal to the analyst's key of a `SealedRelease` (approved or denied). */
  sealed: sealed.optional(),
});
export type DisclosureDecision = z.infer<typeof DisclosureDecision>;

/** What the analyst opens. */
export const SealedRelease = z.strictObject({
  id,
  handling: handling.optional(),
  /** Released fields only; absent fields were not released. */
  fields: z.partialRecord(disclosureField, z.unknown()).optional(),
  /** A denial's reason, in the data owner's words. */
  reason: z.string().max(2000).optional(),
  decidedAt: ts,
});
export type SealedRelease = z.infer<typeof SealedRelease>;

/** Analyst → own node: list my disclosure requests (signed; the body proves who asks). */
export const ListDisclosures = z.strictObject({ t: z.literal('list-disclosures'), ts, nonce });
export type ListDisclosures = z.infer<typeof ListDisclosures>;

export const DisclosureListResponse = z.strictObject({
  items: z
    .array(
      z.strictObject({
        id,
        to: country,
        status: z.enum(DISCLOSURE_STATUSES),
        createdAt: ts,
        fields,
        decision: Envelope.optional(),
      }),
    )
    .max(10_000),
});
export type DisclosureListResponse = z.infer<typeof DisclosureListResponse>;

export const DisclosureAccepted = z.strictObject({ id, status: z.enum(DISCLOSURE_STATUSES) });

/** Mail frames: store-and-forward through the coordinator's per-node mailboxes. */
export const MailItem = z.strictObject({ mid: id, from: country, env: Envelope });
export type MailItem = z.infer<typeof MailItem>;
