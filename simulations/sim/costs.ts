/**
 * The cost model: how long a party is busy handling one message, in virtual milliseconds. The real
 * code runs (and its real CPU time is measured, see `SchedulerStats`), but virtual time must not depend
 * on how loaded the machine running the simulation is, so each message costs what its crypto would cost
 * on one core of the reference machine: signatures checked and made, OPRF evaluations, DLEQ proofs,
 * finalizations, HE work per gallery block, directory entries verified. Parties are single servers:
 * messages wait while the party is busy, which is where queueing delay comes from.
 *
 * Defaults were measured on the project's 2-vCPU reference machine (`npm run bench -- sim` prints the
 * unit costs it measures, so a scenario can carry the figures of another machine in `costs`).
 */
import type { Inspected } from './inspect.ts';

export interface Costs {
  /** Ed25519 signature check / signature. */
  verifyMs: number;
  signMs: number;
  /** OPRF: blinding one key (SDK), evaluating one element (node), finalizing one (SDK). */
  blindMs: number;
  evalMs: number;
  finalizeMs: number;
  /** One batched DLEQ proof, and checking one (plus per element). */
  proveMs: number;
  proofVerifyMs: number;
  proofVerifyPerElementMs: number;
  /** Verifying one directory entry (member certificate and descriptor). */
  memberMs: number;
  /** The coordinator's work per frame, per fan-out target, per looked-up bucket, per published pair. */
  frameMs: number;
  fanoutPerTargetMs: number;
  bucketMs: number;
  publishPairMs: number;
  /** Opening, checking and storing one mail item (disclosure request or decision). */
  mailItemMs: number;
  /** HE: session keys (once per session), one probe encryption, decrypting one result ciphertext. */
  heKeysMs: number;
  heEncryptMs: number;
  heDecryptMs: number;
  /** HE scoring at the node: fixed part (probe rotations) and per 2,048-template block. */
  heScoreMs: number;
  heBlockMs: number;
}

export const DEFAULT_COSTS: Costs = {
  verifyMs: 0.15,
  signMs: 0.12,
  blindMs: 0.5,
  evalMs: 0.28,
  finalizeMs: 0.6,
  proveMs: 0.6,
  proofVerifyMs: 0.9,
  proofVerifyPerElementMs: 0.35,
  memberMs: 0.35,
  frameMs: 0.02,
  fanoutPerTargetMs: 0.004,
  bucketMs: 0.03,
  publishPairMs: 0.005,
  mailItemMs: 1,
  heKeysMs: 120,
  heEncryptMs: 12,
  heDecryptMs: 2.5,
  heScoreMs: 180,
  heBlockMs: 18,
};

/** Result ciphertexts of a masked biometric answer cover 4,096 positions each. */
const POSITIONS_PER_RESULT_CT = 4096;

/** The coordinator handling a frame from a node (`members`: how many a query without targets reaches). */
export function coordinatorCost(x: Inspected, c: Costs, members: number): number {
  switch (x.kind) {
    case 'query': {
      const targets = x.count('fwd-query.targets') + x.count('fwd-bio-query.targets');
      return c.frameMs + c.fanoutPerTargetMs * (targets > 0 ? targets : members);
    }
    case 'lookup':
      return c.frameMs + c.bucketMs * x.count('fwd-lookup.items.keys');
    case 'publish':
      return c.frameMs + 2 * c.verifyMs + (c.publishPairMs * (x.count('publish.adds') + x.count('publish.removes'))) / 2;
    case 'descriptor':
      return c.frameMs + c.verifyMs;
    case 'mail-send':
      return c.frameMs + c.mailItemMs;
    default:
      return c.frameMs;
  }
}

/** A node handling a frame from the coordinator (`galleryBlocks`: its gallery, in 2,048-template blocks). */
export function nodeCost(x: Inspected, c: Costs, galleryBlocks: number): number {
  switch (x.kind) {
    case 'eval': {
      let ms = c.frameMs;
      const queries = x.payloads.filter((p) => p === 'fwd-query').length;
      ms += queries * (c.verifyMs + c.proveMs + c.signMs) + c.evalMs * x.count('fwd-query.items.blinded');
      const bio = x.payloads.filter((p) => p === 'fwd-bio-query').length;
      ms += bio * (c.verifyMs + c.heScoreMs + c.heBlockMs * galleryBlocks + c.signMs);
      return ms;
    }
    case 'welcome':
    case 'members':
      return c.frameMs + c.memberMs * x.count(`${x.kind}.members.cert.kid`);
    case 'mail':
      return c.frameMs + c.mailItemMs * x.count('mail.items.mid');
    default:
      return c.frameMs;
  }
}

/** The gateway handling an analyst's request: check the analyst's signature, sign what it forwards. */
export function gatewayCost(c: Costs): number {
  return c.frameMs + c.verifyMs + c.signMs;
}

/** The analyst's SDK preparing a request (before it leaves). */
export function analystRequestCost(x: Inspected, c: Costs, firstBioSession: boolean): number {
  if (x.count('query.items.blinded') > 0) return c.signMs + c.blindMs * x.count('query.items.blinded');
  if (x.count('bio-query.probe') > 0) return c.signMs + c.heEncryptMs + (firstBioSession ? c.heKeysMs : 0);
  return c.signMs;
}

/** The analyst's SDK checking a response. */
export function analystResponseCost(x: Inspected, c: Costs): number {
  const answers = x.payloads.filter((p) => p === 'eval-result').length;
  const bio = x.payloads.filter((p) => p === 'bio-result').length;
  const evaluated = x.count('eval-result.evaluated');
  let ms = answers * (c.verifyMs + c.proofVerifyMs) + evaluated * (c.proofVerifyPerElementMs + c.finalizeMs);
  for (const [p, v] of x.leaves) if (p === 'bio-result.positions' && typeof v === 'number') ms += c.heDecryptMs * Math.ceil(v / POSITIONS_PER_RESULT_CT);
  ms += bio * c.verifyMs;
  ms += c.bucketMs * x.count('response /v1/lookup.results.buckets.bucket');
  ms += c.verifyMs * x.count('response /v1/lookup.results.commitment.kid');
  ms += c.memberMs * x.count('response /v1/members.members.cert.kid');
  ms += c.verifyMs * x.count('response /v1/disclosures/list.items.decision.kid');
  return ms;
}
