/**
 * What operators see of a running network, through the real CLI processes over HTTPS with the
 * organisation's CA pinned: `/metrics` on the coordinator, a node's gateway and its console (parsed
 * strictly, behind the bearer token, every `veil_*` name documented in docs/operations.md), `/healthz`
 * and `/readyz` on every listener, request ids, and the OpenAPI 3.1 documents of the gateway and the
 * console (validated, with the readable page).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { VeilClient } from '#sdk';
import { type LocalNetwork, REPO_ROOT, startLocalNetwork, syntheticRecords } from '#simulations';
import { fetchPinned } from './helpers/https.ts';
import { type Exposition, parseExposition } from './helpers/prometheus.ts';

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';
const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-9', legalBasis: 'art-3', handling: 'restricted' } as const;
const nd = (rs: object[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;
const person = {
  id: 'de-p-9',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Adler', given: 'Jonas', dob: '1975-04-12' },
};

describe('operations endpoints of a running network', () => {
  let net: LocalNetwork;
  let caPem: string;
  let client: VeilClient;
  const urls = () => {
    const fr = net.nodes.get('FR')!.daemon.info;
    return { coordinator: net.coordinator.info.url, gateway: fr.url, console: fr.consoleUrl! };
  };
  const scrape = async (base: string): Promise<Exposition> => {
    const r = await fetchPinned(`${base}/metrics`, caPem, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    return parseExposition(r.text());
  };

  beforeAll(async () => {
    await initCrypto();
    net = await startLocalNetwork(
      [
        { country: 'FR', records: nd(syntheticRecords({ seed: 3, country: 'FR', country3: 'FRA', persons: 5, vehicles: 0 })) },
        { country: 'DE', records: nd([person]) },
      ],
      { env: { VEIL_METRICS_TOKEN: TOKEN } },
    );
    caPem = readFileSync(join(net.orgDir, 'ca.pem'), 'utf8');
    await net.settled();
    client = await VeilClient.connect(await net.addAnalyst('FR', 'Ops Test'));
    const r = await client.query({ name: 'Jonas Adler', dob: '1975-04-12' }, CTX);
    expect(r.results.find((x) => x.country === 'DE')?.status).toBe('hit');
  });

  afterAll(async () => {
    await client?.close();
    await net?.stop();
  });

  it('serves metrics on every listener only with the token, in a strictly parsed exposition', async () => {
    for (const base of Object.values(urls())) {
      expect((await fetchPinned(`${base}/metrics`, caPem)).status).toBe(401);
      expect((await fetchPinned(`${base}/metrics`, caPem, { headers: { authorization: 'Bearer wrong-token-wrong-token-wrong-token' } })).status).toBe(401);
      const m = await scrape(base);
      expect(m.sum('process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(m.types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
      expect(m.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    }
  });

  it('counts connected members, queries and their latency at the coordinator', async () => {
    const m = await scrape(urls().coordinator);
    expect(m.sum('veil_coordinator_members_connected')).toBe(2);
    expect(m.sum('veil_coordinator_member_connected', { country: 'FR' })).toBe(1);
    expect(m.sum('veil_coordinator_member_connected', { country: 'DE' })).toBe(1);
    expect(m.sum('veil_coordinator_queries_total', { kind: 'identifier', outcome: 'complete' })).toBeGreaterThanOrEqual(1);
    expect(m.sum('veil_coordinator_query_seconds_count', { kind: 'identifier' })).toBeGreaterThanOrEqual(1);
    expect(m.sum('veil_coordinator_query_targets_total', { status: 'answered' })).toBeGreaterThanOrEqual(1);
    expect(m.sum('veil_coordinator_frames_total', { type: 'query', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(m.sum('veil_coordinator_logins_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(m.sum('veil_coordinator_queries_pending')).toBe(0);
    expect(m.types.get('veil_coordinator_mail_pending')).toBe('gauge');
  });

  it('counts the gateway’s requests and the node’s answers and queues', async () => {
    const fr = await scrape(urls().gateway);
    expect(fr.sum('veil_http_requests_total', { service: 'gateway', route: '/v1/query', status: '200', code: 'none' })).toBeGreaterThanOrEqual(1);
    expect(fr.sum('veil_http_request_duration_seconds_count', { service: 'gateway', route: '/v1/query' })).toBeGreaterThanOrEqual(1);
    expect(fr.sum('veil_gateway_forwarded_total', { kind: 'query', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(fr.sum('veil_node_coordinator_connected')).toBe(1);
    expect(fr.sum('veil_node_publish_outbox_chunks')).toBe(0);
    expect(fr.sum('veil_node_disclosures_pending')).toBe(0);
    expect(fr.sum('veil_node_members')).toBe(2);
    const de = await scrape(net.nodes.get('DE')!.daemon.info.url);
    expect(de.sum('veil_node_queries_total', { kind: 'identifier', outcome: 'answered' })).toBeGreaterThanOrEqual(1);
    expect(de.types.get('veil_node_budget_refusals_total')).toBe('counter');
    expect(de.types.get('veil_node_bio_search_seconds')).toBe('histogram');
  });

  it('documents every veil_ metric it exposes, and exposes every one it documents', async () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/`(veil_[a-z0-9_]+)`/g)].map((m) => m[1]!));
    const exposed = new Set<string>();
    for (const base of [urls().coordinator, urls().gateway]) for (const [name] of (await scrape(base)).types) if (name.startsWith('veil_')) exposed.add(name);
    expect([...exposed].filter((n) => !documented.has(n))).toEqual([]);
    expect([...documented].filter((n) => !exposed.has(n))).toEqual([]);
  });

  it('answers liveness and readiness on every listener, and echoes request ids', async () => {
    for (const base of Object.values(urls())) {
      const h = await fetchPinned(`${base}/healthz`, caPem);
      expect(h.status).toBe(200);
      expect(h.json()).toEqual({ status: 'ok' });
      const r = await fetchPinned(`${base}/readyz`, caPem, { headers: { 'x-request-id': 'probe-0000-1111' } });
      expect(r.status).toBe(200);
      expect(r.json()).toMatchObject({ status: 'ready' });
      expect(r.headers['x-request-id']).toBe('probe-0000-1111');
    }
    expect((await fetchPinned(`${urls().gateway}/readyz`, caPem)).json()).toEqual({ status: 'ready', checks: { coordinator: true } });
  });

  it('publishes valid OpenAPI 3.1 documents of the gateway and the console, and a readable page', async () => {
    for (const [base, path] of [
      [urls().gateway, '/v1/query'],
      [urls().console, '/requests/{id}/approve'],
    ] as const) {
      const r = await fetchPinned(`${base}/openapi.json`, caPem);
      expect(r.status).toBe(200);
      const doc = r.json() as { openapi: string; paths: Record<string, unknown> };
      const v = await new Validator().validate(doc as Parameters<Validator['validate']>[0]);
      expect(v.errors ?? []).toEqual([]);
      expect(v.valid).toBe(true);
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toContain(path);
      const page = await fetchPinned(`${base}/docs`, caPem);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.text()).toContain(path);
      expect(page.text()).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
      expect((await fetchPinned(`${base}/docs/style.css`, caPem)).status).toBe(200);
    }
  });
});
