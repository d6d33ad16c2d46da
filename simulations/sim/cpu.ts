/**
 * A party as a single server: each message it handles keeps it busy for the message's modelled cost
 * (`costs.ts`), messages wait while it is busy, and the handler runs when the work is done — so what
 * the party sends leaves at that time, and its queueing delay shows in the latencies.
 */
import type { Scheduler } from './scheduler.ts';

export class Cpu {
  #busyUntil = 0;
  #busyMs = 0;

  constructor(
    readonly name: string,
    private readonly sched: Scheduler,
  ) {}

  /** Do `ms` of work after what is already queued, then run `fn`. Returns when it starts and ends. */
  run(ms: number, fn: () => void): { start: number; done: number } {
    const start = Math.max(this.sched.now, this.#busyUntil);
    const done = start + Math.max(0, ms);
    this.#busyUntil = done;
    this.#busyMs += Math.max(0, ms);
    this.sched.at(done, this.name, fn);
    return { start, done };
  }

  /** Modelled busy time so far. */
  get busyMs(): number {
    return this.#busyMs;
  }

  /** Drop queued work's claim on the future (the party crashed): it starts idle when it comes back. */
  reset(): void {
    this.#busyUntil = this.sched.now;
  }
}
