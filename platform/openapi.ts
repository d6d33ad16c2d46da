/**
 * OpenAPI 3.1 documents generated from the zod schemas the HTTP apps validate with.
 *
 * An app declares its routes once, as `ApiRoute`s holding the very schemas its handlers use (path and
 * query parameters, form and message bodies, the payload an analyst signs); `openApiDocument` turns
 * them into OpenAPI 3.1 with zod's own JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1). A signed
 * request is an `Envelope` whose `payload` is msgpack bytes: the payload's schema is given as that
 * property's `contentSchema` (JSON Schema's way of describing encoded content), so a client author sees
 * exactly what to sign. Byte strings (msgpack `bin`) appear as `format: binary`.
 *
 * Why not `@hono/zod-openapi`: its validators read JSON bodies, while ours are size-capped msgpack
 * envelopes whose payload is decoded only after the signature is verified. Declaring the routes beside
 * the handlers and generating from the same schemas gives the same guarantee without a second router.
 */
import { z } from 'zod';
import { Envelope, ErrorBody } from '#protocol';

export type HttpMethod = 'get' | 'post';

export interface ApiBody {
  contentType: string;
  schema: z.ZodType;
  /** For a signed envelope: the schema of the signed payload. */
  payload?: z.ZodType;
  description?: string;
}

export interface ApiResponse {
  description: string;
  body?: ApiBody;
  /** Response headers worth naming (e.g. `location` of a redirect). */
  headers?: Readonly<Record<string, string>>;
}

export interface ApiRoute {
  method: HttpMethod;
  /** Hono's form: `/requests/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Names of security schemes of the document; empty or absent = public. */
  security?: readonly string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: ApiBody;
  responses: Readonly<Record<number, ApiResponse>>;
}

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
  securitySchemes?: Readonly<Record<string, Record<string, unknown>>>;
}

export const MSGPACK_TYPE = 'application/msgpack';

/** A request body that is an envelope signed by the caller, carrying `payload`. */
export function signedBody<P extends z.ZodType>(payload: P, description: string): ApiBody & { payload: P } {
  return { contentType: MSGPACK_TYPE, schema: Envelope, payload, description };
}

export function msgpackBody(schema: z.ZodType, description?: string): ApiBody {
  return { contentType: MSGPACK_TYPE, schema, ...(description ? { description } : {}) };
}

/** The error body of every msgpack API (`{ error: { code, message } }`, the code also in `x-veil-error`). */
export const msgpackError = (description: string): ApiResponse => ({ description, body: msgpackBody(ErrorBody) });

type Json = Record<string, unknown>;

/** zod → JSON Schema 2020-12, with byte strings as binary and no per-schema `$schema`. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'custom') {
        ctx.jsonSchema.type = 'string';
        ctx.jsonSchema.format = 'binary';
        ctx.jsonSchema.description ??= 'bytes (msgpack bin)';
      }
    },
  }) as Json;
  delete out.$schema;
  return out;
}

function bodySchema(b: ApiBody, io: 'input' | 'output'): Json {
  const s = jsonSchema(b.schema, io);
  if (!b.payload) return s;
  const props = (s.properties ?? {}) as Record<string, Json>;
  props.payload = {
    ...props.payload,
    contentMediaType: MSGPACK_TYPE,
    contentSchema: jsonSchema(b.payload, 'input'),
    description: 'msgpack of the signed payload (schema in contentSchema); the signature covers these bytes',
  };
  return { ...s, properties: props };
}

/** `/requests/:id` → `/requests/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(r: ApiRoute): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', o: z.ZodObject | undefined) => {
    if (!o) return;
    const s = jsonSchema(o, 'input');
    const required = new Set((s.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema });
    }
  };
  add('path', r.params);
  add('query', r.query);
  return out;
}

function operation(r: ApiRoute): Json {
  const responses: Json = {};
  for (const [status, res] of Object.entries(r.responses)) {
    responses[status] = {
      description: res.description,
      ...(res.body ? { content: { [res.body.contentType]: { schema: bodySchema(res.body, 'output') } } } : {}),
      ...(res.headers ? { headers: Object.fromEntries(Object.entries(res.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
    };
  }
  const params = parameters(r);
  return {
    operationId: `${r.method}${openApiPath(r.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: [r.tag],
    security: (r.security ?? []).length === 0 ? [] : (r.security ?? []).map((s) => ({ [s]: [] })),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(r.body
      ? {
          requestBody: {
            required: true,
            ...(r.body.description ? { description: r.body.description } : {}),
            content: { [r.body.contentType]: { schema: bodySchema(r.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of `routes`. */
export function openApiDocument(info: ApiInfo, routes: readonly ApiRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const p = openApiPath(r.path);
    paths[p] = { ...(paths[p] ?? {}), [r.method]: operation(r) };
  }
  const tags = [...new Set(routes.map((r) => r.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    tags,
    paths,
    components: { securitySchemes: info.securitySchemes ?? {} },
  };
}
