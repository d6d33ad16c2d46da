/**
 * The approval console through `app.request()`: authentication, sessions, CSRF and cross-site checks,
 * secure headers, and decisions reaching the disclosure desk (approve a subset, deny with a reason,
 * finality). The browser test (test/console-browser.test.ts) drives the same pages in Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initCrypto, SigningKey, BoxKeyPair, TokenKey, randomBytes, toHex, toBase64url, sha256, fromBase64url } from '#crypto';
import type { AuditKind, AuditLog } from '#platform';
import type { DisclosureField, VeilRecord } from '#protocol';
import { NodeStore } from '../store/sqlite-store.ts';
import { DisclosureDesk } from '../disclosure/desk.ts';
import { DEFAULT_POLICY } from '../policy.ts';
import { initNode, nodeAudit } from '../admin-ops.ts';
import { addOwner, addOwnerInDir, createConsoleApp, disableOwner, listOwners, listOwnersInDir, type ConsoleDeps } from './index.ts';
import { VeilError } from '#protocol';

const T0 = Date.UTC(2026, 4, 4, 9, 0);
const PASSWORD = 'correct horse battery staple';

const RECORD: VeilRecord = {
  id: 'de-wp-0001',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Müller', given: 'Hans-Peter', aliases: ['Hans Peter Mueller'], dob: '1971-03-14', nationality: 'DE', sex: 'M' },
  documents: [{ type: 'passport', country: 'DEU', number: 'C01X00T47', status: 'valid' }],
};

interface Fixture {
  dir: string;
  store: NodeStore;
  audit: AuditLog;
  desk: DisclosureDesk;
  clock: { now: number };
  app: ReturnType<typeof createConsoleApp>;
  owner: string;
}

function makeFixture(extra: Partial<ConsoleDeps> = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'veil-console-'));
  const store = new NodeStore(join(dir, 'node.db'));
  const keys = { signing: SigningKey.generate(), box: BoxKeyPair.generate(), token: TokenKey.generate() };
  const audit = nodeAudit(store, keys);
  const clock = { now: T0 };
  const desk = new DisclosureDesk({ country: 'DE', store, keys, audit, policy: { current: DEFAULT_POLICY }, clock: { now: () => clock.now } });
  store.records.upsert({ id: RECORD.id, kind: RECORD.kind, dataset: RECORD.dataset, handling: RECORD.handling, body: JSON.stringify(RECORD), digest: new Uint8Array(32) }, T0);
  const { id: owner } = addOwner(store, audit, 'Anna Schmidt', PASSWORD);
  const app = createConsoleApp({ country: 'DE', store, desk, audit, clock: { now: () => clock.now }, ...extra });
  return { dir, store, audit, desk, clock, app, owner };
}

/** Queue a request as the desk would after verifying its claim (the claim checks are the desk's tests). */
function queue(f: Fixture, o: { fields?: DisclosureField[]; justification?: string; requester?: string; deadlineH?: number } = {}): string {
  const id = toHex(randomBytes(16));
  f.store.db
    .prepare(
      `INSERT INTO disclosures_in (id, requester, analyst, purpose, case_ref, legal_basis, fields, justification, record_id, cls,
         claim_kind, score, analyst_box_pub, status, received_at, deadline)
       VALUES (?, ?, 'claire-martin-1a2b3c', 'wanted-person', 'FR-2026-0042', 'art-3-rpd', ?, ?, ?, 'name_dob', 'name', NULL, ?, 'pending', ?, ?)`,
    )
    .run(
      id,
      o.requester ?? 'FR',
      JSON.stringify(o.fields ?? ['name', 'dob', 'documents']),
      o.justification ?? 'Suspect in armed robbery, European arrest warrant pending.',
      RECORD.id,
      BoxKeyPair.generate().publicKey(),
      f.clock.now,
      f.clock.now + (o.deadlineH ?? 48) * 3_600_000,
    );
  return id;
}

function form(fields: Record<string, string | string[]>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p;
}

