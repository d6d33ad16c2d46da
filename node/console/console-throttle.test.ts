/**
 * The approval console's failed-login throttle as attacks, through `app.request()` on a hand-moved
 * clock. The console reads the client address from the socket (`getConnInfo`); a test sets it by
 * passing the bindings @hono/node-server passes in production (`{ incoming: { socket } }`) as the
 * third argument of `app.request()`. Throttling is per client address and per account, with backoff,
 * kept in the node's database and audited; nothing an attacker does locks out an owner elsewhere,
 * except guessing that owner's own account from many addresses.
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { type Fixture, form, kinds, makeFixture, PASSWORD, TEST_PASSWORD_LIMITS } from './console.test-fixture.ts';
import { addOwner, createConsoleApp } from './index.ts';

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

/** The bindings @hono/node-server gives the app for a request from `address`. */
const from = (address: string) => ({
  incoming: { socket: { remoteAddress: address, remotePort: 50000, remoteFamily: address.includes(':') ? 'IPv6' : 'IPv4' } },
});

async function loginFrom(address: string, account: string, password: string, app = f.app): Promise<number> {
  const r = await app.request(
    '/login',
    { method: 'POST', body: form({ account, password }), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    from(address),
  );
  return r.status;
}

const MIN = 60_000;

describe('console login throttle', () => {
  it('locks out the attacker address, not the owner logging in from elsewhere — even when the attacker guesses that owner', async () => {
    for (let i = 0; i < 5; i++) expect(await loginFrom('10.0.0.66', f.owner, `wrong password ${i}`)).toBe(401);
    expect(await loginFrom('10.0.0.66', f.owner, PASSWORD)).toBe(429);
    expect(await loginFrom('10.0.0.7', f.owner, PASSWORD)).toBe(303);
    expect(kinds(f, 'auth.throttled')).toEqual([{ kind: 'auth.throttled', peer: 'console/10.0.0.66', status: 'address', count: 5, ms: MIN }]);
    expect(kinds(f, 'auth.failed').at(-1)).toMatchObject({ code: 'rate_limited', owner: f.owner, peer: 'console' });
  });

  it('has no global lock: a spray of account ids from many addresses locks no owner out', async () => {
    for (let i = 0; i < 60; i++) expect(await loginFrom(`10.1.${i}.1`, `guess-${i}-000000`, 'password guess')).toBe(401);
    for (let i = 0; i < 10; i++) expect(await loginFrom('10.0.0.66', `spray-${i}-000000`, 'password guess')).toBe(i < 5 ? 401 : 429);
    expect(await loginFrom('10.0.0.7', f.owner, PASSWORD)).toBe(303);
  });

  it('locks an account guessed from many addresses, with backoff, and no other account', async () => {
    const { id: other } = addOwner(f.store, f.audit, 'Bert Braun', PASSWORD, TEST_PASSWORD_LIMITS);
    const round = async (n: number) => {
      for (let i = 0; i < 5; i++) expect(await loginFrom(`10.${n}.0.${i}`, f.owner, 'password guess')).toBe(401);
    };
    await round(1);
    expect(await loginFrom('10.0.0.7', f.owner, PASSWORD)).toBe(429);
    expect(await loginFrom('10.0.0.7', other, PASSWORD)).toBe(303);
    expect(kinds(f, 'auth.throttled')).toEqual([{ kind: 'auth.throttled', peer: 'console', owner: f.owner, status: 'account', count: 5, ms: MIN }]);
    f.clock.now += MIN + 1;
    await round(2);
    // The second lock lasts twice as long.
    f.clock.now += MIN + 1;
    expect(await loginFrom('10.0.0.7', f.owner, PASSWORD)).toBe(429);
    f.clock.now += MIN;
    expect(await loginFrom('10.0.0.7', f.owner, PASSWORD)).toBe(303);
    expect(kinds(f, 'auth.throttled').map((e) => e.ms)).toEqual([MIN, 2 * MIN]);
  });

  it('backs an address off: after its first lock each further failure locks it again for twice as long, up to the cap', async () => {
    for (let i = 0; i < 5; i++) await loginFrom('10.0.0.66', f.owner, 'password guess');
    const waits: number[] = [];
    for (let round = 0; round < 5; round++) {
      const before = kinds(f, 'auth.throttled').length;
      // Wait out the lock, then a single failure locks again.
      let waited = 0;
      while ((await loginFrom('10.0.0.66', f.owner, 'password guess')) === 429) {
        f.clock.now += MIN / 2;
        waited += MIN / 2;
      }
      expect(kinds(f, 'auth.throttled')).toHaveLength(before + 1);
      waits.push(waited);
    }
    expect(waits).toEqual([MIN, 2 * MIN, 4 * MIN, 8 * MIN, 15 * MIN]);
    expect(kinds(f, 'auth.throttled').map((e) => e.ms)).toEqual([MIN, 2 * MIN, 4 * MIN, 8 * MIN, 15 * MIN, 15 * MIN]);
    // A success from the address (once unlocked) forgets its history: five failures again before a lock.
    f.clock.now += 15 * MIN;
    expect(await loginFrom('10.0.0.66', f.owner, PASSWORD)).toBe(303);
    for (let i = 0; i < 4; i++) expect(await loginFrom('10.0.0.66', f.owner, 'password guess')).toBe(401);
    expect(await loginFrom('10.0.0.66', f.owner, PASSWORD)).toBe(303);
  });

  it('throttles IPv6 clients by /64, and IPv4-mapped addresses as IPv4', async () => {
    for (let i = 1; i <= 5; i++) expect(await loginFrom(`2001:db8:1:2::${i}`, f.owner, 'password guess')).toBe(401);
    expect(await loginFrom('2001:db8:1:2:ffff::99', f.owner, PASSWORD)).toBe(429);
    expect(await loginFrom('2001:db8:1:3::1', f.owner, PASSWORD)).toBe(303);
    expect(kinds(f, 'auth.throttled')[0]).toMatchObject({ peer: 'console/2001:db8:1:2::/64', status: 'address' });
    for (let i = 0; i < 5; i++) await loginFrom('::ffff:10.0.0.66', f.owner, 'password guess');
    expect(await loginFrom('10.0.0.66', f.owner, PASSWORD)).toBe(429);
  });

  it('keeps its state in the node database: another console process over the same file sees the locks', async () => {
    for (let i = 0; i < 5; i++) await loginFrom('10.0.0.66', f.owner, 'password guess');
    const second = createConsoleApp({
      country: 'DE',
      store: f.store,
      desk: f.desk,
      audit: f.audit,
      clock: { now: () => f.clock.now },
      passwordLimits: TEST_PASSWORD_LIMITS,
    });
    expect(await loginFrom('10.0.0.66', f.owner, PASSWORD, second)).toBe(429);
    expect(await loginFrom('10.0.0.7', f.owner, PASSWORD, second)).toBe(303);
  });

  it('reads the client from X-Forwarded-For only when told it sits behind a proxy', async () => {
    const viaProxy = async (app: typeof f.app, client: string) =>
      (
        await app.request(
          '/login',
          {
            method: 'POST',
            body: form({ account: f.owner, password: 'password guess' }),
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `203.0.113.9, ${client}` },
          },
          from('127.0.0.1'),
        )
      ).status;
    const proxied = createConsoleApp({
      country: 'DE',
      store: f.store,
      desk: f.desk,
      audit: f.audit,
      clock: { now: () => f.clock.now },
      passwordLimits: TEST_PASSWORD_LIMITS,
      trustProxy: true,
    });
    for (let i = 0; i < 5; i++) expect(await viaProxy(proxied, '198.51.100.7')).toBe(401);
    expect(await viaProxy(proxied, '198.51.100.7')).toBe(429);
    expect(await viaProxy(proxied, '198.51.100.8')).toBe(401);
    // Without trustProxy the header is ignored: every client is the proxy's address.
    expect(kinds(f, 'auth.throttled')[0]).toMatchObject({ peer: 'console/198.51.100.7' });
    for (let i = 0; i < 5; i++) await viaProxy(f.app, `198.51.100.${20 + i}`);
    expect(await loginFrom('127.0.0.1', f.owner, PASSWORD)).toBe(429);
  });
});
