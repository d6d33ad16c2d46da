/**
 * SIGTERM on real processes (through the CLI): a node and the coordinator drain what they have in
 * flight and exit 0; a short deadline cuts the wait and the caller gets a clear `unavailable` instead
 * of a hang. A query is held in flight by stopping its target's process (SIGSTOP): it stays connected
 * and never answers, so the coordinator waits for its query deadline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { type QueryResult, VeilClient } from '#sdk';
import { type Daemon, type LocalNetwork, startLocalNetwork, waitFor } from '#simulations';
import { fetchPinned } from './helpers/https.ts';
import { parseExposition } from './helpers/prometheus.ts';

const TOKEN = 'metrics-token-for-shutdown-tests-0123456789';
const QUERY_DEADLINE_MS = 8000;
const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-5', legalBasis: 'art-3', handling: 'restricted' } as const;
const exited = (d: Daemon) =>
  new Promise<number | null>((resolve) => (d.proc.exitCode !== null ? resolve(d.proc.exitCode) : d.proc.once('exit', (c) => resolve(c))));

describe('graceful shutdown of real processes', () => {
  let net: LocalNetwork;
  let caPem: string;
  const clients = new Map<string, VeilClient>();
  const daemon = (c: string) => net.nodes.get(c)!.daemon;

  /** Resolves once `base`'s process holds at least `n` units of work in flight. */
  const inFlight = (base: string, metric: string, n = 1) =>
    waitFor(`${metric} ≥ ${n}`, async () => {
      const r = await fetchPinned(`${base}/metrics`, caPem, { headers: { authorization: `Bearer ${TOKEN}` } });
      return parseExposition(r.text()).sum(metric) >= n;
    });

  beforeAll(async () => {
    await initCrypto();
    net = await startLocalNetwork([{ country: 'FR' }, { country: 'NL' }, { country: 'UA', config: { shutdownGraceMs: 300 } }, { country: 'DE' }], {
      env: { VEIL_METRICS_TOKEN: TOKEN, VEIL_LOG_LEVEL: 'info' },
      coordinatorConfig: { queryDeadlineMs: QUERY_DEADLINE_MS },
    });
    caPem = readFileSync(join(net.orgDir, 'ca.pem'), 'utf8');
    await net.settled();
    for (const c of ['FR', 'NL', 'UA']) clients.set(c, await VeilClient.connect(await net.addAnalyst(c, `Analyst ${c}`)));
    // DE stays connected but answers nothing from here on.
    daemon('DE').proc.kill('SIGSTOP');
  });

  afterAll(async () => {
    daemon('DE')?.proc.kill('SIGCONT');
    for (const c of clients.values()) await c.close();
    await net?.stop();
  });

  const askDE = (c: string): Promise<QueryResult> => clients.get(c)!.query({ name: 'Otto Lehmann', dob: '1960-01-01' }, CTX, { targets: ['DE'] });

  it('a node whose deadline is shorter than the work in flight exits 0 at the deadline; the analyst gets `unavailable`', async () => {
    const ua = daemon('UA');
    const pending = askDE('UA').then(
      () => 'answered',
      (e: { code?: string }) => e.code,
    );
    await inFlight(ua.info.url, 'veil_node_work_in_flight');
    const t0 = Date.now();
    ua.proc.kill('SIGTERM');
    expect(await exited(ua)).toBe(0);
    const took = Date.now() - t0;
    expect(await pending).toBe('unavailable');
    // It did not wait for the coordinator's query deadline.
    expect(took).toBeLessThan(QUERY_DEADLINE_MS);
    expect(ua.logs()).toContain('shutdown deadline reached');
  });

  it('a node and the coordinator drain the queries in flight, refuse new work meanwhile, and exit 0', async () => {
    const fr = daemon('FR');
    const frQuery = askDE('FR');
    const nlQuery = askDE('NL');
    await inFlight(net.coordinator.info.url, 'veil_coordinator_queries_pending', 2);
    fr.proc.kill('SIGTERM');
    net.coordinator.proc.kill('SIGTERM');

    // Both are draining: not ready, and new requests are refused at once.
    await waitFor('FR draining', async () => (await fetchPinned(`${fr.info.url}/readyz`, caPem)).status === 503);
    expect((await fetchPinned(`${fr.info.url}/readyz`, caPem)).json()).toEqual({ status: 'draining', checks: {} });
    await expect(askDE('FR')).rejects.toMatchObject({ code: 'unavailable' });
    await waitFor('coordinator draining', async () => (await fetchPinned(`${net.coordinator.info.url}/readyz`, caPem)).status === 503);
    await expect(askDE('NL')).rejects.toMatchObject({ code: 'unavailable' });

    // The queries in flight are answered: DE timed out at the coordinator's deadline.
    for (const r of await Promise.all([frQuery, nlQuery]))
      expect(r.results).toEqual([expect.objectContaining({ country: 'DE', status: 'timeout', code: 'timeout' })]);
    expect(await exited(fr)).toBe(0);
    expect(await exited(net.coordinator)).toBe(0);
    for (const d of [fr, net.coordinator]) {
      expect(d.logs()).toMatch(/draining/);
      expect(d.logs()).toMatch(/stopped/);
      expect(d.logs()).not.toContain('shutdown deadline reached');
    }
  });
});
