/**
 * Simulated links between parties: each direction is a FIFO pipe with a one-way latency (a base plus
 * seeded jitter), a bandwidth (a message occupies the sender's side for size / bandwidth), and loss,
 * modelled as TCP would show it to the application — a lost segment is retransmitted after a timeout,
 * so loss adds delay and head-of-line blocking, never reordering or silent gaps. A link can be cut
 * (partition, a party down): bytes sent over a cut link, or arriving while it is cut, are dropped, and
 * the connection above it notices only as the real code does (heartbeats, timeouts).
 */
import type { SimRng } from './rng.ts';
import type { Scheduler } from './scheduler.ts';

export interface LinkSpec {
  /** Mean one-way latency, ms. */
  readonly latencyMs: number;
  /** Standard deviation of the latency (normal, truncated at 0), ms. */
  readonly jitterMs: number;
  /** Bandwidth in each direction, Mbit/s. */
  readonly bandwidthMbps: number;
  /** Probability that a message needs a retransmission. */
  readonly loss: number;
}

/** Retransmission timeout of a lost message (TCP's minimum RTO is 200 ms) plus one round trip. */
const RTO_MS = 200;

/** One direction of a link. */
export class Pipe {
  #txFree = 0;
  #lastArrival = 0;

  constructor(
    readonly from: string,
    readonly to: string,
    readonly spec: LinkSpec,
    private readonly rng: SimRng,
  ) {}

  /** When `bytes` sent at `now` arrive (FIFO after everything sent before). */
  arrival(now: number, bytes: number): number {
    const s = this.spec;
    const start = Math.max(now, this.#txFree);
    this.#txFree = start + (bytes * 8) / (s.bandwidthMbps * 1000);
    let t = this.#txFree + Math.max(0, s.latencyMs + (s.jitterMs > 0 ? this.rng.normal() * s.jitterMs : 0));
    while (this.rng.chance(s.loss)) t += RTO_MS + 2 * s.latencyMs;
    this.#lastArrival = Math.max(this.#lastArrival, t);
    return this.#lastArrival;
  }
}

/** Which links are cut now: partitions between groups, and parties that are down. */
export class Cuts {
  readonly #cut = new Map<string, number>();

  static key(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  cut(a: string, b: string): void {
    const k = Cuts.key(a, b);
    this.#cut.set(k, (this.#cut.get(k) ?? 0) + 1);
  }

  heal(a: string, b: string): void {
    const k = Cuts.key(a, b);
    const n = (this.#cut.get(k) ?? 0) - 1;
    if (n <= 0) this.#cut.delete(k);
    else this.#cut.set(k, n);
  }

  up(a: string, b: string): boolean {
    return !this.#cut.has(Cuts.key(a, b));
  }
}

/** The simulated network: one pipe per direction between two parties, created on first use. */
export class SimNetwork {
  readonly cuts = new Cuts();
  readonly #pipes = new Map<string, Pipe>();

  constructor(
    readonly sched: Scheduler,
    private readonly rng: SimRng,
    private readonly specOf: (from: string, to: string) => LinkSpec,
  ) {}

  pipe(from: string, to: string): Pipe {
    const k = `${from}>${to}`;
    let p = this.#pipes.get(k);
    if (!p) {
      p = new Pipe(from, to, this.specOf(from, to), this.rng.child(`pipe:${k}`));
      this.#pipes.set(k, p);
    }
    return p;
  }

  /**
   * Send `bytes` bytes from `from` to `to`; `deliver` runs at arrival unless the link is cut at send
   * or at arrival time. Returns false when dropped at once.
   */
  send(from: string, to: string, bytes: number, owner: string, deliver: () => void, dropped?: () => void): boolean {
    if (!this.cuts.up(from, to)) {
      dropped?.();
      return false;
    }
    const at = this.pipe(from, to).arrival(this.sched.now, bytes);
    this.sched.at(at, owner, () => {
      if (this.cuts.up(from, to)) deliver();
      else dropped?.();
    });
    return true;
  }
}
