/**
 * The approval console test fixture: a node store in a temp dir with one record and one data-owner
 * account, a disclosure desk and the console app on a hand-moved clock, plus helpers to queue requests,
 * post forms and log in. Used by `console.test.ts` and `console-pages.test.ts`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { BoxKeyPair, randomBytes, SigningKey, TlsKey, TokenKey, toHex } from '#crypto';
import type { AuditKind, AuditLog } from '#platform';
import type { DisclosureField, VeilRecord } from '#protocol';
import { nodeAudit } from '../admin-ops.ts';
import { DisclosureDesk } from '../disclosure/desk.ts';
import { DEFAULT_POLICY } from '../policy.ts';
import { NodeStore } from '../store/sqlite-store.ts';
import { addOwner, type ConsoleDeps, createConsoleApp } from './index.ts';

export const T0 = Date.UTC(2026, 4, 4, 9, 0);
export const PASSWORD = 'correct horse battery staple';

export const RECORD: VeilRecord = {
  id: 'de-wp-0001',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Müller', given: 'Hans-Peter', aliases: ['Hans Peter Mueller'], dob: '1971-03-14', nationality: 'DE', sex: 'M' },
  documents: [{ type: 'passport', country: 'DEU', number: 'C01X00T47', status: 'valid' }],
};

export interface Fixture {
  dir: string;
  store: NodeStore;
  audit: AuditLog;
  desk: DisclosureDesk;
  clock: { now: number };
  app: ReturnType<typeof createConsoleApp>;
  owner: string;
}

/**
 * Argon2id at libsodium's minimum for these accounts: the console's login logic is under test here, not
 * the hash's cost (deployed accounts use the interactive limits, `crypto/password.test.ts`). Unknown ids
 * are checked against a dummy at the same limits, as in production.
 */
export const TEST_PASSWORD_LIMITS = { ops: 1, mem: 8192 } as const;

export function makeFixture(extra: Partial<ConsoleDeps> = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'veil-console-'));
  const store = new NodeStore(join(dir, 'node.db'));
  const keys = { signing: SigningKey.generate(), box: BoxKeyPair.generate(), token: TokenKey.generate(), tls: TlsKey.generate() };
  const audit = nodeAudit(store, keys);
  const clock = { now: T0 };
  const desk = new DisclosureDesk({ country: 'DE', store, keys, audit, policy: { current: DEFAULT_POLICY }, clock: { now: () => clock.now } });
  store.records.upsert(
    { id: RECORD.id, kind: RECORD.kind, dataset: RECORD.dataset, handling: RECORD.handling, body: JSON.stringify(RECORD), digest: new Uint8Array(32) },
    T0,
  );
  const { id: owner } = addOwner(store, audit, 'Anna Schmidt', PASSWORD, TEST_PASSWORD_LIMITS);
  const app = createConsoleApp({ country: 'DE', store, desk, audit, clock: { now: () => clock.now }, passwordLimits: TEST_PASSWORD_LIMITS, ...extra });
  return { dir, store, audit, desk, clock, app, owner };
}

/** Queue a request as the desk would after verifying its claim (the claim checks are the desk's tests). */
export function queue(f: Fixture, o: { fields?: DisclosureField[]; justification?: string; requester?: string; deadlineH?: number } = {}): string {
  const id = toHex(randomBytes(16));
  f.store.disclosures.addIncoming({
    id,
    requester: o.requester ?? 'FR',
    analyst: 'claire-martin-1a2b3c',
    requestId: id,
    digest: new Uint8Array(32),
    purpose: 'wanted-person',
    caseRef: 'FR-2026-0042',
    legalBasis: 'art-3-rpd',
    fields: o.fields ?? ['name', 'dob', 'documents'],
    justification: o.justification ?? 'Suspect in armed robbery, European arrest warrant pending.',
    recordId: RECORD.id,
    cls: 'name_dob',
    claimKind: 'name',
    score: null,
    analystBoxPub: BoxKeyPair.generate().publicKey(),
    receivedAt: f.clock.now,
    deadline: f.clock.now + (o.deadlineH ?? 48) * 3_600_000,
  });
  return id;
}

export function form(fields: Record<string, string | string[]>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p;
}

export async function post(f: Fixture, path: string, body: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
  return f.app.request(path, { method: 'POST', body: form(body), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

export interface Session {
  cookie: string;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, body: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
}

export async function login(f: Fixture, account = f.owner, password = PASSWORD): Promise<Session> {
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

export function kinds(f: Fixture, kind: AuditKind) {
  return f.audit.list({ kind, limit: 1000 }).map((r) => r.entry);
}
