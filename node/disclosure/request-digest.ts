/**
 * The content of a disclosure request for the idempotency rule (docs/design.md §5; platform's
 * `idempotency.ts`): a digest over what the request asks for, without the per-send fields (timestamp,
 * nonce, signature), encoded as a fixed-order tuple so the same content always gives the same digest.
 *
 * - At the requesting node the sealed claim is left out: the node cannot read it, and the SDK seals it
 *   afresh (randomised) on every send, so a retry of the same request carries other bytes. The owner
 *   sees only the claim of the first send.
 * - At the owning node everything the requesting node forwarded counts, the sealed claim included: a
 *   requesting node forwards a request once, so the same key with other bytes is not a retry.
 */
import { sha256 } from '#crypto';
import { type DisclosureRequest, encode, type ForwardedDisclosure } from '#protocol';

export function outgoingDigest(req: DisclosureRequest): Uint8Array {
  return sha256(encode(['disclosure-request', req.id, req.to, req.purpose, req.caseRef, req.legalBasis, req.fields, req.analystBoxPub]));
}

export function incomingDigest(fwd: ForwardedDisclosure): Uint8Array {
  return sha256(
    encode(['fwd-disclosure', fwd.id, fwd.from, fwd.analyst, fwd.to, fwd.purpose, fwd.caseRef, fwd.legalBasis, fwd.fields, fwd.analystBoxPub, fwd.sealedClaim]),
  );
}
