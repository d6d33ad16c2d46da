/**
 * `veil approvals approve|deny` as a data owner must authenticate: the owner's password (from
 * VEIL_OWNER_PASSWORD, piped stdin or a prompt — never the command line) is checked against the
 * account's Argon2id hash, failures are audited and counted in the same per-account throttle as the
 * approval console (kept in the node's database). Real `veil` processes on a real node directory; the
 * console side runs in this process over the same database file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoxKeyPair, initCrypto, randomBytes, toHex } from '#crypto';
import { createConsoleApp, DEFAULT_POLICY, DisclosureDesk, loadNodeKeys, NodeStore, nodeAudit, nodePaths } from '#node';
import { createLocalPki, runVeil, runVeilOk } from '#simulations';

const PASSWORD = 'approvals cli test password';
const DAY = 24 * 3_600_000;

let root: string;
let dir: string;
let owner: string;

/** Open the node's store for a moment (the CLI processes open it themselves). */
function withStore<T>(fn: (store: NodeStore) => T): T {
  const store = new NodeStore(nodePaths(dir).db);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** A pending request as the desk records it after verifying its claim (the claim checks are the desk's tests). */
function queueRequest(id = toHex(randomBytes(16))): string {
  withStore((store) =>
    store.disclosures.addIncoming({
      id,
      requestId: id,
      digest: new Uint8Array(32),
      requester: 'FR',
      analyst: 'claire-martin-1a2b3c',
      purpose: 'wanted-person',
      caseRef: 'FR-2026-0042',
      legalBasis: 'art-3-rpd',
      fields: ['name', 'dob'],
      justification: 'Suspect in armed robbery.',
      recordId: 'de-wp-0001',
      cls: 'name_dob',
      claimKind: 'name',
      score: null,
      analystBoxPub: BoxKeyPair.generate().publicKey(),
      receivedAt: Date.now(),
      deadline: Date.now() + 48 * 3_600_000,
    }),
  );
  return id;
}

const status = (id: string) => withStore((s) => s.disclosures.incoming(id)?.status);
const audited = (kind: string) =>
  withStore((s) =>
    (s.db.prepare('SELECT data FROM audit_log WHERE kind = ? ORDER BY seq').all(kind) as { data: string }[]).map(
      (r) => JSON.parse(r.data) as Record<string, unknown>,
    ),
  );

const approve = (id: string, o: { owner?: string; password?: string } = {}) =>
  runVeil(
    ['approvals', 'approve', id, '--dir', dir, '--fields', 'name', '--owner', o.owner ?? owner],
    o.password === undefined ? {} : { env: { VEIL_OWNER_PASSWORD: o.password } },
  );

beforeAll(async () => {
  await initCrypto();
  root = mkdtempSync(join(tmpdir(), 'veil-approvals-'));
  dir = join(root, 'de');
  await runVeilOk(['node', 'init', '--country', 'DE', '--dir', dir, '--bundle', createLocalPki(root).bundlePath]);
  const f = join(root, 'r.ndjson');
  writeFileSync(
    f,
    `${JSON.stringify({ id: 'de-wp-0001', kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' } })}\n`,
  );
  await runVeilOk(['node', 'import', '--dir', dir, f]);
  const added = await runVeilOk(['node', 'owner', 'add', 'Petra Vogel', '--dir', dir], { env: { VEIL_OWNER_PASSWORD: PASSWORD } });
  owner = /data owner (\S+) created/.exec(added)?.[1] ?? '';
  expect(owner).toMatch(/^petra-vogel-[0-9a-f]{6}$/);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('veil approvals as an authenticated data owner', () => {
  it('decides only with the owner’s password; a missing or wrong one, or an unknown account, decides nothing and is audited', async () => {
    const id = queueRequest();
    const none = await approve(id); // stdin is not a terminal and carries no line
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('error [bad_request]');
    const wrong = await approve(id, { password: 'not the password at all' });
    expect(wrong.code).toBe(4); // refused
    expect(wrong.stderr).toContain('error [unauthenticated]');
    const stranger = await approve(id, { owner: 'nobody-000000', password: PASSWORD });
    expect([stranger.code, stranger.stderr.includes('error [unauthenticated]')]).toEqual([4, true]);
    expect(status(id)).toBe('pending');

    const ok = await approve(id, { password: PASSWORD });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`approved ${id.slice(0, 8)}`);
    expect(withStore((s) => s.disclosures.incoming(id))).toMatchObject({ status: 'approved', decidedBy: owner });
    const deny = await runVeil(['approvals', 'deny', queueRequest(), '--dir', dir, '--reason', 'Not within the legal basis.', '--owner', owner], {
      env: { VEIL_OWNER_PASSWORD: 'wrong again, quite wrong' },
    });
    expect(deny.stderr).toContain('error [unauthenticated]');

    expect(audited('auth.failed')).toEqual([
      { peer: 'cli', owner, code: 'unauthenticated', status: 'bad_password' },
      { peer: 'cli', code: 'unauthenticated', status: 'unknown_account' },
      { peer: 'cli', owner, code: 'unauthenticated', status: 'bad_password' },
    ]);
    expect(audited('owner.authenticated')).toEqual([{ owner, peer: 'cli' }]);
    expect(audited('disclosure.approved')).toEqual([expect.objectContaining({ requestId: id, owner })]);
    expect(JSON.stringify(withStore((s) => s.db.prepare('SELECT data FROM audit_log').all()))).not.toContain('not the password');
  });

  it('counts its failures in the same per-account throttle as the console: a lock set there refuses the CLI too', async () => {
    const id = queueRequest();
    expect((await approve(id, { password: 'a wrong password guess' })).stderr).toContain('error [unauthenticated]');
    // Four more addresses fail at the console (long locks, so nothing here depends on the time it takes):
    // with the CLI, five addresses have failed against the account, which locks it.
    const store = new NodeStore(nodePaths(dir).db);
    const lockedAtConsole = await (async () => {
      const keys = loadNodeKeys(dir);
      const audit = nodeAudit(store, keys);
      const desk = new DisclosureDesk({ country: 'DE', store, keys, audit, policy: { current: DEFAULT_POLICY }, clock: { now: () => Date.now() } });
      const app = createConsoleApp({ country: 'DE', store, desk, audit, throttle: { windowMs: DAY, lockMs: DAY, maxLockMs: DAY } });
      const login = async (address: string, password: string) =>
        (
          await app.request(
            '/login',
            { method: 'POST', body: new URLSearchParams({ account: owner, password }), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
            { incoming: { socket: { remoteAddress: address } } },
          )
        ).status;
      const statuses = [];
      for (let i = 1; i <= 4; i++) statuses.push(await login(`10.0.0.${i}`, 'another wrong guess'));
      statuses.push(await login('10.0.0.99', PASSWORD));
      return statuses;
    })().finally(() => store.close());
    expect(lockedAtConsole).toEqual([401, 401, 401, 401, 429]);
    const refused = await approve(id, { password: PASSWORD });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('error [rate_limited]');
    expect(status(id)).toBe('pending');
    expect(audited('auth.throttled')).toEqual([{ peer: 'console', owner, status: 'account', count: 5, ms: DAY }]);
  });
});

describe('veil approvals for a person at a terminal', () => {
  it('lists requests as a table, shows and decides one by a unique prefix of its id, refuses an ambiguous or unknown one', async () => {
    // Its own data owner: the tests above lock the first one out on purpose.
    const added = await runVeilOk(['node', 'owner', 'add', 'Otto Brandt', '--dir', dir], { env: { VEIL_OWNER_PASSWORD: PASSWORD } });
    const second = /data owner (\S+) created/.exec(added)?.[1] ?? '';
    const id = queueRequest();
    const list = await runVeilOk(['approvals', 'list', '--dir', dir]);
    const [header, ...rows] = list.trim().split('\n');
    expect(header).toBe('ID        FROM  STATUS   PURPOSE        CASE          MATCH     FIELDS    DEADLINE / DECIDED BY');
    expect(rows).toContainEqual(
      expect.stringMatching(new RegExp(`^${id.slice(0, 8)}  FR    pending  wanted-person  FR-2026-0042  name_dob  name,dob  4[78]h left$`)),
    );
    const shown = await runVeilOk(['approvals', 'show', id.slice(0, 6), '--dir', dir]);
    expect(shown).toContain(`request ${id}  pending`);
    expect(shown).toContain('  justification\n    Suspect in armed robbery.');
    expect(shown).toContain(`veil approvals approve ${id.slice(0, 8)} --dir ${dir} --fields name,dob --owner ACCOUNT`);
    const unknown = await runVeil(['approvals', 'show', 'ffffffffff', '--dir', dir]);
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      `error [not_found]: no disclosure request ffffffffff at this node\n  fix: the ids are in \`veil approvals list --all --dir ${dir}\`\n`,
    ]);
    const tooShort = await runVeil(['approvals', 'show', id.slice(0, 3), '--dir', dir]);
    expect(tooShort.code).toBe(1);
    const denied = await runVeil(['approvals', 'deny', id.slice(0, 8), '--dir', dir, '--reason', 'Outside the legal basis.', '--owner', second], {
      env: { VEIL_OWNER_PASSWORD: PASSWORD },
    });
    expect([denied.code, denied.stdout]).toEqual([0, `denied ${id.slice(0, 8)}; the reason goes to FR, sealed to the analyst\n`]);
    expect(status(id)).toBe('denied');
    // Two ids sharing a prefix: the prefix names neither.
    const twin = `0123abcd${toHex(randomBytes(12))}`;
    queueRequest(twin);
    queueRequest(`0123abcd${toHex(randomBytes(12))}`);
    const ambiguous = await runVeil(['approvals', 'show', '0123ab', '--dir', dir]);
    expect([ambiguous.code, ambiguous.stderr]).toEqual([1, 'error [conflict]: several requests start with 0123ab\n  fix: give more characters of the id\n']);
    expect(await runVeilOk(['approvals', 'show', twin.slice(0, 12), '--dir', dir])).toContain(`request ${twin}`);
  });
});
