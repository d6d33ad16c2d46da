/**
 * Replay windows are kept per key id (issue 10, attack 4): each signer's nonces live in its own window
 * with its own cap, so a member that floods its window is refused on its own and can neither evict nor
 * block another member's entries.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from '#crypto';
import { errorCodeOf } from './errors.ts';
import { ReplayGuard } from './replay.ts';

const WINDOW = 1000;
const code = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return errorCodeOf(e);
  }
};

describe('replay guard', () => {
  it('accepts a (key id, nonce) once inside the window and refuses stale or future timestamps', () => {
    let now = 10_000;
    const g = new ReplayGuard({ windowMs: WINDOW, clock: () => now });
    const n = randomBytes(16);
    expect(code(() => g.check('node:FR', now, n))).toBe('ok');
    expect(code(() => g.check('node:FR', now, n))).toBe('replay');
    expect(code(() => g.check('node:DE', now, n))).toBe('ok');
    expect(code(() => g.check('node:FR', now - WINDOW - 1, randomBytes(16)))).toBe('replay');
    expect(code(() => g.check('node:FR', now + WINDOW + 1, randomBytes(16)))).toBe('replay');
    now += 2 * WINDOW + 1;
    g.sweep();
    expect(g.size).toBe(0);
  });

  it('a member filling its own window is refused on its own: no other member is blocked, and none of its entries is evicted', () => {
    const now = 10_000;
    const g = new ReplayGuard({ windowMs: WINDOW, maxPerKey: 3, clock: () => now });
    const victim = randomBytes(16);
    expect(code(() => g.check('node:DE', now, victim))).toBe('ok');
    const flood = Array.from({ length: 3 }, () => randomBytes(16));
    for (const n of flood) expect(code(() => g.check('node:IT', now, n))).toBe('ok');
    // IT's window is full (nothing in it has expired): IT alone is refused.
    expect(code(() => g.check('node:IT', now, randomBytes(16)))).toBe('rate_limited');
    expect(code(() => g.check('node:IT', now, flood[0] as Uint8Array))).toBe('replay');
    // DE is still served, and its nonce is still remembered (a replay of it is still refused).
    expect(code(() => g.check('node:DE', now, randomBytes(16)))).toBe('ok');
    expect(code(() => g.check('node:DE', now, victim))).toBe('replay');
  });

  it('frees a full window as its entries expire', () => {
    let now = 10_000;
    const g = new ReplayGuard({ windowMs: WINDOW, maxPerKey: 2, clock: () => now });
    g.check('node:IT', now, randomBytes(16));
    g.check('node:IT', now, randomBytes(16));
    expect(code(() => g.check('node:IT', now, randomBytes(16)))).toBe('rate_limited');
    now += WINDOW + 1;
    const fresh = randomBytes(16);
    expect(code(() => g.check('node:IT', now, fresh))).toBe('ok');
    expect(g.size).toBe(1);
    expect(code(() => g.check('node:IT', now, fresh))).toBe('replay');
  });

  it('bounds the number of key ids it keeps windows for (each window its own cap)', () => {
    const now = 10_000;
    const g = new ReplayGuard({ windowMs: WINDOW, maxPerKey: 2, maxKeys: 2, clock: () => now });
    expect(code(() => g.check('analyst:a', now, randomBytes(16)))).toBe('ok');
    expect(code(() => g.check('analyst:b', now, randomBytes(16)))).toBe('ok');
    expect(code(() => g.check('analyst:c', now, randomBytes(16)))).toBe('rate_limited');
    // Known keys keep their windows.
    expect(code(() => g.check('analyst:a', now, randomBytes(16)))).toBe('ok');
  });
});
