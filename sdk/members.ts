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
import { equalBytes, toHex } from '#crypto';
import {
  asVeilError,
  type Envelope,
  type ErrorCode,
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
  return verifyEntry(entry, anchor, revocations, now).member;
}

/** A verified entry with its certificate's validity window, so a later update can re-check time alone. */
interface VerifiedEntry {
  readonly entry: MemberEntry;
  readonly member: Member;
  readonly notBefore: number;
  readonly notAfter: number;
}

function verifyEntry(entry: MemberEntry, anchor: TrustAnchor, revocations: RevocationState, now: number): VerifiedEntry {
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
  return { entry, member, notBefore: cert.notBefore, notAfter: cert.notAfter };
}

const sameEnvelope = (a: Envelope | null, b: Envelope | null): boolean =>
  a === b || (a !== null && b !== null && a.v === b.v && a.kid === b.kid && equalBytes(a.sig, b.sig) && equalBytes(a.payload, b.payload));

/** Cache key of an entry: its two signatures (the bytes themselves are compared on a hit). */
const entryKey = (e: MemberEntry): string => `${toHex(e.cert.sig)}:${e.descriptor ? toHex(e.descriptor.sig) : ''}`;

/**
 * The member of `entry` if exactly these bytes verified at the previous update: the signatures need no
 * second check, but time and revocations do (a certificate expires, a list revokes it).
 */
function reuse(prev: VerifiedEntry | undefined, entry: MemberEntry, revocations: RevocationState, now: number): Member | undefined {
  if (!prev || !sameEnvelope(prev.entry.cert, entry.cert) || !sameEnvelope(prev.entry.descriptor, entry.descriptor)) return undefined;
  if (now < prev.notBefore || now > prev.notAfter) throw new VeilError('certificate_expired', 'certificate not valid now');
  revocations.check('node', prev.member.country);
  return prev.member;
}

export class MemberDirectory {
  readonly revocations: RevocationState;
  #byCountry = new Map<string, Member>();
  #entries: MemberEntry[] = [];
  /** Entries verified at the last update, by signatures: directory broadcasts repeat them unchanged. */
  #verified = new Map<string, VerifiedEntry>();
  #rejected: Array<{ country: string; code: ErrorCode }> = [];

  constructor(
    readonly anchor: TrustAnchor,
    readonly now: () => number = Date.now,
  ) {
    this.revocations = new RevocationState(anchor);
  }

  /**
   * Replace the directory by `entries`, after applying `revocations` if it is newer than the list held.
   * Entries that do not verify are left out (`rejected()` says which and why). An entry byte-identical
   * to one verified at the previous update keeps its verified signatures; its validity window and the
   * revocation list are checked again (a broadcast repeats every member, and checking 2 signatures per
   * member per broadcast at every node costs the network N² signature checks).
   */
  update(entries: readonly MemberEntry[], revocations: Envelope | null): void {
    if (revocations) this.applyRevocations(revocations);
    const next = new Map<string, Member>();
    const kept: MemberEntry[] = [];
    const verified = new Map<string, VerifiedEntry>();
    const rejected: Array<{ country: string; code: ErrorCode }> = [];
    const now = this.now();
    for (const entry of entries) {
      try {
        const key = entryKey(entry);
        const prev = this.#verified.get(key);
        let m = reuse(prev, entry, this.revocations, now);
        if (m && prev) verified.set(key, prev);
        else {
          const v = verifyEntry(entry, this.anchor, this.revocations, now);
          verified.set(key, v);
          m = v.member;
        }
        next.set(m.country, m);
        kept.push(entry);
      } catch (e) {
        rejected.push({ country: keyIdName(entry.descriptor?.kid ?? '', 'node') ?? '?', code: asVeilError(e).code });
      }
    }
    this.#byCountry = next;
    this.#entries = kept;
    this.#verified = verified;
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
