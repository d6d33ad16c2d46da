/**
 * Time as a dependency. Services take a `Clock` instead of calling `Date.now()` and the global timers,
 * so unit tests (and protocol simulations) drive time by hand: `ManualClock` fires timers only when
 * `advance()` passes them, in due order, deterministically.
 */

export interface TimerHandle {
  /** Keep the process alive for this timer? Real timers are unref'd by default. */
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clear(t: TimerHandle | undefined): void;
}

/** The process clock; its timers never keep the process alive on their own. */
export function systemClock(): Clock {
  const live = new Map<number, NodeJS.Timeout>();
  let next = 1;
  const track = (t: NodeJS.Timeout): TimerHandle => {
    t.unref();
    const id = next++;
    live.set(id, t);
    return { id };
  };
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const h = track(
        setTimeout(() => {
          live.delete(h.id);
          fn();
        }, ms),
      );
      return h;
    },
    setInterval: (fn, ms) => track(setInterval(fn, ms)),
    clear(h) {
      if (!h) return;
      const t = live.get(h.id);
      if (t === undefined) return;
      clearTimeout(t);
      live.delete(h.id);
    },
  };
}

interface Scheduled {
  id: number;
  at: number;
  every: number | undefined;
  fn: () => void;
}

/** A clock that moves only when told to: for unit tests and simulations. */
export class ManualClock implements Clock {
  #now: number;
  #next = 1;
  readonly #timers = new Map<number, Scheduled>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.#add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.#add(fn, ms, Math.max(1, ms));
  }

  clear(h: TimerHandle | undefined): void {
    if (h) this.#timers.delete(h.id);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Move time forward by `ms`, firing every timer due on the way in time order (ties by creation). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      let due: Scheduled | undefined;
      for (const t of this.#timers.values()) {
        if (t.at <= until && (!due || t.at < due.at || (t.at === due.at && t.id < due.id))) due = t;
      }
      if (!due) break;
      this.#now = Math.max(this.#now, due.at);
      if (due.every === undefined) this.#timers.delete(due.id);
      else due.at += due.every;
      due.fn();
    }
    this.#now = until;
  }

  #add(fn: () => void, ms: number, every: number | undefined): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), every, fn });
    return { id };
  }
}
