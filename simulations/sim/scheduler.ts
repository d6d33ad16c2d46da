/**
 * Virtual time for a simulation: one event queue ordered by (time, order of scheduling), and a `Clock`
 * per party that the real services take as their clock. Time moves only when everything due now has
 * run and every Promise continuation it started has settled (`drain`), so a party's async steps
 * complete "instantly" in virtual time and the order of events is the same on every run.
 *
 * Services run in this process and use no I/O that is not synchronous (SQLite) or simulated (links),
 * so one macrotask boundary lets every continuation run: the scheduler waits for one `setImmediate`
 * before it advances the clock.
 */
import type { Clock, TimerHandle } from '#platform';

interface Event {
  at: number;
  seq: number;
  fn: () => void;
  /** Who runs (for the measured CPU per party). */
  owner: string;
  cancelled: boolean;
}

export interface PartyClock extends Clock {
  /** Cancel every timer of this clock and ignore new ones (the party crashed or stopped). */
  kill(): void;
}

export interface SchedulerStats {
  events: number;
  /** Real CPU milliseconds spent in each party's events (measured, not deterministic). */
  cpuMs: Map<string, number>;
}

export class Scheduler {
  #now: number;
  #seq = 0;
  readonly #heap: Event[] = [];
  #events = 0;
  readonly #cpu = new Map<string, number>();
  #failure: unknown;

  constructor(start: number) {
    this.#now = start;
  }

  /** Virtual time in ms (fractional: costs are sub-millisecond). */
  get now(): number {
    return this.#now;
  }

  /** Virtual time as a clock shows it: whole milliseconds, like `Date.now()`. */
  get nowMs(): number {
    return Math.floor(this.#now);
  }

  /** Run `fn` at virtual time `at` (not before now), after everything already scheduled for then. */
  at(at: number, owner: string, fn: () => void): { cancel(): void } {
    const e: Event = { at: Math.max(at, this.#now), seq: this.#seq++, fn, owner, cancelled: false };
    this.#push(e);
    return {
      cancel: () => {
        e.cancelled = true;
      },
    };
  }

  after(ms: number, owner: string, fn: () => void): { cancel(): void } {
    return this.at(this.#now + Math.max(0, ms), owner, fn);
  }

  /** A clock for one party: its timers are events owned by that party. */
  clock(owner: string): PartyClock {
    const timers = new Map<number, { cancel(): void }>();
    let next = 1;
    let dead = false;
    const arm = (id: number, ms: number, fn: () => void, every: number | undefined): void => {
      timers.set(
        id,
        this.after(ms, owner, () => {
          if (dead || !timers.has(id)) return;
          if (every === undefined) timers.delete(id);
          else arm(id, every, fn, every);
          fn();
        }),
      );
    };
    const add = (fn: () => void, ms: number, every: number | undefined): TimerHandle => {
      const id = next++;
      if (!dead) arm(id, ms, fn, every);
      return { id };
    };
    return {
      now: () => Math.floor(this.#now),
      setTimeout: (fn, ms) => add(fn, ms, undefined),
      setInterval: (fn, ms) => add(fn, ms, Math.max(1, ms)),
      clear: (h) => {
        if (!h) return;
        timers.get(h.id)?.cancel();
        timers.delete(h.id);
      },
      kill: () => {
        dead = true;
        for (const t of timers.values()) t.cancel();
        timers.clear();
      },
    };
  }

  /** An error thrown by an event: the run stops with it. */
  fail(e: unknown): void {
    this.#failure ??= e;
  }

  /**
   * Run events until the queue is empty, `until` is passed, or `stop()` says so (checked whenever time
   * is about to move). `onTime` is called when the clock moves (progress reporting).
   */
  async run(opts: { until?: number; stop?: () => boolean; onTime?: (now: number) => void } = {}): Promise<void> {
    const until = opts.until ?? Number.POSITIVE_INFINITY;
    let lastOwner = '';
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure;
      let e = this.#peek();
      if (!e || e.at > this.#now) {
        // Everything due now has run: let its continuations settle before the clock moves.
        const t0 = performance.now();
        await new Promise<void>((r) => setImmediate(r));
        this.#charge(lastOwner, performance.now() - t0);
        if (this.#failure !== undefined) throw this.#failure;
        e = this.#peek();
        if (!e) return;
        if (e.at > this.#now) {
          if (opts.stop?.() || e.at > until) return;
          this.#now = e.at;
          opts.onTime?.(this.#now);
        }
      }
      this.#pop();
      if (e.cancelled) continue;
      this.#events++;
      lastOwner = e.owner;
      const t0 = performance.now();
      try {
        e.fn();
      } catch (err) {
        this.fail(err);
      }
      this.#charge(e.owner, performance.now() - t0);
    }
  }

  stats(): SchedulerStats {
    return { events: this.#events, cpuMs: new Map(this.#cpu) };
  }

  #charge(owner: string, ms: number): void {
    if (owner) this.#cpu.set(owner, (this.#cpu.get(owner) ?? 0) + ms);
  }

  #less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #peek(): Event | undefined {
    return this.#heap[0];
  }

  #push(e: Event): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i] as Event, h[p] as Event)) break;
      [h[i], h[p]] = [h[p] as Event, h[i] as Event];
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l] as Event, h[m] as Event)) m = l;
      if (r < h.length && this.#less(h[r] as Event, h[m] as Event)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as Event, h[i] as Event];
      i = m;
    }
  }
}
