/**
 * The approval console's pages and decisions through `app.request()`: what the data owner sees, and
 * decisions reaching the disclosure desk (approve a subset, deny with a reason, finality, expiry).
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { type Fixture, kinds, login, makeFixture, queue } from './console.test-fixture.ts';

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
    for (const t of ['Müller', 'Hans-Peter', '1971-03-14', 'C01X00T47', 'wanted-persons', 'restricted', 'armed robbery', 'claire-martin-1a2b3c'])
      expect(html).toContain(t);
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
    expect(kinds(f, 'disclosure.approved')).toEqual([
      { kind: 'disclosure.approved', requestId: id, country: 'FR', analyst: 'claire-martin-1a2b3c', owner: f.owner, count: 2 },
    ]);
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
    expect(kinds(f, 'disclosure.denied')).toEqual([
      { kind: 'disclosure.denied', requestId: id, country: 'FR', analyst: 'claire-martin-1a2b3c', owner: f.owner },
    ]);
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
