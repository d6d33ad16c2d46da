/**
 * What every SDK flow (query, lookup, biometric match, disclosure) receives: the analyst's credential,
 * its channel to its own node, the member directory, and the randomness and clock it must use (so tests
 * can fix them). One object instead of positional arguments.
 */
import { type Rng, toHex } from '#crypto';
import { VeilError } from '#protocol';
import type { Credential } from './credential.ts';
import type { KnownMembers } from './known-members.ts';
import type { NodeApi } from './node-api.ts';
import type { VerifiedCommitments } from './verified-commitments.ts';
import type { AnswerChecker } from './verify-answer.ts';

/** Time as a dependency (a subset of the platform's `Clock`, so one of those may be passed). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemTime: Clock = { now: () => Date.now() };

export interface FlowDeps {
  readonly credential: Credential;
  readonly api: NodeApi;
  readonly members: KnownMembers;
  readonly rng: Rng;
  readonly clock: Clock;
  /** How query answers are checked (default: on the calling thread). */
  readonly check?: AnswerChecker;
  /** Index commitments already verified (default: every lookup verifies every commitment). */
  readonly commitments?: VerifiedCommitments;
}

/**
 * Targets named by the analyst must be other countries: the network asks other members, never the
 * analyst's own (its records are searched in its own systems). Said, not silently dropped.
 */
export function checkTargets(deps: Pick<FlowDeps, 'credential'>, targets: readonly string[] | undefined): void {
  const own = deps.credential.country;
  if (!targets?.includes(own)) return;
  const others = targets.filter((t) => t !== own);
  throw new VeilError('bad_request', `the targets include ${own}, the analyst's own country: Veil asks other member countries only`, {
    hint: others.length > 0 ? `leave ${own} out (${others.join(',')})` : "search your own country's records in its own systems",
  });
}

/** A fresh request id: 16 random bytes as 32 hex digits. */
export function freshId(rng: Rng): string {
  return toHex(rng(16));
}
