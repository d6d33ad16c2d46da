/**
 * Sends the outbox to the coordinator one signed chunk at a time, in sequence, and deletes a chunk only
 * when the coordinator has acknowledged it (the coordinator treats a repeated sequence number as a
 * retransmission). When the final chunk of a pending epoch is acknowledged, that epoch becomes active.
 * The outbox is polled, so chunks written by another process (`veil node import`) leave within a second.
 */
import { decode, signEnvelope, LIMITS, type PublishChunk, keyId } from '#protocol';
import type { AuditLog, Logger } from '#platform';
import type { NodeRepositories, OutboxRow } from './store/repositories.ts';
import type { NodeKeys } from './config.ts';
import type { CoordinatorLink } from './link.ts';

type Pair = [Uint8Array, Uint8Array];

export class Publisher {
  #inFlight: OutboxRow | undefined;
  #resend: NodeJS.Timeout | undefined;
  readonly #poll: NodeJS.Timeout;

  constructor(
    readonly country: string,
    readonly store: NodeRepositories,
    readonly keys: NodeKeys,
    readonly link: CoordinatorLink,
    readonly audit: AuditLog,
    readonly log: Logger,
    readonly onEpochActivated: (epoch: number) => void,
    pollMs = 500,
  ) {
    this.#poll = setInterval(() => this.kick(), pollMs);
    this.#poll.unref();
  }

  /** Call after (re)connecting: anything in flight on the old connection is resent. */
  reset(): void {
    clearTimeout(this.#resend);
    this.#inFlight = undefined;
    this.kick();
  }

  pending(): number {
    return this.store.records.outboxCount();
  }

  kick(): void {
    if (this.#inFlight || !this.link.ready) return;
    const row = this.store.records.outboxFirst();
    if (!row) return;
    const chunk: PublishChunk = {
      t: 'publish',
      country: this.country,
      epoch: row.epoch,
      seq: row.seq,
      ts: Date.now(),
      adds: decode(row.adds, LIMITS.maxPayloadBytes) as Pair[],
      removes: decode(row.removes, LIMITS.maxPayloadBytes) as Pair[],
      final: row.final,
    };
    if (!this.link.trySend({ t: 'publish', env: signEnvelope(this.keys.signing, keyId.node(this.country), chunk) })) return;
    this.#inFlight = row;
    this.#resend = setTimeout(() => this.reset(), 10_000);
  }

  onAck(epoch: number, seq: number): void {
    const row = this.#inFlight;
    if (!row || row.seq !== seq || row.epoch !== epoch) return;
    clearTimeout(this.#resend);
    this.#inFlight = undefined;
    let activated = false;
    this.store.tx(() => {
      this.store.records.outboxDelete(seq);
      if (row.final && this.store.records.epochs().some((e) => e.epoch === epoch && e.state === 'pending')) {
        this.store.records.activateEpoch(epoch);
        this.audit.append({ kind: 'publish.epoch', epoch, status: 'active' });
        activated = true;
      }
    });
    this.log.debug('chunk acknowledged', { epoch, seq });
    if (activated) {
      this.log.info('new OPRF epoch active', { epoch });
      this.onEpochActivated(epoch);
    }
    this.kick();
  }

  close(): void {
    clearInterval(this.#poll);
    clearTimeout(this.#resend);
  }
}
