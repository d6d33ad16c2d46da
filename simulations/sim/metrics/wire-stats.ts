/**
 * Traffic metrics from the wire stream: bytes and messages sent and received per party (and per kind
 * of message), dropped bytes, and per hop the time on the link and the time at the recipient (waiting
 * behind earlier work plus the modelled work itself). A hop is a direction and a message kind, e.g.
 * `coord>node eval` (the fan-out to a target) or `gw>analyst RESPONSE POST /v1/query`.
 */
import type { Channel } from '../inspect.ts';
import type { Observer, WireEvent } from '../observer.ts';
import { Counter, round, type Summary, sortedObject, summarize } from './stats.ts';

/** What a party name is for the per-party tables: `coordinator`, `node:FR`, `analyst:FR/a1` → role `analyst`. */
export const roleOf = (party: string): string => (party === 'coordinator' ? 'coordinator' : (party.split(':')[0] ?? party));

export class WireStats implements Observer {
  readonly sent = new Counter();
  readonly received = new Counter();
  readonly messages = new Counter();
  readonly bytesByKind = new Counter();
  readonly droppedBytes = new Counter();
  readonly #transit = new Map<string, number[]>();
  readonly #handling = new Map<string, number[]>();
  /** Bytes per party in virtual-time bins (for the throughput chart). */
  readonly #since: number;

  constructor(since: number) {
    this.#since = since;
  }

  message(e: WireEvent): void {
    this.sent.add(e.from, e.bytes);
    this.received.add(e.to, e.bytes);
    const hop = `${e.channel} ${e.x.kind}`;
    this.messages.add(hop);
    this.bytesByKind.add(hop, e.bytes);
    if (e.sentAt < this.#since) return;
    push(this.#transit, hop, e.arrivedAt - e.sentAt);
    push(this.#handling, hop, e.doneAt - e.arrivedAt);
  }

  dropped(e: { channel: Channel; from: string; to: string; bytes: number }): void {
    this.droppedBytes.add(`${e.channel} ${e.from}>${e.to}`, e.bytes);
  }

  /** Per hop: transit and handling time summaries (ms), for messages sent after the warm-up. */
  hops(): Record<string, { messages: number; bytes: number; transitMs: Summary; handlingMs: Summary }> {
    const out: Array<[string, { messages: number; bytes: number; transitMs: Summary; handlingMs: Summary }]> = [];
    for (const [hop, t] of this.#transit) {
      out.push([
        hop,
        { messages: this.messages.get(hop), bytes: this.bytesByKind.get(hop), transitMs: summarize(t), handlingMs: summarize(this.#handling.get(hop) ?? []) },
      ]);
    }
    return sortedObject(out);
  }

  /** Bytes per party (sent, received), grouped by role when there are many parties. */
  parties(): Record<string, { sent: number; received: number }> {
    const names = new Set([...Object.keys(this.sent.toObject()), ...Object.keys(this.received.toObject())]);
    return sortedObject([...names].map((n) => [n, { sent: this.sent.get(n), received: this.received.get(n) }] as const));
  }

  /** Totals per role: coordinator, node, analyst (mean per party of the role as well). */
  roles(): Record<string, { parties: number; sent: number; received: number; meanSent: number; meanReceived: number }> {
    const acc = new Map<string, { parties: number; sent: number; received: number }>();
    for (const [n, v] of Object.entries(this.parties())) {
      const r = roleOf(n);
      const a = acc.get(r) ?? { parties: 0, sent: 0, received: 0 };
      a.parties++;
      a.sent += v.sent;
      a.received += v.received;
      acc.set(r, a);
    }
    return sortedObject(
      [...acc].map(([r, a]) => [r, { ...a, meanSent: round(a.sent / a.parties, 0), meanReceived: round(a.received / a.parties, 0) }] as const),
    );
  }
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