async function post(f: Fixture, path: string, body: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
  return f.app.request(path, { method: 'POST', body: form(body), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

interface Session {
  cookie: string;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, body: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
}

async function login(f: Fixture, account = f.owner, password = PASSWORD): Promise<Session> {
  const r = await post(f, '/login', { account, password });
  expect(r.status).toBe(303);
  expect(r.headers.get('location')).toBe('/');
  const setCookie = r.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const home = await f.app.request('/', { headers: { cookie } });
  expect(home.status).toBe(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await home.text())?.[1];
  expect(csrf).toBeTruthy();
  return {
    cookie,
    csrf: csrf!,
    get: async (path) => f.app.request(path, { headers: { cookie } }),
    post: async (path, body, headers = {}) =>
      f.app.request(path, { method: 'POST', body: form(body), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers } }),
  };
}

function kinds(f: Fixture, kind: AuditKind) {
  return f.audit.list({ kind, limit: 1000 }).map((r) => r.entry);
}

beforeAll(async () => {
  await initCrypto();
});

let f: Fixture;
beforeEach(() => {
  f = makeFixture();
});
afterEach(() => {
  f.store.close();
  rmSync(f.dir, { recursive: true, force: true });
});

describe('owner accounts', () => {
  it('adds owners with hashed passwords, audits the account id only, and enforces the password policy', () => {
    const owners = listOwners(f.store);
    expect(owners).toEqual([{ id: f.owner, name: 'Anna Schmidt', createdAt: expect.any(Number), disabled: false }]);
    expect(f.owner).toMatch(/^anna-schmidt-[0-9a-f]{6}$/);
    const row = f.store.db.prepare('SELECT pw_hash FROM owners WHERE id = ?').get(f.owner) as { pw_hash: string };
    expect(row.pw_hash).toMatch(/^\$argon2id\$/);
    expect(row.pw_hash).not.toContain(PASSWORD);
    expect(kinds(f, 'owner.added')).toEqual([{ kind: 'owner.added', owner: f.owner }]);
    expect(() => addOwner(f.store, f.audit, 'Short Pw', 'elevenchars')).toThrow(VeilError);
    expect(() => addOwner(f.store, f.audit, '<script>', PASSWORD)).toThrow(/owner name/);
    expect(() => addOwner(f.store, f.audit, 'Long Pw', 'x'.repeat(1025))).toThrow(VeilError);
    expect(listOwners(f.store)).toHaveLength(1);
  });

  it('adds owners to a node directory (the CLI path), audited in that node log', async () => {
    const dir = join(f.dir, 'node-de');
    await initNode(dir, { country: 'DE' });
    const { id } = await addOwnerInDir(dir, 'Jörg Weiß', PASSWORD);
    expect(id).toMatch(/^jorg-wei-[0-9a-f]{6}$/);
    expect(listOwnersInDir(dir).map((o) => o.id)).toEqual([id]);
  });
});

describe('login and sessions', () => {
  it('requires a session for every page and every action', async () => {
    const id = queue(f);
    for (const path of ['/', '/history', '/audit', `/requests/${id}`, '/nope']) {
      const r = await f.app.request(path);
      expect(r.status, path).toBe(303);
      expect(r.headers.get('location')).toBe('/login');
    }
    const r = await post(f, `/requests/${id}/approve`, { field: 'name' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login');
    expect(f.desk.get(id)!.status).toBe('pending');
    const page = await f.app.request('/login');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Data owner login');
  });

  it('rejects a wrong password and an unknown account, audits both without what was typed', async () => {
    const bad = await post(f, '/login', { account: f.owner, password: 'not the password at all' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect(await bad.text()).toContain('Wrong account id or password.');
    const unknown = await post(f, '/login', { account: 'max-mustermann-000000', password: PASSWORD });
    expect(unknown.status).toBe(401);
    const failed = kinds(f, 'auth.failed');
    expect(failed).toEqual([
      { kind: 'auth.failed', owner: f.owner, peer: 'console', code: 'unauthenticated', status: 'bad_password' },
      { kind: 'auth.failed', peer: 'console', code: 'unauthenticated', status: 'unknown_account' },
    ]);
    const all = JSON.stringify(f.audit.list({ limit: 1000 }));
    expect(all).not.toContain('not the password');
    expect(all).not.toContain('mustermann');
    expect(all).not.toContain('Schmidt');
    expect(kinds(f, 'owner.login')).toEqual([]);
    expect(f.store.db.prepare('SELECT COUNT(*) AS n FROM owner_sessions').get()).toEqual({ n: 0 });
  });

  it('locks an account after repeated failures, even for the right password, until the lock expires', async () => {
    f.store.close();
    f = makeFixture({ throttle: { maxFailures: 3, lockMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await post(f, '/login', { account: f.owner, password: `wrong password ${i}` })).status).toBe(401);
    const locked = await post(f, '/login', { account: f.owner, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.headers.get('set-cookie')).toBeNull();
    expect(kinds(f, 'auth.failed').at(-1)).toMatchObject({ code: 'rate_limited', owner: f.owner });
    f.clock.now += 61_000;
    await login(f);
    expect(kinds(f, 'owner.login')).toEqual([{ kind: 'owner.login', owner: f.owner, peer: 'console' }]);
  });

  it('sets an HttpOnly SameSite=Strict cookie and stores only a hash of its token', async () => {
    const r = await post(f, '/login', { account: f.owner, password: PASSWORD });
    const sc = r.headers.get('set-cookie')!;
    expect(sc).toMatch(/^veil-owner=[A-Za-z0-9_-]{43};/);
    expect(sc).toContain('HttpOnly');
    expect(sc).toContain('SameSite=Strict');
    expect(sc).toContain('Path=/');
    expect(sc).not.toContain('Secure');
    const token = /^veil-owner=([^;]+)/.exec(sc)![1]!;
    const rows = f.store.db.prepare('SELECT token_hash, owner FROM owner_sessions').all() as { token_hash: Buffer; owner: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.owner).toBe(f.owner);
    expect(Buffer.from(rows[0]!.token_hash).equals(Buffer.from(sha256(fromBase64url(token))))).toBe(true);
    expect(JSON.stringify(f.store.db.prepare('SELECT * FROM owner_sessions').all())).not.toContain(token);
  });

  it('marks the cookie Secure with the __Host- prefix when secureCookies is set', async () => {
    f.store.close();
    f = makeFixture({ secureCookies: true });
    const r = await post(f, '/login', { account: f.owner, password: PASSWORD });
    const sc = r.headers.get('set-cookie')!;
    expect(sc).toMatch(/^__Host-veil-owner=/);
    expect(sc).toContain('Secure');
    expect(r.headers.get('strict-transport-security')).toContain('max-age=');
    // Behind the TLS proxy the browser's Origin is https.
    const cookie = sc.split(';')[0]!;
    const html = await (await f.app.request('/', { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const out = async (origin: string) =>
      f.app.request('/logout', { method: 'POST', body: form({ _csrf: csrf }), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin } });
    expect((await out('http://localhost')).status).toBe(403);
    expect((await out('https://localhost')).status).toBe(303);
  });

  it('expires a session after 8 hours', async () => {
    const s = await login(f);
    f.clock.now += 8 * 3_600_000 - 1000;
    expect((await s.get('/')).status).toBe(200);
    f.clock.now += 2000;
    const r = await s.get('/');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login');
    expect(f.store.db.prepare('SELECT COUNT(*) AS n FROM owner_sessions').get()).toEqual({ n: 0 });
  });

  it('logs out: the session is deleted and the old cookie no longer works', async () => {
    const s = await login(f);
    const noCsrf = await s.post('/logout', {});
    expect(noCsrf.status).toBe(403);
    const r = await s.post('/logout', { _csrf: s.csrf });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login');
    expect(r.headers.get('set-cookie')).toMatch(/veil-owner=;.*Max-Age=0/);
    expect((await s.get('/')).status).toBe(303);
    expect(f.store.db.prepare('SELECT COUNT(*) AS n FROM owner_sessions').get()).toEqual({ n: 0 });
    expect(f.store.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE kind = 'owner.logout'").get()).toEqual({ n: 1 });
  });

  it('refuses sessions of a disabled account', async () => {
    const s = await login(f);
    disableOwner(f.store, f.audit, f.owner);
    disableOwner(f.store, f.audit, f.owner); // idempotent
    expect(() => disableOwner(f.store, f.audit, 'nobody-000000')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(kinds(f, 'owner.removed')).toEqual([{ kind: 'owner.removed', owner: f.owner }]);
    expect(f.store.db.prepare('SELECT COUNT(*) AS n FROM owner_sessions').get()).toEqual({ n: 0 });
    expect(listOwners(f.store)[0]!.disabled).toBe(true);
    expect((await s.get('/')).status).toBe(303);
    expect((await post(f, '/login', { account: f.owner, password: PASSWORD })).status).toBe(401);
    expect(kinds(f, 'auth.failed').at(-1)).toMatchObject({ status: 'disabled', owner: f.owner });
  });

  it('refuses a forged cookie', async () => {
    const r = await f.app.request('/', { headers: { cookie: `veil-owner=${toBase64url(randomBytes(32))}` } });
    expect(r.status).toBe(303);
  });
});

describe('CSRF and cross-site protection', () => {
  it('refuses a decision with a missing or wrong CSRF token; nothing is decided', async () => {
    const id = queue(f);
    const s = await login(f);
    const missing = await s.post(`/requests/${id}/approve`, { field: ['name', 'dob'] });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('could not be verified');
    const wrong = await s.post(`/requests/${id}/deny`, { reason: 'no', _csrf: s.csrf.slice(0, -2) + 'AA' });
    expect(wrong.status).toBe(403);
    const other = await login(f);
    const foreign = await s.post(`/requests/${id}/approve`, { field: 'name', _csrf: other.csrf });
    expect(foreign.status).toBe(403);
    expect(f.desk.get(id)!.status).toBe('pending');
    expect(f.store.db.prepare('SELECT COUNT(*) AS n FROM mail_outbox').get()).toEqual({ n: 0 });
  });

  it('refuses cross-site posts by Origin or Sec-Fetch-Site even with a valid token, including the login form', async () => {
    const id = queue(f);
    const s = await login(f);
    const evilOrigin = await s.post(`/requests/${id}/approve`, { field: 'name', _csrf: s.csrf }, { origin: 'http://evil.example' });
    expect(evilOrigin.status).toBe(403);
    const nullOrigin = await s.post(`/requests/${id}/approve`, { field: 'name', _csrf: s.csrf }, { origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    const crossSite = await s.post(`/requests/${id}/approve`, { field: 'name', _csrf: s.csrf }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const sameSite = await s.post(`/requests/${id}/approve`, { field: 'name', _csrf: s.csrf }, { 'sec-fetch-site': 'same-site' });
    expect(sameSite.status).toBe(403);
    expect(f.desk.get(id)!.status).toBe('pending');
    const loginCsrf = await post(f, '/login', { account: f.owner, password: PASSWORD }, { origin: 'http://evil.example' });
    expect(loginCsrf.status).toBe(403);
    expect(loginCsrf.headers.get('set-cookie')).toBeNull();
    const ok = await s.post(`/requests/${id}/approve`, { field: 'name', _csrf: s.csrf }, { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(303);
    expect(f.desk.get(id)!.status).toBe('approved');
  });

  it('refuses a Host outside the allow-list (DNS rebinding)', async () => {
    f.store.close();
    f = makeFixture({ allowHost: (h) => h === '127.0.0.1:7300' });
    expect((await f.app.request('http://127.0.0.1:7300/login')).status).toBe(200);
    expect((await f.app.request('http://rebound.example:7300/login')).status).toBe(421);
  });
});

describe('secure headers', () => {
  it('sends a strict CSP and the other secure headers on pages, and no-store on pages with records', async () => {
    const id = queue(f);
    const s = await login(f);
    for (const r of [await f.app.request('/login'), await s.get('/'), await s.get(`/requests/${id}`), await f.app.request('/static/console.css')]) {
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'none'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).toContain("base-uri 'none'");
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('same-origin');
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
    expect((await s.get(`/requests/${id}`)).headers.get('cache-control')).toBe('no-store');
    const css = await f.app.request('/static/console.css');
    expect(css.headers.get('content-type')).toContain('text/css');
  });

  it('renders pages without scripts or inline styles, and escapes what the requester wrote', async () => {
    const id = queue(f, { justification: '<script>alert(1)</script> & "quotes"' });
    const s = await login(f);
    const html = await (await s.get(`/requests/${id}`)).text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('style=');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
  });
});

describe('pages', () => {
  it('lists pending requests with country, purpose, legal basis, case, match class and time left', async () => {
    const a = queue(f, { deadlineH: 48 });
    const b = queue(f, { requester: 'UA', deadlineH: 2 });
    f.clock.now += 30 * 60_000;
    const s = await login(f);
    const html = await (await s.get('/')).text();
    expect(html).toContain(`href="/requests/${a}"`);
    expect(html).toContain(`href="/requests/${b}"`);
    for (const t of ['FR', 'UA', 'wanted-person', 'art-3-rpd', 'FR-2026-0042', 'name_dob', '1 d 23 h', '1 h 30 min']) expect(html).toContain(t);
    expect(html.indexOf(b)).toBeLessThan(html.indexOf(a)); // nearest deadline first
    expect(html).not.toContain('Müller'); // the list shows no personal data
  });

  it('shows the request with the node record, the justification and one checkbox per requested field', async () => {
    const id = queue(f, { fields: ['name', 'dob', 'vehicle'] });
    const s = await login(f);
    const html = await (await s.get(`/requests/${id}`)).text();
    for (const t of ['Müller', 'Hans-Peter', '1971-03-14', 'C01X00T47', 'wanted-persons', 'restricted', 'armed robbery', 'claire-martin-1a2b3c']) expect(html).toContain(t);
    const boxes = [...html.matchAll(/type="checkbox" name="field" value="([a-z]+)"/g)].map((m) => m[1]);
    expect(boxes).toEqual(['name', 'dob', 'vehicle']);
    expect(html).not.toMatch(/type="checkbox"[^>]*checked/); // nothing is ticked by default
    expect(html).toContain('— not in the record'); // the record holds no vehicle
    expect(html).toContain('name="reason"');
  });

  it('shows the audit log newest first, filterable by kind', async () => {
    const s = await login(f);
    const html = await (await s.get('/audit')).text();
    expect(html).toContain('owner.login');
    expect(html).toContain('owner.added');
    expect(html.indexOf('owner.login')).toBeLessThan(html.indexOf('owner.added</code>'));
    const filtered = await (await s.get('/audit?kind=owner.added')).text();
    expect(filtered).toContain(`owner=<code>${f.owner}</code>`);
    expect(filtered).not.toContain('<code>owner.login</code>');
  });

  it('renders errors as a friendly page with the public message and no stack', async () => {
    const s = await login(f);
    const missing = await s.get(`/requests/${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('There is no such request');
    const bad = await s.get('/requests/not-an-id');
    expect(bad.status).toBe(404);
    const id = queue(f);
    f.desk.approve = () => {
      throw new Error('SQLITE_BUSY: database is locked at /secret/path.db');
    };
    const r = await s.post(`/requests/${id}/approve`, { field: 'name', _csrf: s.csrf });
    expect(r.status).toBe(500);
    const html = await r.text();
    expect(html).toContain('Something went wrong');
    expect(html).not.toContain('SQLITE_BUSY');
    expect(html).not.toContain('/secret/path');
    expect(html).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('decisions', () => {
  it('approves a chosen subset of the requested fields', async () => {
    const id = queue(f, { fields: ['name', 'dob', 'documents'] });
    const s = await login(f);
    const r = await s.post(`/requests/${id}/approve`, { field: ['name', 'documents'], _csrf: s.csrf });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(`/requests/${id}?done=approved`);
    const v = f.desk.get(id)!;
    expect(v.status).toBe('approved');
    expect(v.releasedFields).toEqual(['name', 'documents']);
    expect(v.decidedBy).toBe(f.owner);
    expect(f.store.db.prepare('SELECT COUNT(*) AS n FROM mail_outbox').get()).toEqual({ n: 1 });
    expect(kinds(f, 'disclosure.approved')).toEqual([{ kind: 'disclosure.approved', requestId: id, country: 'FR', owner: f.owner, count: 2 }]);
    const page = await (await s.get(`/requests/${id}?done=approved`)).text();
    expect(page).toContain('Approved. The ticked fields are sealed');
    expect(page).not.toContain('id="approve"');
    const hist = await (await s.get('/history')).text();
    expect(hist).toContain(id);
    expect(hist).toContain('name, documents');
    expect(await (await s.get('/')).text()).not.toContain(id);
  });

  it('refuses an approval with no field or with a field that was not requested', async () => {
    const id = queue(f, { fields: ['name', 'dob'] });
    const s = await login(f);
    const none = await s.post(`/requests/${id}/approve`, { _csrf: s.csrf });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Tick at least one field');
    const extra = await s.post(`/requests/${id}/approve`, { field: ['name', 'documents'], _csrf: s.csrf });
    expect(extra.status).toBe(400);
    expect(await extra.text()).toContain('Only the fields the request asked for');
    const junk = await s.post(`/requests/${id}/approve`, { field: ['name', 'password'], _csrf: s.csrf });
    expect(junk.status).toBe(400);
    expect(f.desk.get(id)!.status).toBe('pending');
  });

  it('denies with a reason, and refuses a denial without one', async () => {
    const id = queue(f);
    const s = await login(f);
    const empty = await s.post(`/requests/${id}/deny`, { reason: '   ', _csrf: s.csrf });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('A denial needs a reason');
    expect(f.desk.get(id)!.status).toBe('pending');
    const r = await s.post(`/requests/${id}/deny`, { reason: 'Legal basis does not cover this purpose.', _csrf: s.csrf });
    expect(r.status).toBe(303);
    const v = f.desk.get(id)!;
    expect(v.status).toBe('denied');
    expect(v.reason).toBe('Legal basis does not cover this purpose.');
    expect(v.decidedBy).toBe(f.owner);
    expect(kinds(f, 'disclosure.denied')).toEqual([{ kind: 'disclosure.denied', requestId: id, country: 'FR', owner: f.owner }]);
  });

  it('is final: a repeated identical decision changes nothing, a different one is shown as a conflict', async () => {
    const id = queue(f, { fields: ['name', 'dob'] });
    const s = await login(f);
    expect((await s.post(`/requests/${id}/approve`, { field: 'dob', _csrf: s.csrf })).status).toBe(303);
    expect((await s.post(`/requests/${id}/approve`, { field: 'dob', _csrf: s.csrf })).status).toBe(303); // double submit
    const other = await s.post(`/requests/${id}/approve`, { field: ['name', 'dob'], _csrf: s.csrf });
    expect(other.status).toBe(409);
    const deny = await s.post(`/requests/${id}/deny`, { reason: 'changed my mind', _csrf: s.csrf });
    expect(deny.status).toBe(409);
    const html = await deny.text();
    expect(html).toContain('Already decided');
    expect(html).toContain('already approved (released: Date of birth)');
    expect(html).toContain(`by ${f.owner}`);
    const v = f.desk.get(id)!;
    expect(v.status).toBe('approved');
    expect(v.releasedFields).toEqual(['dob']);
    expect(kinds(f, 'disclosure.approved')).toHaveLength(1);
    expect(f.store.db.prepare('SELECT COUNT(*) AS n FROM mail_outbox').get()).toEqual({ n: 1 });
  });

  it('shows an expired request as expired and refuses to decide it', async () => {
    const id = queue(f, { deadlineH: 1 });
    const s = await login(f);
    f.clock.now += 2 * 3_600_000;
    expect(await (await s.get('/')).text()).not.toContain(id);
    const r = await s.post(`/requests/${id}/approve`, { field: 'name', _csrf: s.csrf });
    expect(r.status).toBe(409);
    expect(await r.text()).toContain('already expired at its deadline');
    expect(await (await s.get('/history')).text()).toContain('expired');
  });
});
