/**
 * The approval console: the web side of a node's disclosure desk, for its data owners. A hono app
 * built by a factory from ONE deps object (store, desk, audit log, clock, ...), testable through
 * `app.request()` without a listener.
 *
 * Security model. The console is served on its own admin listener, loopback by default, and:
 * - requires a data-owner session for every page but the login form and the stylesheet. The session
 *   cookie is a random 256-bit token, HttpOnly, SameSite=Strict, `Secure` (and `__Host-` prefixed) when
 *   `secureCookies`; the database holds only its SHA-256; sessions expire after 8 h; logout deletes it.
 * - protects every POST three ways: a per-session CSRF token in a hidden field compared in constant
 *   time (login excepted: it has no session yet), `Sec-Fetch-Site` must be `same-origin` when the
 *   browser sends it, and `Origin` must equal the console's own origin when sent (Referrer-Policy is
 *   `same-origin`, so same-origin form posts carry a real Origin and cross-origin ones carry none or
 *   `null`). Optionally the Host header is checked against an allow-list, against DNS rebinding.
 * - throttles failed logins per client address and per account, with backoff and no global lock
 *   (`login-throttle.ts`; the state is in the database, shared with the CLI), and audits `owner.login`,
 *   `auth.failed` and `auth.throttled` with the account id only. The client address is the socket's
 *   (`client-address.ts`), or the proxy's X-Forwarded-For entry with `trustProxy`.
 * - sends a strict CSP (no script at all, styles from 'self', `frame-ancestors 'none'`,
 *   `form-action 'self'`), `Cache-Control: no-store` on pages that show records, and the other
 *   hono `secureHeaders` defaults.
 * - renders errors as a page with the registry's public message (and a console-specific hint), never a
 *   stack or a dependency's message.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { ERROR_HEADER, httpStatus, mountApiDocs, mountOpsRoutes, opsMiddleware, silentLogger, systemClock } from '#platform';
import { asVeilError, DISCLOSURE_FIELDS, type DisclosureField, ERROR_CODES, VeilError } from '#protocol';
import { ApproveForm, AuditQuery, CONSOLE_API, consoleOpenApi, DenyForm, LoginForm, RequestParams, RequestQuery } from './api.ts';
import { clientAddress } from './client-address.ts';
import type { ConsoleDeps } from './console-deps.ts';
import { FIELD_LABELS } from './format.ts';
import { HINTS } from './hints.ts';
import { DOCTYPE } from './layout.tsx';
import { LoginThrottle } from './login-throttle.ts';
import { authenticateOwner } from './owner-auth.ts';
import { RequestPage } from './request-page.tsx';
import { csrfMatches, type OwnerSession, SessionStore } from './sessions.ts';
import { CONSOLE_CSS } from './style.ts';
import { AuditPage, ErrorPage, HistoryPage, LoginPage, PendingPage } from './views.tsx';

export type { ConsoleDeps } from './console-deps.ts';

type Env = { Variables: { session: OwnerSession | undefined } };

const MAX_FORM_BYTES = 16 * 1024;
const AUDIT_PAGE = 100;

export function createConsoleApp(deps: ConsoleDeps): Hono<Env> {
  const { country, store, desk, audit } = deps;
  const clockSource = deps.clock ?? systemClock();
  const clock = (): number => clockSource.now();
  const log = deps.logger ?? silentLogger;
  const secure = deps.secureCookies ?? false;
  const cookieName = secure ? '__Host-veil-owner' : 'veil-owner';
  const sessions = new SessionStore({ store, clock: clockSource, ...(deps.sessionTtlMs !== undefined ? { ttlMs: deps.sessionTtlMs } : {}) });
  const throttle = new LoginThrottle({ store, audit, clock: clockSource, ...(deps.throttle ? { options: deps.throttle } : {}) });
  const trustProxy = deps.trustProxy ?? false;
  const app = new Hono<Env>();

  const pendingCount = (): number => desk.list('pending').length;

  const page = (c: Context<Env>, node: unknown, status = 200): Response | Promise<Response> => {
    c.header('cache-control', 'no-store');
    return c.html(
      <>
        {DOCTYPE}
        {node}
      </>,
      status as 200,
    );
  };

  const errorPage = (c: Context<Env>, e: unknown, back?: string): Response | Promise<Response> => {
    const err = asVeilError(e);
    if (err.code === 'internal') log.error('console action failed', err);
    const hint = HINTS[err.code];
    const status = httpStatus(err.code);
    c.header(ERROR_HEADER, err.code);
    return page(
      c,
      <ErrorPage
        country={country}
        session={c.get('session')}
        status={status}
        title={hint?.title ?? 'Not possible'}
        message={hint?.message ?? ERROR_CODES[err.code]}
        back={back}
      />,
      status,
    );
  };

  if (deps.ops) app.use(...opsMiddleware(deps.ops));

  // --- headers for every response ------------------------------------------------------------------
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'none'"],
        fontSrc: ["'none'"],
        objectSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      // Same-origin form posts then carry their Origin (the check below relies on it); nothing leaks cross-origin.
      referrerPolicy: 'same-origin',
      crossOriginResourcePolicy: 'same-origin',
      crossOriginOpenerPolicy: 'same-origin',
      strictTransportSecurity: secure ? 'max-age=31536000' : false,
      xFrameOptions: 'DENY',
      permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
    }),
  );

  // --- Host allow-list, then cross-site checks on every POST ---------------------------------------
  app.use(async (c, next) => {
    if (deps.allowHost && !deps.allowHost(c.req.header('host') ?? new URL(c.req.url).host)) return c.text('misdirected request', 421);
    c.set('session', sessions.lookup(getCookie(c, cookieName)));
    if (c.req.method === 'POST') {
      const site = c.req.header('sec-fetch-site');
      const origin = c.req.header('origin');
      // Behind a TLS proxy (secureCookies) the browser's origin is https even though this listener is http.
      const here = new URL(c.req.url);
      const expected = `${secure ? 'https:' : here.protocol}//${here.host}`;
      if ((site !== undefined && site !== 'same-origin') || (origin !== undefined && origin !== expected)) {
        log.warn('console cross-site post refused', { code: 'forbidden' });
        return errorPage(c, new VeilError('forbidden', 'cross-site post'));
      }
    }
    await next();
  });
  if (deps.ops) mountOpsRoutes(app, deps.ops);
  mountApiDocs(app, consoleOpenApi());
  /** The posted form; a body that is not one (a broken multipart, say) is `bad_request`, not a failure of ours. */
  const readForm = async (c: Context<Env>, all: boolean) => {
    try {
      return await c.req.parseBody({ all });
    } catch (e) {
      throw new VeilError('bad_request', 'console form', { cause: e });
    }
  };
  app.use('*', bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => errorPage(c as Context<Env>, new VeilError('too_large', 'console form')) }));

  // --- public: stylesheet and login ----------------------------------------------------------------
  app.get(CONSOLE_API.css.path, (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', 'max-age=3600');
    return c.body(CONSOLE_CSS);
  });

  // Browsers ask for it on every visit; an empty answer keeps 404s out of the logs.
  app.get(CONSOLE_API.favicon.path, (c) => c.body(null, 204));

  app.get(CONSOLE_API.loginPage.path, (c) => (c.get('session') ? c.redirect('/', 303) : page(c, <LoginPage country={country} />)));

  app.post(CONSOLE_API.login.path, async (c) => {
    // A form that does not parse is a failed login like any other (same answer, same throttling); a
    // body that is no form at all (a broken multipart) is `bad_request`.
    const form = LoginForm.safeParse(await readForm(c, false));
    const account = form.success ? form.data.account.trim().slice(0, 64) : '';
    const password = form.success ? form.data.password : '';
    const r = authenticateOwner(
      { store, audit, throttle, ...(deps.passwordLimits ? { passwordLimits: deps.passwordLimits } : {}) },
      { account, password, peer: 'console', address: clientAddress(c, trustProxy) },
    );
    if (!r.ok && r.why === 'throttled') {
      c.header('retry-after', String(Math.ceil(r.retryAfterMs / 1000)));
      return page(
        c,
        <LoginPage country={country} account={account} error={`Too many failed attempts. Try again in ${Math.ceil(r.retryAfterMs / 60_000)} min.`} />,
        429,
      );
    }
    if (!r.ok) {
      log.warn('console login failed', { code: r.why });
      return page(c, <LoginPage country={country} account={account} error="Wrong account id or password." />, 401);
    }
    const s = sessions.create(r.owner.id);
    audit.append({ kind: 'owner.login', owner: r.owner.id, peer: 'console' });
    setCookie(c, cookieName, s.token, {
      httpOnly: true,
      sameSite: 'Strict',
      secure,
      path: '/',
      maxAge: Math.floor((s.expiresAt - clock()) / 1000),
    });
    return c.redirect('/', 303);
  });

  /** The session of a request past the session check below (which redirects requests without one). */
  const sessionOf = (c: Context<Env>): OwnerSession => {
    const s = c.get('session');
    if (!s) throw new VeilError('unauthenticated', 'no console session');
    return s;
  };

  // --- everything below needs a session ------------------------------------------------------------
  app.use(async (c, next) => {
    const s = c.get('session');
    if (!s) {
      if (getCookie(c, cookieName) !== undefined) deleteCookie(c, cookieName, { path: '/', secure });
      return c.redirect('/login', 303);
    }
    if (c.req.method === 'POST') {
      const body = await readForm(c, true);
      if (!csrfMatches(s, body._csrf)) {
        log.warn('console csrf check failed', { code: 'forbidden' });
        return errorPage(c, new VeilError('forbidden', 'csrf'));
      }
    }
    await next();
  });

  app.post(CONSOLE_API.logout.path, (c) => {
    const who = c.get('session');
    sessions.destroy(getCookie(c, cookieName));
    if (who) audit.append({ kind: 'owner.logout', owner: who.owner.id });
    deleteCookie(c, cookieName, { path: '/', secure });
    return c.redirect('/login', 303);
  });

  app.get(CONSOLE_API.pending.path, (c) => page(c, <PendingPage country={country} session={sessionOf(c)} items={desk.list('pending')} now={clock()} />));

  app.get(CONSOLE_API.history.path, (c) =>
    page(c, <HistoryPage country={country} session={sessionOf(c)} items={desk.list('decided')} pending={pendingCount()} />),
  );

  app.get(CONSOLE_API.audit.path, (c) => {
    // Each filter that does not parse is ignored (the page shows everything), as a browser link may be stale.
    const kindQ = AuditQuery.shape.kind.safeParse(c.req.query('kind'));
    const kind = kindQ.success && kindQ.data !== undefined ? kindQ.data : undefined;
    const beforeQ = AuditQuery.shape.before.safeParse(c.req.query('before'));
    const before = beforeQ.success && beforeQ.data !== undefined && Number.isSafeInteger(beforeQ.data) ? beforeQ.data : undefined;
    const records = audit.list({ limit: AUDIT_PAGE, order: 'desc', ...(kind ? { kind } : {}), ...(before !== undefined ? { beforeSeq: before } : {}) });
    const last = records.at(-1);
    const older = records.length === AUDIT_PAGE && last && last.seq > 1 ? last.seq : undefined;
    return page(c, <AuditPage country={country} session={sessionOf(c)} records={records} kind={kind} older={older} pending={pendingCount()} />);
  });

  const getRequest = (id: string) => {
    const v = RequestParams.safeParse({ id }).success ? desk.get(id) : undefined;
    if (!v) throw new VeilError('not_found', 'disclosure request');
    return v;
  };

  const NOTICES: Record<string, string> = {
    approved: 'Approved. The ticked fields are sealed to the requesting analyst and queued for delivery.',
    denied: 'Denied. The reason is sealed to the requesting analyst and queued for delivery.',
  };

  app.get(CONSOLE_API.request.path, (c) => {
    const v = getRequest(c.req.param('id'));
    const q = RequestQuery.safeParse({ done: c.req.query('done') });
    const done = q.success ? q.data.done : undefined;
    return page(
      c,
      <RequestPage country={country} session={sessionOf(c)} v={v} now={clock()} pending={pendingCount()} notice={done ? NOTICES[done] : undefined} />,
    );
  });

  app.post(CONSOLE_API.approve.path, async (c) => {
    const id = c.req.param('id');
    const v = getRequest(id);
    const owner = sessionOf(c).owner.id;
    const body = await readForm(c, true);
    const form = ApproveForm.safeParse(body);
    const raw = form.success ? form.data.field : body.field;
    // A field name that is not a disclosure field makes the form fail: counted here so the page says so.
    const ticked = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((f): f is string => typeof f === 'string');
    const fields = DISCLOSURE_FIELDS.filter((f) => ticked.includes(f));
    if (v.status === 'pending') {
      const wrong = fields.filter((f) => !v.fields.includes(f));
      const problem =
        ticked.length !== fields.length || wrong.length > 0
          ? 'Only the fields the request asked for can be released.'
          : fields.length === 0
            ? 'Tick at least one field to release, or deny the request.'
            : undefined;
      if (problem) {
        return page(
          c,
          <RequestPage country={country} session={sessionOf(c)} v={v} now={clock()} pending={pendingCount()} error={problem} checked={fields} />,
          400,
        );
      }
    }
    try {
      desk.approve(id, fields, owner);
    } catch (e) {
      return decisionError(c, e, id);
    }
    log.info('disclosure approved in console', { requestId: id, count: fields.length });
    return c.redirect(`/requests/${id}?done=approved`, 303);
  });

  app.post(CONSOLE_API.deny.path, async (c) => {
    const id = c.req.param('id');
    const v = getRequest(id);
    const owner = sessionOf(c).owner.id;
    const form = DenyForm.safeParse(await readForm(c, false));
    const reason = form.success ? form.data.reason.trim() : '';
    if (v.status === 'pending' && (reason.length === 0 || reason.length > 2000)) {
      return page(
        c,
        <RequestPage
          country={country}
          session={sessionOf(c)}
          v={v}
          now={clock()}
          pending={pendingCount()}
          error="A denial needs a reason (1–2000 characters); it is sent to the requesting analyst."
          reason={reason.slice(0, 2000)}
        />,
        400,
      );
    }
    try {
      desk.deny(id, reason, owner);
    } catch (e) {
      return decisionError(c, e, id);
    }
    log.info('disclosure denied in console', { requestId: id });
    return c.redirect(`/requests/${id}?done=denied`, 303);
  });

  /** A decision the desk refused: for a conflict, say what was decided before. */
  const decisionError = (c: Context<Env>, e: unknown, id: string): Response | Promise<Response> => {
    const err = asVeilError(e);
    if (err.code === 'conflict') {
      const v = desk.get(id);
      if (v) {
        const what =
          v.status === 'approved'
            ? `approved${v.releasedFields ? ` (released: ${v.releasedFields.map((f: DisclosureField) => FIELD_LABELS[f]).join(', ')})` : ''}`
            : v.status;
        const by = v.decidedBy === 'policy' ? 'by the sharing policy' : v.decidedBy === 'deadline' ? 'at its deadline' : v.decidedBy ? `by ${v.decidedBy}` : '';
        return page(
          c,
          <ErrorPage
            country={country}
            session={c.get('session')}
            status={409}
            title="Already decided"
            message={`This request was already ${what} ${by}. Decisions are final; nothing was changed.`}
            back={`/requests/${id}`}
          />,
          409,
        );
      }
    }
    return errorPage(c, err, `/requests/${id}`);
  };

  app.notFound((c) => errorPage(c, new VeilError('not_found', 'console page')));
  app.onError((e, c) => errorPage(c, e));

  return app;
}
