/**
 * Serving an API's description: `GET /openapi.json` (the OpenAPI 3.1 document) and `GET /docs`, a
 * readable page rendered on the server from the same document — no script, no web font, nothing from
 * another origin, so it works on an air-gapped network. Also the route declarations of what every
 * listener serves for operators (`ops-http.ts`) and of these two routes, so each app's document lists
 * every route it answers.
 */
import type { Env, Hono } from 'hono';
import { z } from 'zod';
import type { ApiRoute } from './openapi.ts';

const TAG = 'operations';

const Healthz = z.strictObject({ status: z.literal('ok') });
const Readyz = z.strictObject({ status: z.enum(['ready', 'not-ready', 'draining']), checks: z.record(z.string(), z.boolean()) });
const OpsError = z.strictObject({ error: z.strictObject({ code: z.string(), message: z.string() }) });

/** `/healthz`, `/readyz`, `/metrics`, `/openapi.json` and `/docs`, as every app declares them. */
export const OPS_API: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/healthz',
    tag: TAG,
    summary: 'Liveness: the process answers',
    responses: { 200: { description: 'alive', body: { contentType: 'application/json', schema: Healthz } } },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: TAG,
    summary: 'Readiness: the process can do its work',
    description: 'Not ready (503) when a named check fails, and from the moment the process starts draining on SIGTERM.',
    responses: {
      200: { description: 'ready', body: { contentType: 'application/json', schema: Readyz } },
      503: { description: 'not ready, or draining', body: { contentType: 'application/json', schema: Readyz } },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: TAG,
    summary: 'Prometheus metrics (text format 0.0.4)',
    description: 'Needs the bearer token of VEIL_METRICS_TOKEN / VEIL_METRICS_TOKEN_FILE; absent (404) when none is configured.',
    security: ['metricsToken'],
    responses: {
      200: { description: 'metrics', body: { contentType: 'text/plain; version=0.0.4', schema: z.string() } },
      401: { description: 'missing or wrong token', body: { contentType: 'application/json', schema: OpsError } },
      404: { description: 'no metrics token configured', body: { contentType: 'application/json', schema: OpsError } },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: TAG,
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'the document', body: { contentType: 'application/json', schema: z.record(z.string(), z.unknown()) } } },
  },
  {
    method: 'get',
    path: '/docs',
    tag: TAG,
    summary: 'This document as a readable page (works offline)',
    responses: { 200: { description: 'HTML', body: { contentType: 'text/html', schema: z.string() } } },
  },
  {
    method: 'get',
    path: '/docs/style.css',
    tag: TAG,
    summary: 'The stylesheet of the docs page',
    responses: { 200: { description: 'CSS', body: { contentType: 'text/css', schema: z.string() } } },
  },
];

/** The security scheme of `/metrics`, for `ApiInfo.securitySchemes`. */
export const METRICS_SECURITY = { metricsToken: { type: 'http', scheme: 'bearer', description: 'VEIL_METRICS_TOKEN of the process' } } as const;

const CSS = `body{font:15px/1.45 system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem}
.op{border:1px solid #d5d9e0;border-radius:6px;margin:1rem 0;padding:.6rem 1rem}
.m{display:inline-block;min-width:3.6rem;font-weight:700;text-transform:uppercase}.get{color:#0a6}.post{color:#06c}
code,pre{font:13px/1.4 ui-monospace,monospace}pre{background:#f5f6f8;padding:.6rem;overflow:auto;max-height:28rem}
table{border-collapse:collapse}td,th{border:1px solid #d5d9e0;padding:.2rem .5rem;text-align:left;vertical-align:top}
details{margin:.3rem 0}summary{cursor:pointer}.sec{color:#865}`;

const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const pretty = (v: unknown): string => esc(JSON.stringify(v, null, 2));

type Json = Record<string, unknown>;

function renderContent(content: unknown): string {
  if (!content || typeof content !== 'object') return '';
  return Object.entries(content as Record<string, { schema?: unknown }>)
    .map(([type, c]) => `<details><summary><code>${esc(type)}</code></summary><pre>${pretty(c.schema ?? {})}</pre></details>`)
    .join('');
}

function renderOperation(method: string, path: string, op: Json): string {
  const params = (op.parameters as Array<{ name: string; in: string; required: boolean; schema: unknown }> | undefined) ?? [];
  const security = (op.security as Array<Record<string, unknown>> | undefined) ?? [];
  const body = op.requestBody as { description?: string; content?: unknown } | undefined;
  const responses = Object.entries((op.responses ?? {}) as Record<string, { description: string; content?: unknown }>);
  return `<div class="op" id="${esc(String(op.operationId))}">
<p><span class="m ${esc(method)}">${esc(method)}</span> <code>${esc(path)}</code> — ${esc(String(op.summary ?? ''))}</p>
${op.description ? `<p>${esc(String(op.description))}</p>` : ''}
${security.length > 0 ? `<p class="sec">Authentication: ${security.map((s) => esc(Object.keys(s).join(', '))).join(' or ')}</p>` : ''}
${params.length > 0 ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td></tr>`).join('')}</table>` : ''}
${body ? `<p><b>Request body</b>${body.description ? ` — ${esc(body.description)}` : ''}</p>${renderContent(body.content)}` : ''}
<p><b>Responses</b></p><ul>${responses.map(([st, r]) => `<li><b>${esc(st)}</b> ${esc(r.description)}${renderContent(r.content)}</li>`).join('')}</ul>
</div>`;
}

/** The readable page of an OpenAPI document. */
export function renderDocsPage(doc: Json): string {
  const info = (doc.info ?? {}) as { title?: string; version?: string; description?: string };
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = ((op.tags as string[] | undefined) ?? ['other'])[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), renderOperation(method, path, op)]);
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<h2>${esc(tag)}</h2>${ops.join('\n')}`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(info.title ?? 'API')}</title><link rel="stylesheet" href="/docs/style.css"></head><body>
<h1>${esc(info.title ?? 'API')} <small>${esc(info.version ?? '')}</small></h1>
<p>${esc(info.description ?? '')}</p><p>Machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
${sections}
</body></html>`;
}

/** `GET /openapi.json` and `GET /docs` on `app`; mount before any authentication middleware. */
export function mountApiDocs<E extends Env>(app: Hono<E>, doc: Json): void {
  const page = renderDocsPage(doc);
  app.get('/openapi.json', (c) => c.json(doc));
  app.get('/docs', (c) => {
    c.header('content-security-policy', "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    return c.html(page);
  });
  app.get('/docs/style.css', (c) => {
    c.header('cache-control', 'max-age=3600');
    return c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8' });
  });
}
