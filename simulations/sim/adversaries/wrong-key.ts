/**
 * A member answering with a key other than the one its index was built with (`node-party.ts` plays it).
 * What it achieves is read from the answers its country gave: it can hide its records (every answer a
 * miss) but not forge a hit, and unannounced it is caught by the proof check.
 */
import type { Scenario } from '../scenario.ts';
import type { Adversary, AdversaryReport } from './adversary.ts';

type Spec = Extract<Scenario['adversaries'][number], { kind: 'wrong-key-member' }>;

export function wrongKeyMember(spec: Spec): Adversary {
  return {
    kind: spec.kind,
    report(ctx): AdversaryReport {
      const mine = Object.entries(ctx.outcomes.byCountry.toObject()).filter(([k]) => k.startsWith(`${spec.country}:`));
      const count = (pred: (status: string) => boolean) => mine.filter(([k]) => pred(k.slice(3))).reduce((a, [, n]) => a + n, 0);
      const hits = count((s) => s === 'hit');
      const misses = count((s) => s === 'no-hit');
      const flagged = count((s) => s !== 'hit' && s !== 'no-hit');
      return {
        kind: spec.kind,
        who: `node:${spec.country}`,
        summary: `${spec.announced ? 'announced' : 'unannounced'} wrong key: ${hits} hits, ${misses} answers taken as misses, ${flagged} answers flagged as errors`,
        achieved: { announced: spec.announced ? 'yes' : 'no', hits, acceptedAsMiss: misses, flagged, statuses: JSON.stringify(Object.fromEntries(mine)) },
        contained: hits === 0 && (spec.announced || misses === 0),
      };
    },
  };
}
