/**
 * The member directory as seen by an analyst or a node: each member's self-signed descriptor (signing
 * key, box key, current OPRF public key and epoch), verified before use. The coordinator curates the
 * list (it admitted each member by its public keys); a descriptor whose signature does not verify under
 * its own signing key, or whose key id names another country, is dropped.
 */
import { verifyEnvelope, decode, LIMITS, NodeDescriptor, type Envelope, VeilError, keyId, keyIdName } from '#protocol';

export interface Member {
  readonly country: string;
  readonly signPub: Uint8Array;
  readonly boxPub: Uint8Array;
  readonly epoch: number;
  readonly oprfPub: Uint8Array;
}

export function verifyDescriptor(env: Envelope): Member {
  // Self-signed: read the claimed key, then verify the envelope under it before trusting anything.
  const d = verifyEnvelope(
    env,
    (kid) => {
      if (keyIdName(kid, 'node') === undefined) throw new VeilError('bad_signature', 'descriptor not signed by a node');
      return peekSignPub(env);
    },
    NodeDescriptor,
  );
  if (env.kid !== keyId.node(d.country)) throw new VeilError('bad_signature', 'descriptor key id names another country');
  return { country: d.country, signPub: d.signPub, boxPub: d.boxPub, epoch: d.oprf.epoch, oprfPub: d.oprf.pub };
}

function peekSignPub(env: Envelope): Uint8Array {
  // The payload is decoded twice (once unverified, only to read the claimed key); `verifyEnvelope` then checks
  // the signature over the exact bytes before the schema-checked decode is trusted.
  const d = NodeDescriptor.safeParse(decodeUnverified(env));
  if (!d.success) throw new VeilError('bad_schema', 'descriptor');
  return d.data.signPub;
}

function decodeUnverified(env: Envelope): unknown {
  return decode(env.payload, LIMITS.maxPayloadBytes);
}

export class MemberDirectory {
  #byCountry = new Map<string, Member>();
  #envelopes: Envelope[] = [];

  update(envs: readonly Envelope[]): void {
    const next = new Map<string, Member>();
    const kept: Envelope[] = [];
    for (const env of envs) {
      try {
        const m = verifyDescriptor(env);
        next.set(m.country, m);
        kept.push(env);
      } catch {
        // an unverifiable descriptor is ignored; that member then shows as unknown
      }
    }
    this.#byCountry = next;
    this.#envelopes = kept;
  }

  /** Signing key of the member node named by `kid` (`node:CC`), for `verifyEnvelope()`; unknown → `unknown_member`. */
  signerOf(kid: string): Uint8Array {
    const country = keyIdName(kid, 'node');
    const m = country === undefined ? undefined : this.#byCountry.get(country);
    if (!m) throw new VeilError('unknown_member');
    return m.signPub;
  }

  get(country: string): Member | undefined {
    return this.#byCountry.get(country);
  }

  all(): Member[] {
    return [...this.#byCountry.values()];
  }

  envelopes(): Envelope[] {
    return this.#envelopes;
  }
}
