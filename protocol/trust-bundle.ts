/**
 * The trust bundle every node and SDK pins: the organisation's name, its root public key, its TLS CA
 * certificate with the root's signed endorsement of it, and the coordinator's certificate. It travels
 * out of band (a file handed over with the software); a person compares its fingerprint
 * (`rootFingerprint`) by a second channel before use. The fingerprint covers only the root key: the CA
 * certificate and the coordinators' certificates are accepted because the root signed them.
 *
 * A replicated deployment runs several coordinator instances (docs/high-availability.md), each with its
 * own name, keys and certificate: `coordinators` lists them all (`coordinator`, kept for bundles with
 * one, is the first). A node pins every certificate listed and names, in its login, the one it reached.
 *
 * Root re-issue: a new bundle carries a `rollover` statement signed by the previous root naming the new
 * root key. A party holding the old bundle accepts the new one only with that statement, so a root can
 * be replaced without a second out-of-band handover, and a forged bundle without it is refused.
 */
import { z } from 'zod';
import { equalBytes, fromBase64url, type SigningKey, sha256, toBase64url } from '#crypto';
import { type MemberCertificate, rootFingerprint, type TrustAnchor, verifyCertificate } from './certificates.ts';
import { encode } from './codec.ts';
import { decodeWith } from './decode.ts';
import { Envelope, signEnvelope, verifyEnvelope } from './envelope.ts';
import { VeilError } from './errors.ts';
import { keyId } from './key-id.ts';
import { LIMITS } from './limits.ts';
import { bytes, ts } from './primitives.ts';

const b64 = z.string().regex(/^[A-Za-z0-9_-]{1,8192}$/);

export const TrustBundleFile = z.strictObject({
  v: z.literal(1),
  org: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  rootPub: b64,
  /** The organisation's TLS CA certificate (PEM). */
  caPem: z.string().max(8192),
  /** The root's signed statement naming the CA certificate (base64url envelope). */
  caEndorsement: b64.optional(),
  fingerprint: z.string().max(64),
  /** The coordinator's member certificate (a signed envelope, msgpack, base64url); absent until certified. */
  coordinator: b64.optional(),
  /** Every coordinator instance's certificate, when there are several (the first is `coordinator`). */
  coordinators: z.array(b64).min(2).max(16).optional(),
  /** Statement by the previous root that this root replaces it (base64url envelope). */
  rollover: b64.optional(),
});
export type TrustBundleFile = z.infer<typeof TrustBundleFile>;

export const RootRollover = z.strictObject({ t: z.literal('root-rollover'), org: z.string(), newRootPub: bytes(32), ts });
export type RootRollover = z.infer<typeof RootRollover>;

/** The root vouches for the TLS CA certificate (by its SHA-256), so the bundle's CA cannot be swapped. */
export const CaEndorsement = z.strictObject({ t: z.literal('tls-ca'), org: z.string(), caSha256: bytes(32), ts });
export type CaEndorsement = z.infer<typeof CaEndorsement>;

/** DER bytes of the first certificate in a PEM text. */
export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  if (!m?.[1]) throw new VeilError('bad_config', 'not a PEM certificate');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

export function endorseCa(root: SigningKey, org: string, caPem: string, now: number): Envelope {
  return signEnvelope(root, keyId.org(org), { t: 'tls-ca', org, caSha256: sha256(pemToDer(caPem)), ts: now } satisfies CaEndorsement);
}

export interface TrustBundle extends TrustAnchor {
  readonly caPem: string;
  /** The root's endorsement of `caPem` (checked when the bundle is read). */
  readonly caEndorsement: Envelope;
  readonly fingerprint: string;
  /** The (first) coordinator's certificate envelope, if the bundle names one. */
  readonly coordinatorCert: Envelope | undefined;
  /** Every coordinator instance's certificate envelope (empty until one is certified). */
  readonly coordinatorCerts: readonly Envelope[];
  readonly rollover: Envelope | undefined;
}

