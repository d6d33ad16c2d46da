/**
 * The approval console end to end in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core with `executablePath`; CONTRIBUTING.md "Tests"): a real coordinator and real FR and DE
 * nodes, an FR analyst who queries and asks for disclosure of two hits through the SDK, and a DE data
 * owner who logs in to DE's console, approves one request ticking a subset of the fields and denies
 * the other with a reason. The analyst must then receive exactly the ticked fields, and the denial
 * with its reason.
 *
 * Writes a screenshot of the pending-requests page to test-artifacts/ (and to docs/console-pending.png,
 * shown in the README, when VEIL_UPDATE_SCREENSHOTS=1)
 * and, with the other pages, to test-artifacts/.
 *
 * Without Chromium the test is skipped with a message saying so; set VEIL_REQUIRE_CHROMIUM=1 (CI) to
 * make a missing browser a failure instead. VEIL_CHROMIUM overrides the browser path.
 */

import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { addOwner, loadNodeCertificate, type NodeHandle, startConsole } from '#node';
import type { Disclosure, VeilClient } from '#sdk';
import { CTX, type Inproc, startInproc } from './helpers/inproc.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.VEIL_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PASSWORD = 'a long passphrase for the console';

const helga = {
  id: 'de-wp-0417',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Brandt', given: 'Helga', aliases: ['Helga Brand'], dob: '1974-11-02', nationality: 'DEU', sex: 'F' },
  documents: [{ type: 'passport', country: 'DEU', number: 'C7F2K9L01', status: 'stolen' }],
};
const jonas = {
  id: 'de-wp-0852',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Keller', given: 'Jonas', dob: '1988-01-23', nationality: 'DEU', sex: 'M' },
};

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('approval console in Chromium', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('a data owner approves a field subset and denies another request; the analyst receives exactly that', async ({ skip }) => {
    if (!existsSync(CHROMIUM)) {
      const msg = `Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set VEIL_CHROMIUM to run the console browser test`;
      if (process.env.VEIL_REQUIRE_CHROMIUM === '1') throw new Error(msg);
      console.warn(`SKIPPED: ${msg}`);
      skip(msg);
    }
    await initCrypto();

    // --- the network: FR (analyst's country) and DE (holds the records) -------------------------
    const net: Inproc = await startInproc([{ country: 'FR' }, { country: 'DE', records: [helga, jonas] }]);
    cleanup.push(() => net.stop());
    const de: NodeHandle = net.nodes.get('DE')!;
    const wired = (de as NodeHandle & { consoleUrl?: string }).consoleUrl;
    let consoleUrl: string;
    if (typeof wired === 'string') consoleUrl = wired;
    else {
      const c = await startConsole({ country: 'DE', store: de.store, desk: de.desk, audit: de.audit });
      cleanup.push(() => c.close());
      consoleUrl = c.url;
    }
    const { id: ownerId } = addOwner(de.store, de.audit, 'Petra Vogel', PASSWORD);

    // --- the FR analyst queries and asks for disclosure of two hits ------------------------------
    const client: VeilClient = await net.client('FR', 'Claire Martin');
    const hit = async (subject: { name: string; dob: string }) => {
      const r = await client.query(subject, CTX, { targets: ['DE'] });
      const h = r.results[0]!.hits.find((x) => x.cls === 'name_dob');
      expect(h, `name_dob hit for ${subject.name}`).toBeDefined();
      return { country: 'DE', token: h!.token };
    };
    const helgaClaim = { name: 'Helga Brandt', dob: '1974-11-02' };
    const jonasClaim = { name: 'Jonas Keller', dob: '1988-01-23' };
    const toApprove = await client.requestDisclosure(
      await hit(helgaClaim),
      helgaClaim,
      { purpose: 'wanted-person', caseRef: 'FR-2026-0042', legalBasis: 'art-3-rpd' },
      { fields: ['name', 'dob', 'documents'], justification: 'Subject of a European arrest warrant; identity needed to confirm the match.' },
    );
    const toDeny = await client.requestDisclosure(
      await hit(jonasClaim),
      jonasClaim,
      { purpose: 'criminal-investigation', caseRef: 'FR-2026-0117', legalBasis: 'mla-2024-17' },
      { fields: ['name', 'dob'], justification: 'Possible witness in a burglary series.' },
    );
    // A third request, on a document hit, that nobody decides in this test: it must stay pending.
    const passport = { doc: { type: 'passport', country: 'DEU', number: 'C7F2K9L01' } };
    const docHit = (await client.query(passport, CTX, { targets: ['DE'] })).results[0]!.hits.find((x) => x.cls === 'doc');
    expect(docHit, 'doc hit').toBeDefined();
    const untouched = await client.requestDisclosure(
      { country: 'DE', token: docHit!.token },
      passport,
      { purpose: 'border-control', caseRef: 'FR-PAF-2026-0203', legalBasis: 'sis-art-38' },
      { fields: ['documents', 'name'], justification: 'Passport presented at Roissy border control is listed as stolen.' },
    );
    await until('three requests queued at DE', () => (de.desk.list('pending').length === 3 ? true : undefined));
    // The console addresses each request by DE's own handle for it.
    const handle = (requestId: string): string => {
      const v = de.desk.get(requestId);
      if (!v) throw new Error(`not queued at DE: ${requestId}`);
      return v.id;
    };
    const [approveAt, denyAt] = [handle(toApprove.id), handle(toDeny.id)];

    // --- the DE data owner, in Chromium ----------------------------------------------------------
    const profile = mkdtempSync(join(tmpdir(), 'veil-chromium-'));
    cleanup.push(() => rmSync(profile, { recursive: true, force: true }));
    // The console serves HTTPS with DE's certificate from the organisation; Chromium is told to trust
    // exactly that certificate's key (as an officer's machine trusts the organisation's CA).
    const spki = new X509Certificate(Buffer.from(loadNodeCertificate(net.dir('DE')).cert.x509)).publicKey.export({ type: 'spki', format: 'der' });
    const pin = createHash('sha256').update(spki).digest('base64');
    const browser: BrowserContext = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${pin}`],
      viewport: { width: 1280, height: 640 },
    });
    cleanup.push(() => browser.close());
    const page: Page = browser.pages()[0] ?? (await browser.newPage());
    const problems: string[] = [];
    page.on('console', (m) => {
      // CSP violations and script errors are reported here; the one expected failure is the wrong password's 401.
      if (m.type() === 'error' && !m.text().includes('status of 401')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const artifacts = join(ROOT, 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });

    await page.goto(consoleUrl);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name="account"]', ownerId);
    await page.fill('input[name="password"]', 'not the right password');
    await page.click('form[action="/login"] button[type="submit"]');
    await expect.poll(() => page.textContent('[role="alert"]')).toContain('Wrong account id or password');
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('form[action="/login"] button[type="submit"]');
    await page.waitForURL(`${consoleUrl}/`);

    // The pending list: both requests, with what the owner needs to triage them.
    const rows = page.locator('#pending tbody tr');
    expect(await rows.count()).toBe(3);
    const rowA = page.locator(`tr[data-request="${approveAt}"]`);
    const rowB = page.locator(`tr[data-request="${denyAt}"]`);
    for (const t of ['FR', 'wanted-person', 'art-3-rpd', 'FR-2026-0042', 'name_dob', 'name, dob, documents']) expect(await rowA.textContent()).toContain(t);
    for (const t of ['criminal-investigation', 'mla-2024-17', 'FR-2026-0117']) expect(await rowB.textContent()).toContain(t);
    expect(await rowA.locator('td.left').textContent()).toMatch(/^(1 d 23 h|2 d)$/);
    // The stylesheet loaded under the CSP.
    type Win = { getComputedStyle(e: unknown): { backgroundColor: string } };
    expect(await page.locator('header.top').evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el).backgroundColor)).toBe('rgb(20, 33, 61)');
    // Always into test-artifacts/; the README's copy in docs/ only when asked (it would churn every run).
    const shots = [join(artifacts, 'console-pending.png'), ...(process.env.VEIL_UPDATE_SCREENSHOTS === '1' ? [join(ROOT, 'docs', 'console-pending.png')] : [])];
    for (const p of shots) await page.screenshot({ path: p, fullPage: true });

    // Approve the first, ticking two of the three requested fields.
    await rowA.locator('a', { hasText: 'Review' }).click();
    await page.waitForURL(`${consoleUrl}/requests/${approveAt}`);
    expect(await page.textContent('main')).toContain('Brandt');
    expect(await page.textContent('.justification')).toContain('European arrest warrant');
    const boxes = await page.locator('#approve input[type="checkbox"]').all();
    expect(await Promise.all(boxes.map((b) => b.getAttribute('value')))).toEqual(['name', 'dob', 'documents']);
    expect(await Promise.all(boxes.map((b) => b.isChecked()))).toEqual([false, false, false]);
    await page.screenshot({ path: join(artifacts, 'console-request.png'), fullPage: true });
    await page.check('#approve input[value="name"]');
    await page.check('#approve input[value="dob"]');
    await page.click('#approve button[type="submit"]');
    await page.waitForURL(`${consoleUrl}/requests/${approveAt}?done=approved`);
    expect(await page.textContent('[role="status"]')).toContain('Approved');

    // Deny the second with a reason.
    await page.click('header nav a[href="/"]');
    expect(await page.locator('#pending tbody tr').count()).toBe(2);
    await page.locator(`tr[data-request="${denyAt}"] a`).click();
    await page.fill('#deny textarea[name="reason"]', 'Witness requests need a court order under our law.');
    await page.click('#deny button[type="submit"]');
    await page.waitForURL(`${consoleUrl}/requests/${denyAt}?done=denied`);

    await page.click('header nav a[href="/history"]');
    expect(await page.locator('#history tbody tr').count()).toBe(2);
    expect(await page.textContent('header nav a[href="/"]')).toContain('1');
    await page.screenshot({ path: join(artifacts, 'console-history.png'), fullPage: true });
    await page.click('header nav a[href="/audit"]');
    const auditText = (await page.textContent('#audit')) ?? '';
    for (const k of ['owner.login', 'auth.failed', 'disclosure.approved', 'disclosure.denied']) expect(auditText).toContain(k);
    expect(auditText).not.toContain('Brandt');
    await page.screenshot({ path: join(artifacts, 'console-audit.png'), fullPage: true });

    // Log out: the console is closed again.
    await page.click('form.logout button[type="submit"]');
    await page.waitForURL(`${consoleUrl}/login`);
    await page.goto(`${consoleUrl}/history`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(problems).toEqual([]);

    // --- what the analyst receives ---------------------------------------------------------------
    const decided = (id: string) =>
      until(`decision on ${id} at the analyst`, async () => {
        const d: Disclosure | undefined = (await client.disclosures()).find((x) => x.id === id);
        return d && d.status !== 'sent' && d.status !== 'pending' ? d : undefined;
      });
    const approved = await decided(toApprove.id);
    expect(approved.status).toBe('approved');
    expect(approved.released?.handling).toBe('restricted');
    expect(approved.released?.fields).toEqual({ name: { family: 'Brandt', given: 'Helga', aliases: ['Helga Brand'] }, dob: '1974-11-02' });
    const denied = await decided(toDeny.id);
    expect(denied.status).toBe('denied');
    expect(denied.released?.reason).toBe('Witness requests need a court order under our law.');
    expect(denied.released?.fields).toBeUndefined();
    expect(de.desk.get(toApprove.id)).toMatchObject({ decidedBy: ownerId, releasedFields: ['name', 'dob'] });
    expect(de.desk.get(toDeny.id)).toMatchObject({ decidedBy: ownerId, status: 'denied' });
    expect(de.desk.get(untouched.id)).toMatchObject({ status: 'pending', decidedBy: null });
    expect((await client.disclosures()).find((x) => x.id === untouched.id)?.released).toBeUndefined();
  });
});
