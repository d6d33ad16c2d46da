/**
 * The member directory as seen by an analyst or a node: for each member, its certificate from the
 * organisation and its descriptor (box key, current OPRF public key and epoch), verified before any of
 * its keys is used.
 *
 * The chain is checked here, not taken from whoever relayed it: the certificate must verify under the
 * pinned organisation root, be within its validity window and not be suspended or revoked by the
 * current revocation list; the descriptor must be signed by exactly the key the certificate names and
 * name the same country. A coordinator (or a gateway) that substitutes a key gets the member dropped:
 * queries to it then fail, and nothing is ever sealed to a key the organisation did not vouch for.
 * Revocation lists are applied only when newer, so an older list cannot roll a revocation back.
 */
import { sha256, toHex } from '#crypto';
import {
  asVeilError,
  type Envelope,
  type ErrorCode,
  encode,
  keyId,
  keyIdName,
  type MemberEntry,
  type MemberRole,
  NodeDescriptor,
  RevocationState,
  type TrustAnchor,
  VeilError,
  verifyCertificate,
  verifyEnvelope,
} from '#protocol';

export interface Member {
  readonly country: string;
  readonly signPub: Uint8Array;
  readonly boxPub: Uint8Array;
  readonly epoch: number;
  readonly oprfPub: Uint8Array;
  readonly roles: readonly MemberRole[];
  /** The member's TLS certificate (DER), as its member certificate names it. */
  readonly tlsCertificate: Uint8Array;
}

/** Verify one directory entry against the pinned root and the revocation list at `now`. */
export function verifyMember(entry: MemberEntry, anchor: TrustAnchor, revocations: RevocationState, now: number): Member {
  return verifyMemberEntry(entry, anchor, revocations, now).member;
}

/** A verified entry: its member and what must be checked again at each use (validity, revocation). */
interface Verified {
  readonly member: Member;
  readonly name: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

function verifyMemberEntry(entry: MemberEntry, anchor: TrustAnchor, revocations: RevocationState, now: number): Verified {
  const cert = verifyCertificate(entry.cert, anchor, now, { expect: { role: 'node' }, revocations });
  if (!entry.descriptor) throw new VeilError('not_found', 'member has not published a descriptor yet');
  const d = verifyEnvelope(
    entry.descriptor,
    (kid) => {
      if (kid !== keyId.node(cert.name)) throw new VeilError('untrusted_key', 'descriptor not signed by the certified node');
      return cert.signPub;
    },
    NodeDescriptor,
  );
  if (d.country !== cert.name) throw new VeilError('untrusted_key', 'descriptor names another country than its certificate');
  const member = {
    country: d.country,
    signPub: cert.signPub,
    boxPub: d.boxPub,
    epoch: d.oprf.epoch,
    oprfPub: d.oprf.pub,
    roles: cert.roles,
    tlsCertificate: cert.x509,
  };
  return { member, name: cert.name, notBefore: cert.notBefore, notAfter: cert.notAfter };
}

/** The signatures of an entry depend only on its bytes and the pinned root: the key of the cache. */
function entryDigest(entry: MemberEntry): string {
  return toHex(sha256(encode([entry.cert, entry.descriptor])));
}

export class MemberDirectory {
  readonly revocations: RevocationState;
  #byCountry = new Map<string, Member>();
  #entries: MemberEntry[] = [];
  #rejected: Array<{ country: string; code: ErrorCode }> = [];
  /**
   * Entries of the last update whose signatures verified, by digest: a directory is re-sent whole on
   * every change, so unchanged entries skip the two signature checks. Validity time and revocation are
   * checked again at every update, as for a new entry.
   */
  #verified = new Map<string, Verified>();

  constructor(
    readonly anchor: TrustAnchor,
    readonly now: () => number = Date.now,
  ) {
    this.revocations = new RevocationState(anchor);
  }

  /**
   * Replace the directory by `entries`, after applying `revocations` if it is newer than the list held.
   * Entries that do not verify are left out (`rejected()` says which and why).
   */
  update(entries: readonly MemberEntry[], revocations: Envelope | null): void {
    if (revocations) this.applyRevocations(revocations);
    const next = new Map<string, Member>();
    const kept: MemberEntry[] = [];
    const rejected: Array<{ country: string; code: ErrorCode }> = [];
    const now = this.now();
    const verified = new Map<string, Verified>();
    for (const entry of entries) {
      try {
        const digest = entryDigest(entry);
        const known = this.#verified.get(digest);
        let v: Verified;
        if (known) {
          if (now < known.notBefore || now > known.notAfter) throw new VeilError('certificate_expired', 'certificate expired');
          this.revocations.check('node', known.name);
          v = known;
        } else v = verifyMemberEntry(entry, this.anchor, this.revocations, now);
        verified.set(digest, v);
        next.set(v.member.country, v.member);
        kept.push(entry);
      } catch (e) {
        rejected.push({ country: keyIdName(entry.descriptor?.kid ?? '', 'node') ?? '?', code: asVeilError(e).code });
      }
    }
    this.#verified = verified;
    this.#byCountry = next;
    this.#entries = kept;
    this.#rejected = rejected;
  }

  /** Apply a revocation list if it is newer; members it suspends or revokes leave the directory at once. */
  applyRevocations(env: Envelope): boolean {
    if (!this.revocations.apply(env)) return false;
    for (const [country] of this.#byCountry) {
      if (this.revocations.status('node', country) !== 'good') {
        this.#byCountry.delete(country);
        this.#entries = this.#entries.filter((e) => keyIdName(e.descriptor?.kid ?? '', 'node') !== country);
      }
    }
    return true;
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

  /** The verified entries, to hand on (a gateway serves them to its analysts). */
  entries(): MemberEntry[] {
    return this.#entries;
  }

  /** Entries left out by the last update, with the reason. */
  rejected(): ReadonlyArray<{ country: string; code: ErrorCode }> {
    return this.#rejected;
  }
}
