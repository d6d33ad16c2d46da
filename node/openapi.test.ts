/**
 * The OpenAPI documents of the gateway and the console: valid OpenAPI 3.1, generated from the schemas
 * the handlers validate with, and listing every route each app answers (read from the app's router,
 * so a route added without a declaration fails here).
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { createHttpMetrics, Drain, ManualClock, MetricsRegistry, type OpsDeps, openApiPath, silentLogger } from '#platform';
import { QueryRequest } from '#protocol';
import { consoleOpenApi } from './console/api.ts';
import { type Fixture, makeFixture } from './console/console.test-fixture.ts';
import { GATEWAY_API, gatewayOpenApi } from './gateway/api.ts';
import { GatewayFixture } from './gateway.test-fixture.ts';

type Doc = { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> };

const ops = (service: OpsDeps['service']): OpsDeps => {
  const registry = new MetricsRegistry({ processMetrics: false });
  return {
    service,
    registry,
    http: createHttpMetrics(registry, []),
    drain: new Drain({ clock: new ManualClock(0) }),
    log: silentLogger,
    metricsToken: undefined,
    ready: () => ({ ready: true, checks: {} }),
  };
};

/** The (method, path) pairs an app routes to a handler (middleware on `*` left out). */
function served(app: Hono<never> | Hono): string[] {
  const routes = (app as Hono).routes.filter((r) => r.method !== 'ALL' && r.path !== '*' && r.path !== '/*');
  return [...new Set(routes.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`))].sort();
}

function documented(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`))
    .sort();
}

describe('OpenAPI documents', () => {
  let gw: GatewayFixture;
  let con: Fixture;

  beforeAll(async () => {
    await initCrypto();
    gw = new GatewayFixture({ ops: ops('gateway') });
    con = makeFixture({ ops: ops('console') });
  });

  afterAll(() => {
    gw?.close();
    con?.store.close();
  });

  it('are valid OpenAPI 3.1', async () => {
    for (const doc of [gatewayOpenApi(), consoleOpenApi()] as Doc[]) {
      const v = await new Validator().validate(doc as Parameters<Validator['validate']>[0]);
      expect(v.errors ?? []).toEqual([]);
      expect(doc.openapi).toBe('3.1.0');
    }
  });

  it('list every route the gateway and the console answer, and nothing else', () => {
    expect(documented(gatewayOpenApi() as Doc)).toEqual(served(gw.app));
    expect(documented(consoleOpenApi() as Doc)).toEqual(served(con.app as unknown as Hono));
  });

  it('describe a signed request by the very schema the handler verifies', () => {
    expect(GATEWAY_API.query.body.payload).toBe(QueryRequest);
    const op = (gatewayOpenApi() as Doc).paths['/v1/query']!.post!;
    const body = op.requestBody as { content: Record<string, { schema: { properties: Record<string, Record<string, unknown>> } }> };
    const envelope = body.content['application/msgpack']!.schema;
    expect(Object.keys(envelope.properties).sort()).toEqual(['kid', 'payload', 'sig', 'v']);
    const payload = envelope.properties.payload!.contentSchema as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(payload.properties)).toEqual(Object.keys(QueryRequest.shape));
    expect(payload.additionalProperties).toBe(false);
  });

  it('describe the console’s forms and parameters', () => {
    const doc = consoleOpenApi() as Doc;
    const approve = doc.paths['/requests/{id}/approve']!.post!;
    expect(approve.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    const form = (approve.requestBody as { content: Record<string, { schema: { properties: Record<string, unknown> } }> }).content[
      'application/x-www-form-urlencoded'
    ]!;
    expect(Object.keys(form.schema.properties).sort()).toEqual(['_csrf', 'field']);
    expect(doc.paths['/audit']!.get!.parameters).toEqual([
      expect.objectContaining({ name: 'kind', in: 'query', required: false }),
      expect.objectContaining({ name: 'before', in: 'query', required: false }),
    ]);
  });

  it('serve the document and the page from the apps themselves', async () => {
    const r = await gw.app.request('/openapi.json');
    expect(await r.json()).toEqual(gatewayOpenApi());
    const page = await con.app.request('/docs');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/requests/{id}/deny');
  });
});
