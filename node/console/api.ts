/**
 * The approval console's HTTP API, declared once: its pages and form posts with the zod schemas the
 * handlers in `app.tsx` validate (path and query parameters, form bodies), from which its OpenAPI
 * document (`/openapi.json`, `/docs`) is generated. The console is a server-rendered web app (no
 * script); its "API" is what a browser — or an operator's own tooling — sends it.
 */
import { z } from 'zod';
import { type ApiInfo, type ApiRoute, AUDIT_KINDS, type AuditKind, METRICS_SECURITY, OPS_API, openApiDocument } from '#platform';
import { DISCLOSURE_FIELDS } from '#protocol';

const FORM = 'application/x-www-form-urlencoded';
const HTML = 'text/html';
const TAG = 'approval console';
const SESSION = ['ownerSession'] as const;

const csrf = z.string().max(128).describe('the session’s CSRF token (hidden field of every form)');

export const LoginForm = z.object({
  account: z.string().max(1024).describe('the data owner’s account id (at most 64 characters are used)'),
  password: z.string().max(4096),
});
export const LogoutForm = z.object({ _csrf: csrf });
export const ApproveForm = z.object({
  _csrf: csrf,
  field: z
    .union([z.enum(DISCLOSURE_FIELDS), z.array(z.enum(DISCLOSURE_FIELDS)).max(DISCLOSURE_FIELDS.length)])
    .optional()
    .describe('a ticked field to release (repeated for several); only fields the request asked for'),
});
export const DenyForm = z.object({ _csrf: csrf, reason: z.string().max(4000).describe('1–2000 characters after trimming; sealed to the analyst') });
export const RequestParams = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/) });
export const RequestQuery = z.object({ done: z.enum(['approved', 'denied']).optional() });
export const AuditQuery = z.object({
  kind: z.enum(Object.keys(AUDIT_KINDS) as [AuditKind, ...AuditKind[]]).optional(),
  before: z.coerce.number().int().positive().optional().describe('show entries before this sequence number'),
});

const page = (description: string) => ({ description, body: { contentType: HTML, schema: z.string() } });
const redirect = (to: string) => ({ description: `303 See Other to ${to}`, headers: { location: to } });
const problems = {
  400: page('the form was not accepted (the page says why)'),
  403: page('cross-site post or CSRF token mismatch'),
  413: page('form too large'),
};

export const CONSOLE_API = {
  css: {
    method: 'get',
    path: '/static/console.css',
    tag: TAG,
    summary: 'Stylesheet',
    responses: { 200: { description: 'CSS', body: { contentType: 'text/css', schema: z.string() } } },
  },
  favicon: {
    method: 'get',
    path: '/favicon.ico',
    tag: TAG,
    summary: 'No icon (204), so browsers do not fill the logs with 404s',
    responses: { 204: { description: 'empty' } },
  },
  loginPage: { method: 'get', path: '/login', tag: TAG, summary: 'Login form', responses: { 200: page('the form'), 303: redirect('/ (already logged in)') } },
  login: {
    method: 'post',
    path: '/login',
    tag: TAG,
    summary: 'Log in as a data owner; sets the session cookie',
    description: 'Failed logins are throttled per client address and per account, with backoff.',
    body: { contentType: FORM, schema: LoginForm },
    responses: {
      303: redirect('/'),
      401: page('wrong account id or password'),
      429: page('throttled: too many failed attempts (Retry-After)'),
      403: problems[403],
    },
  },
  logout: {
    method: 'post',
    path: '/logout',
    tag: TAG,
    summary: 'End the session',
    security: SESSION,
    body: { contentType: FORM, schema: LogoutForm },
    responses: { 303: redirect('/login'), 403: problems[403] },
  },
  pending: {
    method: 'get',
    path: '/',
    tag: TAG,
    summary: 'Disclosure requests waiting for a decision',
    security: SESSION,
    responses: { 200: page('the list'), 303: redirect('/login (no session)') },
  },
  history: {
    method: 'get',
    path: '/history',
    tag: TAG,
    summary: 'Decided requests',
    security: SESSION,
    responses: { 200: page('the list'), 303: redirect('/login (no session)') },
  },
  audit: {
    method: 'get',
    path: '/audit',
    tag: TAG,
    summary: 'The node’s audit log, newest first, 100 entries a page',
    security: SESSION,
    query: AuditQuery,
    responses: { 200: page('the entries'), 303: redirect('/login (no session)') },
  },
  request: {
    method: 'get',
    path: '/requests/:id',
    tag: TAG,
    summary: 'One disclosure request: who asks, why, which fields, the record it matched',
    security: SESSION,
    params: RequestParams,
    query: RequestQuery,
    responses: { 200: page('the request'), 404: page('no such request'), 303: redirect('/login (no session)') },
  },
  approve: {
    method: 'post',
    path: '/requests/:id/approve',
    tag: TAG,
    summary: 'Approve, releasing the ticked fields sealed to the analyst',
    description: 'Decisions are final: a different decision later is a conflict (409).',
    security: SESSION,
    params: RequestParams,
    body: { contentType: FORM, schema: ApproveForm },
    responses: { 303: redirect('/requests/{id}?done=approved'), 404: page('no such request'), 409: page('already decided'), ...problems },
  },
  deny: {
    method: 'post',
    path: '/requests/:id/deny',
    tag: TAG,
    summary: 'Deny, with a reason sealed to the analyst',
    security: SESSION,
    params: RequestParams,
    body: { contentType: FORM, schema: DenyForm },
    responses: { 303: redirect('/requests/{id}?done=denied'), 404: page('no such request'), 409: page('already decided'), ...problems },
  },
} as const satisfies Record<string, ApiRoute>;

export const CONSOLE_INFO: ApiInfo = {
  title: 'Veil node — approval console',
  version: '1',
  description:
    'The data owners’ web console on the node’s admin listener (loopback by default). Every page but the login form needs a session cookie; every POST needs the session’s CSRF token, a same-origin Sec-Fetch-Site and Origin when the browser sends them.',
  securitySchemes: {
    ownerSession: { type: 'apiKey', in: 'cookie', name: 'veil-owner', description: 'the session cookie (`__Host-veil-owner` when served over HTTPS)' },
    ...METRICS_SECURITY,
  },
};

/** Every route of the console's listener, and its OpenAPI document. */
export const CONSOLE_ROUTES: readonly ApiRoute[] = [...Object.values(CONSOLE_API), ...OPS_API];
export const consoleOpenApi = (): Record<string, unknown> => openApiDocument(CONSOLE_INFO, CONSOLE_ROUTES);
