/**
 * Crash chaos in CI (issue 10, point 4): a short seeded run of bench/chaos/run.ts — real processes
 * (coordinator, two nodes through the CLI) under a workload of queries, disclosure requests and owner
 * approvals, SIGKILLed at random moments and restarted. Nothing the system accepted is lost or
 * duplicated, and every audit chain verifies. `npm run chaos -- --kills 100` is the full run.
 */
import { expect, it } from 'vitest';
import { runChaos } from '../bench/chaos/run.ts';

it('SIGKILLs under load lose and duplicate nothing accepted; audit chains verify', { timeout: 900_000 }, async () => {
  const r = await runChaos({ kills: 3, seed: 7 });
  expect(r.kills).toBe(3);
  expect({ lost: r.lost, duplicated: r.duplicated, auditChainsOk: r.auditChainsOk }).toEqual({ lost: 0, duplicated: 0, auditChainsOk: true });
  // The workload did get work accepted to check.
  expect(r.accepted.requests).toBeGreaterThan(0);
});
