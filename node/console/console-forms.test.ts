/**
 * A body that is not a form (found by `npm run fuzz`): a broken multipart body posted to the login
 * used to fail inside the form parser and be answered 500 `internal`; it is a `bad_request` (400), and
 * nothing is logged in.
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { type Fixture, makeFixture } from './console.test-fixture.ts';

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

it('answers a broken multipart login form 400 bad_request, not 500', async () => {
  const r = await f.app.request('/login', {
    method: 'POST',
    body: 'account=owner-1&password=x',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
  });
  expect(r.status).toBe(400);
  expect(r.headers.get('set-cookie')).toBeNull();
});
