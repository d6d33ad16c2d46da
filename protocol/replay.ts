/**
 * Replay protection for signed messages: a timestamp window plus, per signer (key id), a memory of the
 * nonces it used inside that window.
 *
 * A message older or newer than the window is rejected outright; inside the window its (key id, nonce)
 * may be accepted once. Memory is bounded by the window (nonces older than it are forgotten because the
 * timestamp check alone rejects them) and by caps: each key id has its own window of at most
 * `maxPerKey` nonces, and at most `maxKeys` key ids are tracked. A signer whose window is full is
 * refused (`rate_limited`) until its own entries expire; nothing it sends can evict or block another
 * signer's entries. Callers check a key id only after its signature verified, so every window belongs
 * to an authenticated principal. Idempotency (the same request id answered twice with the same result)
 * is a separate, per-flow concern handled by the party that owns the result.
 */
import { toHex } from '#crypto';
import { VeilError } from './errors.ts';
import { LIMITS } from './limits.ts';

/** Nonces one signer may have inside the window (≈ 800/s sustained for a 5-minute window). */
export const REPLAY_MAX_PER_KEY = 250_000;
/** Signers tracked at once. */
export const REPLAY_MAX_KEYS = 100_000;

export class ReplayGuard {
  /** Per key id: nonce (hex) → timestamp. */
  readonly #windows = new Map<string, Map<string, number>>();
  readonly #windowMs: number;
  readonly #maxPerKey: number;
  readonly #maxKeys: number;
  readonly #clock: () => number;
  #size = 0;

  constructor(opts: { windowMs?: number; maxPerKey?: number; maxKeys?: number; clock?: () => number } = {}) {
    this.#windowMs = opts.windowMs ?? LIMITS.replayWindowMs;
    this.#maxPerKey = opts.maxPerKey ?? REPLAY_MAX_PER_KEY;
    this.#maxKeys = opts.maxKeys ?? REPLAY_MAX_KEYS;
    this.#clock = opts.clock ?? Date.now;
  }

  /** Nonces remembered, all signers together. */
  get size(): number {
    return this.#size;
  }

  /** Throws VeilError('replay') for a stale, future or repeated message, 'rate_limited' when the signer's window is full; records it otherwise. */
  check(keyId: string, ts: number, nonce: Uint8Array): void {
    const now = this.#clock();
    if (Math.abs(now - ts) > this.#windowMs) throw new VeilError('replay', 'timestamp outside window');
    const n = toHex(nonce);
    let w = this.#windows.get(keyId);
    if (w?.has(n)) throw new VeilError('replay', 'nonce seen');
    if (!w) {
      if (this.#windows.size >= this.#maxKeys) this.sweep();
      if (this.#windows.size >= this.#maxKeys) throw new VeilError('rate_limited', 'replay cache full');
      w = new Map();
      this.#windows.set(keyId, w);
    }
    if (w.size >= this.#maxPerKey) this.#sweepWindow(w, now);
    if (w.size >= this.#maxPerKey) throw new VeilError('rate_limited', 'replay window of this signer full');
    w.set(n, ts);
    this.#size++;
  }

  #sweepWindow(w: Map<string, number>, now: number): void {
    for (const [k, t] of w) {
      if (Math.abs(now - t) > this.#windowMs) {
        w.delete(k);
        this.#size--;
      }
    }
  }

  /** Periodic cleanup of every window (empty ones are dropped); cheap to call from a timer. */
  sweep(): void {
    const now = this.#clock();
    for (const [keyId, w] of this.#windows) {
      this.#sweepWindow(w, now);
      if (w.size === 0) this.#windows.delete(keyId);
    }
  }
}
