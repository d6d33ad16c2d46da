/**
 * `runSimulation` end to end on a tiny scenario (the real coordinator, nodes, gateways and SDK over
 * simulated links, on a seeded virtual clock): the same seed gives the same `results.json` byte for
 * byte, another seed gives another; matching is measured against the population's ground truth; and a
 * party seeing more than design §8 allows shows up in the leakage ledger and in the exit code.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_LEDGER_EXCESS, parseScenario, parseScenarioValue, runSimulation } from '#simulations';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'veil-sim-test-'));
  dirs.push(d);
  return d;
}

/** Three countries in three scripts, 80 records each, 16 queries of every kind, one node restart. */
function tiny(seed: number, extra: Record<string, unknown> = {}) {
  return parseScenarioValue({
    name: 'tiny',
    seed,
    countries: { codes: ['DE', 'GR', 'UA'] },
    population: { recordsPerCountry: 80, faces: { countries: 2, share: 0.5 } },
    workload: {
      queries: 16,
      arrival: { process: 'poisson', ratePerSecond: 4 },
      lookup: 'bucket',
      disclosures: { share: 0.5, decisionDelay: '20s', approve: 0.7, deny: 0.2 },
      deletions: [{ country: 'GR', at: '2s', records: 3 }],
    },
    faults: [{ kind: 'node-down', country: 'UA', at: '1s', for: '3s' }],
    metrics: { detProbes: 2 },
    drain: '3m',
    ...extra,
  });
}

describe('veil sim run', () => {
  it('the same seed gives byte-identical results.json; another seed does not', async () => {
    const [a, b, c] = [outDir(), outDir(), outDir()];
    const first = await runSimulation(tiny(11), { outDir: a });
    await runSimulation(tiny(11), { outDir: b });
    await runSimulation(tiny(12), { outDir: c });
    const bytes = (d: string) => readFileSync(join(d, 'results.json'), 'utf8');
    expect(bytes(b)).toBe(bytes(a));
    expect(bytes(c)).not.toBe(bytes(a));

    // It did run the protocol: queries answered, records imported, traffic between every role.
    const r = first.results;
    expect(r.population).toMatchObject({ records: expect.any(Number) });
    expect((r.population as { records: number }).records).toBeGreaterThan(200);
    expect((r.queries as { completed: number }).completed).toBeGreaterThan(10);
    expect(Object.keys(r.bytes.roles).sort()).toEqual(['analyst', 'coordinator', 'node']);
    expect(r.faults).toMatchObject({ nodeRestarts: 1 });
    // Ground truth: every name/document query about someone held is scored for recall.
    const recall = (r.matching as { recallByKind: Record<string, { pairs: number; found: number }> }).recallByKind;
    expect(Object.values(recall).reduce((n, v) => n + v.pairs, 0)).toBeGreaterThan(0);
    // Bucket lookups: nobody sees more than the design allows.
    expect(r.ledger.summary.excess).toBe(0);
    expect(first.exitCode).toBe(0);
  }, 600_000);

  it('exact lookups show the analyst’s gateway whole tags: the ledger flags it and the run exits non-zero', async () => {
    const s = tiny(5, { workload: { queries: 6, lookup: 'exact', mix: { document: 0.5, vehicle: 0, name: 0.5, biometric: 0 } }, metrics: { detProbes: 0 } });
    const out = await runSimulation(s, { outDir: outDir() });
    expect(out.exitCode).toBe(EXIT_LEDGER_EXCESS);
    const excess = out.results.ledger.rows.filter((row) => row.verdict === 'excess');
    expect(excess.map((row) => `${row.role}/${row.category}`)).toContain('gateway/query-tag');
    expect(out.results.exit.code).toBe(EXIT_LEDGER_EXCESS);
  }, 600_000);

  it('a bad scenario is refused with the field named', () => {
    expect(() => parseScenario('{ "workload": { "queries": -1 } }', 'x.jsonc')).toThrow(/x\.jsonc: workload\.queries/);
    expect(() => parseScenario('{ "countries": { "codes": ["DE", "XX"] } }')).toThrow(/countries\.codes\.1: is not one of the 195 countries/);
    expect(() => parseScenario('{ "faults": [{ "kind": "meteor" }] }')).toThrow(/faults\.0\.kind/);
    expect(() => parseScenario('{ // comment\n "seed": 3 }').seed).not.toThrow();
    expect(() => parseScenario('{ "seed": ')).toThrow(/not valid JSON/);
  });
});
