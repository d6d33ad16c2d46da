/**
 * The approval console through `app.request()`: owner accounts, authentication, sessions, CSRF and
 * cross-site checks, secure headers. Pages and decisions reaching the disclosure desk are in
 * `console-pages.test.ts`; the browser test (test/console-browser.test.ts) drives the same pages in
 * Chromium.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { certificatePem, fromBase64url, initCrypto, randomBytes, SigningKey, sha256, TlsKey, toBase64url, x509Certificate } from '#crypto';
import { endorseCa, trustBundleFile, VeilError } from '#protocol';
import { initNode } from '../admin-ops.ts';
import { type Fixture, form, kinds, login, makeFixture, PASSWORD, post, queue } from './console.test-fixture.ts';
import { addOwner, addOwnerInDir, disableOwner, listOwners, listOwnersInDir } from './index.ts';

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
    const bundle = join(f.dir, 'bundle.json');
    const root = SigningKey.generate();
    const ca = TlsKey.generate();
    const name = { cn: 'test CA', o: 'test-org' };
    const caPem = certificatePem(
      x509Certificate(
        { serial: Uint8Array.of(1), issuer: name, subject: name, notBefore: 0, notAfter: Date.now() + 1e9, subjectSpki: ca.spki(), ca: true },
        ca,
      ),
    );
    writeFileSync(
      bundle,
      JSON.stringify(trustBundleFile({ org: 'test-org', rootPub: root.publicKey(), caPem, caEndorsement: endorseCa(root, 'test-org', caPem, Date.now()) })),
    );
    await initNode(dir, { port: 0, adminPort: 0, country: 'DE', bundle });
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

  it('locks the client after repeated failures, even for the right password, until the lock expires (all requests here share one address)', async () => {
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
      f.app.request('/logout', {
        method: 'POST',
        body: form({ _csrf: csrf }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin },
      });
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
    const wrong = await s.post(`/requests/${id}/deny`, { reason: 'no', _csrf: `${s.csrf.slice(0, -2)}AA` });
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
