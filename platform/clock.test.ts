import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { IdempotentRequests } from './idempotency.ts';

describe('ManualClock', () => {
  it('fires timers in due order only when advanced past them, intervals repeatedly', () => {
    const c = new ManualClock(1000);
    const fired: string[] = [];
    c.setTimeout(() => fired.push(`b@${c.now()}`), 20);
    c.setTimeout(() => fired.push(`a@${c.now()}`), 10);
    const every = c.setInterval(() => fired.push(`i@${c.now()}`), 15);
    const never = c.setTimeout(() => fired.push('cleared'), 5);
    c.clear(never);
    c.advance(9);
    expect(fired).toEqual([]);
    c.advance(21);
    expect(fired).toEqual(['a@1010', 'i@1015', 'b@1020', 'i@1030']);
    c.clear(every);
    c.advance(100);
    expect(fired).toHaveLength(4);
    expect(c.now()).toBe(1130);
    expect(c.pending).toBe(0);
  });
});

describe('IdempotentRequests', () => {
  const digest = (n: number) => new Uint8Array([n]);

  it('runs once per (principal, id); a repeat joins or returns the outcome; other content is a conflict', async () => {
    const clock = new ManualClock();
    const r = new IdempotentRequests<number>({ clock, retainMs: 1000, maxEntries: 10 });
    let runs = 0;
    const fn = async () => ++runs;
    const [a, b] = await Promise.all([r.run('FR', 'q1', digest(1), fn), r.run('FR', 'q1', digest(1), fn)]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
    expect(await r.run('FR', 'q1', digest(1), fn)).toBe(1);
    await expect(r.run('FR', 'q1', digest(2), fn)).rejects.toMatchObject({ code: 'conflict' });
    // another principal with the same id is another request
    expect(await r.run('DE', 'q1', digest(2), fn)).toBe(2);
    clock.advance(1001);
    expect(await r.run('FR', 'q1', digest(2), fn)).toBe(3);
  });

  it('forgets failures and keeps at most maxEntries outcomes', async () => {
    const clock = new ManualClock();
    const r = new IdempotentRequests<string>({ clock, retainMs: 60_000, maxEntries: 3 });
    await expect(r.run('FR', 'x', undefined, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await r.run('FR', 'x', undefined, async () => 'ok')).toBe('ok');
    for (let i = 0; i < 10; i++) await r.run('FR', `id${i}`, undefined, async () => `v${i}`);
    expect(r.size).toBe(3);
    expect(r.recent('FR', 'id9')).toBe('v9');
    expect(r.recent('FR', 'id0')).toBeUndefined();
  });

  it('forgets outcomes past the window as new ones complete, long before its caps', async () => {
    const clock = new ManualClock();
    const r = new IdempotentRequests<string>({ clock, retainMs: 1000, maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, sizeOf: () => 100 });
    // A steady 10 requests per second for a minute: only the last second's are kept.
    for (let i = 0; i < 600; i++) {
      await r.run('FR', `id${i}`, undefined, async () => `v${i}`);
      clock.advance(100);
    }
    expect(r.size).toBeLessThanOrEqual(11);
    expect(r.recent('FR', 'id599')).toBe('v599');
  });
});
