/**
 * Graceful shutdown: what a process still has in flight, and waiting for it with a deadline.
 *
 * Work that must finish before the process stops (an HTTP request, a query waiting for its answers, a
 * biometric search) holds a unit of the `Drain` while it runs. On SIGTERM the process calls `start()`:
 * from then on it is draining — `/readyz` answers 503, new work is refused with `unavailable` — and
 * `idle(deadlineMs)` resolves once every held unit is released, or when the deadline passes (false),
 * whereupon the process closes what is left and exits anyway.
 *
 * The deadline comes from the process's configuration (`shutdownGraceMs`), overridden by the
 * environment variable `VEIL_SHUTDOWN_GRACE_MS` (`shutdownGraceMs`).
 */
import { VeilError } from '#protocol';
import type { Clock } from './clock.ts';

export class Drain {
  readonly #clock: Pick<Clock, 'setTimeout' | 'clear'>;
  #draining = false;
  #inFlight = 0;
  readonly #idle = new Set<() => void>();

  constructor(deps: { clock: Pick<Clock, 'setTimeout' | 'clear'> }) {
    this.#clock = deps.clock;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Units of work held now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Hold one unit of work until the returned release is called (once; later calls do nothing). */
  hold(): () => void {
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      if (this.#inFlight === 0) for (const w of [...this.#idle]) w();
    };
  }

  /** Hold a unit while `p` runs. */
  async track<T>(p: Promise<T>): Promise<T> {
    const release = this.hold();
    try {
      return await p;
    } finally {
      release();
    }
  }

  /** Refuse new work from now on. */
  start(): void {
    this.#draining = true;
  }

  /** Throws `unavailable` when draining: for new work arriving after `start()`. */
  admit(what: string): void {
    if (this.#draining) throw new VeilError('unavailable', `${what}: shutting down`);
  }

  /** Resolves true once nothing is held, false if `deadlineMs` passes first. */
  idle(deadlineMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        this.#idle.delete(onIdle);
        this.#clock.clear(timer);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = this.#clock.setTimeout(() => done(false), deadlineMs);
      this.#idle.add(onIdle);
    });
  }
}

/** The shutdown deadline: `VEIL_SHUTDOWN_GRACE_MS` when set (a non-negative integer), else `configured`. */
export function shutdownGraceMs(configured: number, env: NodeJS.ProcessEnv = process.env): number {
  const v = env.VEIL_SHUTDOWN_GRACE_MS;
  if (v === undefined || v === '') return configured;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0 || n > 3_600_000)
    throw new VeilError('bad_config', `VEIL_SHUTDOWN_GRACE_MS=${v} is not a number of milliseconds (0..3600000)`);
  return n;
}
