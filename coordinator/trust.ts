/**
 * What the coordinator trusts: the organisation root pinned in its trust bundle, and the latest
 * revocation list signed by that root. It checks every member's login against them (certificate,
 * validity, revocation, a signature bound to the TLS session) and distributes the revocation list to
 * every node, but it mints nothing: certificates and lists come from the organisation (org/).
 *
 * The operator hands a new list to the coordinator with `veil coordinator revocations FILE`, which
 * writes it to the store; the running coordinator picks it up within `REVOCATION_POLL_MS`, ends the
 * sessions of members it suspends or revokes, and sends it to every node with the next directory.
 */
import { fromBase64url, toBase64url } from '#crypto';
import type { Clock } from '#platform';
import { decodeWith, Envelope, encode, LIMITS, type LoginIdentity, ReplayGuard, RevocationState, type TrustBundle, verifyLoginHeader } from '#protocol';
import type { MetaRepository } from './store/repositories.ts';

/** How often the store is checked for a newer revocation list. */
export const REVOCATION_POLL_MS = 1000;
const META_KEY = 'revocations';

export interface CoordinatorTrust {
  readonly bundle: TrustBundle;
  readonly revocations: RevocationState;
  /** Check a node's login header from a connection with this channel binding. */
  authenticate(header: string | undefined, binding: Uint8Array): LoginIdentity;
  /** Apply a newer list from the store, if there is one; returns true when it changed. */
  refresh(): Promise<boolean>;
  sweep(): void;
}

export function createTrust(deps: { bundle: TrustBundle; name: string; meta: MetaRepository; clock: Clock }): CoordinatorTrust {
  const revocations = new RevocationState(deps.bundle);
  const replay = new ReplayGuard({ clock: () => deps.clock.now() });
  return {
    bundle: deps.bundle,
    revocations,
    authenticate: (header, binding) =>
      verifyLoginHeader(header, { anchor: deps.bundle, revocations, coordinator: deps.name, binding, now: deps.clock.now(), replay }),
    async refresh() {
      const text = await deps.meta.get(META_KEY);
      if (!text) return false;
      return revocations.applyStored(decodeWith(fromBase64url(text), Envelope, LIMITS.maxPayloadBytes));
    },
    sweep: () => replay.sweep(),
  };
}

/** Store a revocation list for the running coordinator to pick up (after checking it against the bundle). */
export async function storeRevocations(meta: MetaRepository, bundle: TrustBundle, list: Envelope): Promise<{ seq: number; applied: boolean }> {
  const current = new RevocationState(bundle);
  const text = await meta.get(META_KEY);
  if (text) current.applyStored(decodeWith(fromBase64url(text), Envelope, LIMITS.maxPayloadBytes));
  const applied = current.apply(list);
  if (applied) await meta.set(META_KEY, toBase64url(encode(list)));
  return { seq: current.seq, applied };
}
