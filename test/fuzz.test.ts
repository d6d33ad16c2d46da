/**
 * Fuzzing in the test suite: 300 seeded structure-aware inputs (the suite must stay within minutes on two
 * cores; `npm run fuzz -- --frames 10000 --seed 20261207` is the longer run, docs/security.md) across every entry of a real
 * network in this process — the coordinator's websocket before and after authentication, the gateway's
 * HTTP API, the owner console, import files (bench/fuzz/run.ts; `npm run fuzz` runs more). Every input
 * is answered with a typed error, accepted or dropped within a second; nothing crashes; the network still
 * answers an honest query afterwards.
 */
import { expect, it } from 'vitest';
import { runFuzz } from '../bench/fuzz/run.ts';

it('300 seeded fuzz inputs: no crash, no hang, no untyped error, still serving', { timeout: 900_000 }, async () => {
  const r = await runFuzz({ frames: 300, seed: 20261207 });
  expect({ crashes: r.crashes, hangs: r.hangs, untyped: r.untyped, aliveAfter: r.aliveAfter }).toEqual({ crashes: 0, hangs: 0, untyped: 0, aliveAfter: true });
  // Every entry was reached, and most inputs were refused with a typed code.
  expect(Object.keys(r.byEntry).sort()).toEqual(['console-http', 'gateway-http', 'import-file', 'ws-post-auth', 'ws-pre-auth']);
  expect((r.byCode.bad_schema ?? 0) + (r.byCode.bad_msgpack ?? 0)).toBeGreaterThan(75);
  expect(r.frames).toBe(300);
});
