/**
 * What every simulated adversary provides: an optional tap on the wire (what it sees), actions it takes
 * once the network is up, and a report of what it achieved, measured against ground truth.
 */
import type { Outcomes } from '../metrics/outcomes.ts';
import type { Observer } from '../observer.ts';
import type { Population } from '../population.ts';
import type { Scenario } from '../scenario.ts';
import type { Plan } from '../workload.ts';
import type { World } from '../world.ts';

export interface AdversaryContext {
  readonly s: Scenario;
  readonly world: World;
  readonly pop: Population;
  readonly plan: Plan;
  readonly outcomes: Outcomes;
  /** Virtual time the workload starts. */
  readonly t0: number;
}

export interface AdversaryReport {
  readonly kind: string;
  /** Who plays it. */
  readonly who: string;
  /** One sentence: what it tried and what it got. */
  readonly summary: string;
  /** Figures of what it achieved. */
  readonly achieved: Record<string, number | string | null>;
  /** Did the protocol keep it within what the design allows? */
  readonly contained: boolean;
}

export interface Adversary {
  readonly kind: string;
  readonly observer?: Observer;
  start?(ctx: AdversaryContext): void;
  /** Still acting (the run waits for it). */
  busy?(): boolean;
  report(ctx: AdversaryContext): AdversaryReport;
}
