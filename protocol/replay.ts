/**
 * Replay protection for signed messages: a timestamp window plus a memory of nonces seen inside it.
 *
 * A message older or newer than the window is rejected outright; inside the window its (key id, nonce)
 * may be accepted once. Memory is bounded by the window: nonces older than it are forgotten because the
 * timestamp check alone rejects them. Idempotency (the same request id answered twice with the same
 * result) is a separate, per-flow concern handled by the party that owns the result.
 */
import { toHex } from '#crypto';
import { VeilError } from './errors.ts';
import { LIMITS } from './limits.ts';

export class ReplayGuard {
  readonly #seen = new Map<string, number>();
  readonly #windowMs: number;
  readonly #maxEntries: number;
  readonly #clock: () => number;

  constructor(opts: { windowMs?: number; maxEntries?: number; clock?: () => number } = {}) {
    this.#windowMs = opts.windowMs ?? LIMITS.replayWindowMs;
    this.#maxEntries = opts.maxEntries ?? 1_000_000;
    this.#clock = opts.clock ?? Date.now;
  }

  /** Throws VeilError('replay') for a stale, future or repeated message; records it otherwise. */
  check(keyId: string, ts: number, nonce: Uint8Array): void {
    const now = this.#clock();
    if (Math.abs(now - ts) > this.#windowMs) throw new VeilError('replay', 'timestamp outside window');
    const k = `${keyId}|${toHex(nonce)}`;
    if (this.#seen.has(k)) throw new VeilError('replay', 'nonce seen');
    if (this.#seen.size >= this.#maxEntries) this.#sweep(now);
    if (this.#seen.size >= this.#maxEntries) throw new VeilError('rate_limited', 'replay cache full');
    this.#seen.set(k, ts);
  }

  #sweep(now: number): void {
    for (const [k, t] of this.#seen) if (Math.abs(now - t) > this.#windowMs) this.#seen.delete(k);
  }

  /** Periodic cleanup; cheap to call from a timer. */
  sweep(): void {
    this.#sweep(this.#clock());
  }
}
