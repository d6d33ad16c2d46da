/**
 * Index commitments the SDK has already checked. Every lookup answer carries, per country asked, the
 * commitment its node signed over its index (protocol/index-commitment.ts), and it changes only when
 * that node publishes: a query to every member would otherwise check the same 194 signatures again at
 * every lookup (≈ 0.25 ms each, on the calling thread). A commitment whose bytes — version, key id,
 * payload and signature — equal the last one verified for that country, under the same member key, is
 * the same statement by the same signer, and is not verified again; anything else is verified in full.
 * One entry per country: a new commitment replaces the old one.
 */
import { equalBytes } from '#crypto';
import { type Envelope, IndexCommitment, verifyEnvelope } from '#protocol';
import { nodeSigner } from './known-members.ts';
import type { Member } from './members.ts';

interface Verified {
  readonly signPub: Uint8Array;
  readonly env: Envelope;
  readonly commitment: IndexCommitment;
}

export class VerifiedCommitments {
  readonly #byCountry = new Map<string, Verified>();

  /** The commitment in `env`, signed by `country`'s node with the key `member` holds; throws otherwise. */
  verify(country: string, env: Envelope, member: Member | undefined): IndexCommitment {
    const known = this.#byCountry.get(country);
    if (known && member && sameBytes(known, member, env)) return known.commitment;
    const commitment = verifyEnvelope(env, nodeSigner(country, member, 'commitment not signed by the owning node'), IndexCommitment);
    if (member) {
      // Copies: the caller's buffers may be views into a frame that is reused.
      const copy: Envelope = { v: env.v, kid: env.kid, payload: env.payload.slice(), sig: env.sig.slice() };
      this.#byCountry.set(country, { signPub: member.signPub.slice(), env: copy, commitment });
    }
    return commitment;
  }
}

function sameBytes(known: Verified, member: Member, env: Envelope): boolean {
  return (
    known.env.v === env.v &&
    known.env.kid === env.kid &&
    equalBytes(known.signPub, member.signPub) &&
    equalBytes(known.env.sig, env.sig) &&
    equalBytes(known.env.payload, env.payload)
  );
}
