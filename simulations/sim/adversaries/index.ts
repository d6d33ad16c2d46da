/** The scenario's adversaries, built from their specs (each in its own file of this folder). */
import type { Scenario } from '../scenario.ts';
import type { Adversary } from './adversary.ts';
import { colludingMembers, curiousCoordinator } from './observing.ts';
import { enumeratingAnalyst, floodingMember } from './querying.ts';
import { wrongKeyMember } from './wrong-key.ts';

export type { Adversary, AdversaryContext, AdversaryReport } from './adversary.ts';

export function buildAdversaries(s: Scenario): Adversary[] {
  return s.adversaries.map((a): Adversary => {
    switch (a.kind) {
      case 'enumerating-analyst':
        return enumeratingAnalyst(a);
      case 'flooding-member':
        return floodingMember(a);
      case 'curious-coordinator':
        return curiousCoordinator();
      case 'colluding-members':
        return colludingMembers(a);
      case 'wrong-key-member':
        return wrongKeyMember(a);
      default: {
        const never: never = a;
        throw new Error(`unknown adversary ${String(never)}`);
      }
    }
  });
}