export function parseTrustBundle(raw: unknown): TrustBundle {
  const r = TrustBundleFile.safeParse(raw);
  if (!r.success) throw new VeilError('bad_config', 'trust bundle is invalid');
  const f = r.data;
  const rootPub = fromBase64url(f.rootPub);
  if (rootPub.length !== 32) throw new VeilError('bad_config', 'trust bundle root key has the wrong length');
  if (rootFingerprint(rootPub) !== f.fingerprint) throw new VeilError('bad_config', 'trust bundle fingerprint does not match its root key');
  const env = (s: string | undefined) => (s === undefined ? undefined : decodeWith(fromBase64url(s), Envelope, LIMITS.maxPayloadBytes));
  const endorsement = env(f.caEndorsement);
  if (!endorsement) throw new VeilError('bad_config', 'trust bundle carries no endorsement of its CA certificate');
  let e: CaEndorsement;
  try {
    e = verifyEnvelope(endorsement, () => rootPub, CaEndorsement);
  } catch {
    throw new VeilError('bad_config', 'trust bundle: the CA endorsement is not signed by its root');
  }
  if (endorsement.kid !== keyId.org(f.org) || e.org !== f.org || !equalBytes(e.caSha256, sha256(pemToDer(f.caPem)))) {
    throw new VeilError('bad_config', 'trust bundle: its CA certificate is not the one its root endorsed');
  }
  const coordinatorCerts = (f.coordinators ?? (f.coordinator ? [f.coordinator] : [])).map((c) => env(c) as Envelope);
  if (f.coordinators && f.coordinators[0] !== f.coordinator) throw new VeilError('bad_config', 'trust bundle: its first coordinator is not `coordinator`');
  return {
    org: f.org,
    rootPub,
    caPem: f.caPem,
    caEndorsement: endorsement,
    fingerprint: f.fingerprint,
    coordinatorCert: coordinatorCerts[0],
    coordinatorCerts,
    rollover: env(f.rollover),
  };
}

export function trustBundleFile(b: {
  org: string;
  rootPub: Uint8Array;
  caPem: string;
  caEndorsement: Envelope;
  coordinatorCert?: Envelope;
  /** Several coordinator instances (takes the place of `coordinatorCert`). */
  coordinatorCerts?: readonly Envelope[];
  rollover?: Envelope;
}): TrustBundleFile {
  const coordinators = (b.coordinatorCerts ?? (b.coordinatorCert ? [b.coordinatorCert] : [])).map((c) => toBase64url(encode(c)));
  return {
    v: 1,
    org: b.org,
    rootPub: toBase64url(b.rootPub),
    caPem: b.caPem,
    caEndorsement: toBase64url(encode(b.caEndorsement)),
    fingerprint: rootFingerprint(b.rootPub),
    ...(coordinators[0] ? { coordinator: coordinators[0] } : {}),
    ...(coordinators.length > 1 ? { coordinators } : {}),
    ...(b.rollover ? { rollover: toBase64url(encode(b.rollover)) } : {}),
  };
}

/** The coordinator's certificate from the bundle, verified against the bundle's own root. */
export function bundleCoordinator(b: TrustBundle, now: number): MemberCertificate {
  if (!b.coordinatorCert) throw new VeilError('bad_config', 'the trust bundle names no coordinator yet: certify it with `veil org admit --coordinator`');
  return verifyCertificate(b.coordinatorCert, b, now, { expect: { role: 'coordinator' } });
}

/**
 * Every coordinator instance's certificate from the bundle, each verified against the bundle's root; a
 * certificate that fails (expired, say) is left out. `bad_config` if none is left.
 */
export function bundleCoordinators(b: TrustBundle, now: number): MemberCertificate[] {
  if (b.coordinatorCerts.length === 0) bundleCoordinator(b, now);
  const certs: MemberCertificate[] = [];
  for (const c of b.coordinatorCerts) {
    try {
      certs.push(verifyCertificate(c, b, now, { expect: { role: 'coordinator' } }));
    } catch {
      // not valid now: not pinned
    }
  }
  if (certs.length === 0)
    throw new VeilError('bad_config', 'no coordinator certificate in the trust bundle is valid now: renew them with `veil org admit --coordinator`');
  return certs;
}

export function signRootRollover(oldRoot: SigningKey, org: string, newRootPub: Uint8Array, now: number): Envelope {
  return signEnvelope(oldRoot, keyId.org(org), { t: 'root-rollover', org, newRootPub, ts: now } satisfies RootRollover);
}

/**
 * Accept `next` in place of the pinned `current` bundle: the same root, or a new root whose rollover
 * statement verifies under the current root. Anything else is `untrusted_key`.
 */
export function acceptBundleUpdate(current: TrustBundle, next: TrustBundle): TrustBundle {
  if (next.org !== current.org) throw new VeilError('untrusted_key', 'bundle of another organisation');
  if (equalBytes(next.rootPub, current.rootPub)) return next;
  if (!next.rollover) throw new VeilError('untrusted_key', 'new root without a rollover statement from the pinned root');
  let r: RootRollover;
  try {
    r = verifyEnvelope(next.rollover, () => current.rootPub, RootRollover);
  } catch (e) {
    throw new VeilError('untrusted_key', 'rollover statement does not verify under the pinned root', { cause: e });
  }
  if (next.rollover.kid !== keyId.org(current.org) || r.org !== current.org || !equalBytes(r.newRootPub, next.rootPub)) {
    throw new VeilError('untrusted_key', 'rollover statement names another root');
  }
  return next;
}
