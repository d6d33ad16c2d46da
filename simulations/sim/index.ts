/** Protocol simulations (`veil sim`): scenario, run, sweep and the shipped example scenarios. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type { AdversaryReport } from './adversaries/index.ts';
export type { Measured, Results } from './results.ts';
export { EXIT_LEDGER_EXCESS, type RunOptions, type RunOutput, runSimulation } from './run.ts';
export { parseScenario, parseScenarioValue, Scenario, scenarioCountries } from './scenario.ts';
export { parseValue, runSweep, type SweepRun, withParam } from './sweep.ts';

/** The example scenarios shipped in `simulations/scenarios/`. */
export const EXAMPLE_SCENARIOS = ['small', 'world-195', 'adversarial'] as const;

export function exampleScenarioPath(name: (typeof EXAMPLE_SCENARIOS)[number]): string {
  return fileURLToPath(new URL(`../scenarios/${name}.jsonc`, import.meta.url));
}

/** The commented example `veil sim init` writes (the small scenario). */
export function exampleScenarioText(): string {
  return readFileSync(exampleScenarioPath('small'), 'utf8');
}
