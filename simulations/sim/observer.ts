/**
 * Every message a simulated link carries is reported here once it has been handled: who sent it to
 * whom, its bytes, when it left, arrived, started being handled and was done, and what was in it
 * (`inspect.ts`). Metrics, the leakage ledger and the curious adversaries all read this one stream.
 */
import type { Channel, Inspected } from './inspect.ts';

export interface WireEvent {
  readonly channel: Channel;
  /** Party names: `coordinator`, `node:FR`, `analyst:FR/a1`. */
  readonly from: string;
  readonly to: string;
  readonly bytes: number;
  readonly sentAt: number;
  readonly arrivedAt: number;
  /** When the recipient started on it (after waiting behind its earlier work) and finished. */
  readonly startedAt: number;
  readonly doneAt: number;
  readonly x: Inspected;
}

export interface Observer {
  message(e: WireEvent): void;
  /** Bytes sent over a cut link (lost with the connection). */
  dropped(e: { channel: Channel; from: string; to: string; bytes: number; at: number }): void;
}

/** Several observers as one. */
export function tee(observers: readonly Observer[]): Observer {
  return {
    message: (e) => {
      for (const o of observers) o.message(e);
    },
    dropped: (e) => {
      for (const o of observers) o.dropped(e);
    },
  };
}
