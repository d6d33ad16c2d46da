/**
 * Sends the outbox to the coordinator one signed chunk at a time, in sequence, and deletes a chunk only
 * when the coordinator has acknowledged it (the coordinator treats a repeated sequence number as a
 * retransmission). When the final chunk of a pending epoch is acknowledged, that epoch becomes active.
 * The outbox is polled, so chunks written by another process (`veil node import`) leave within a second.
 * Each chunk travels with the node's signed commitment to the index after it; the sequence of the last
 * acknowledged chunk is what the node's answers promise the analyst (`EvalResult.indexSeq`).
 */

import type { AuditLog, Clock, Logger, TimerHandle } from '#platform';
import { decode, type IndexCommitment, keyId, LIMITS, type PublishChunk, signEnvelope } from '#protocol';
import type { NodeKeys } from './config.ts';
import type { FrameSender } from './link.ts';
import type { NodeRepositories, OutboxRow } from './store/repositories.ts';

type Pair = [Uint8Array, Uint8Array];

const RESEND_AFTER_MS = 10_000;

export interface PublisherDeps {
  country: string;
  store: NodeRepositories;
  keys: NodeKeys;
  link: FrameSender;
  audit: AuditLog;
  log: Logger;
  clock: Clock;
  /** Called after a pending epoch became active (its final chunk was acknowledged). */
  onEpochActivated(epoch: number): void;
  pollMs?: number;
}

const indexSeqKey = (epoch: number) => `index_seq:${epoch}`;

/** The sequence of the last chunk of `epoch` the coordinator acknowledged (0: none yet). */
export function acknowledgedIndexSeq(store: NodeRepositories, epoch: number): number {
  return Number(store.meta.get(indexSeqKey(epoch)) ?? '0');
}

export class Publisher implements Disposable {
  readonly #d: PublisherDeps;
  #inFlight: OutboxRow | undefined;
  #resend: TimerHandle | undefined;
  readonly #poll: TimerHandle;

  constructor(deps: PublisherDeps) {
    this.#d = deps;
    this.#poll = deps.clock.setInterval(() => this.kick(), deps.pollMs ?? 500);
  }

  /** Call after (re)connecting: anything in flight on the old connection is resent. */
  reset(): void {
    this.#d.clock.clear(this.#resend);
    this.#inFlight = undefined;
    this.kick();
  }

  pending(): number {
    return this.#d.store.records.outboxCount();
  }

  kick(): void {
    const { store, link, keys, country, clock } = this.#d;
    if (this.#inFlight || !link.ready) return;
    const row = store.records.outboxFirst();
    if (!row) return;
    const chunk: PublishChunk = {
      t: 'publish',
      country,
      epoch: row.epoch,
      seq: row.seq,
      ts: clock.now(),
      adds: decode(row.adds, LIMITS.maxPayloadBytes) as Pair[],
      removes: decode(row.removes, LIMITS.maxPayloadBytes) as Pair[],
      final: row.final,
    };
    const commit: IndexCommitment = { t: 'index-commit', country, epoch: row.epoch, seq: row.seq, root: row.root, count: row.entries, ts: clock.now() };
    const kid = keyId.node(country);
    if (!link.trySend({ t: 'publish', env: signEnvelope(keys.signing, kid, chunk), commit: signEnvelope(keys.signing, kid, commit) })) return;
    this.#inFlight = row;
    this.#resend = clock.setTimeout(() => this.reset(), RESEND_AFTER_MS);
  }

  onAck(epoch: number, seq: number): void {
    const { store, audit, log, clock } = this.#d;
    const row = this.#inFlight;
    if (!row || row.seq !== seq || row.epoch !== epoch) return;
    clock.clear(this.#resend);
    this.#inFlight = undefined;
    let activated = false;
    store.tx(() => {
      store.records.outboxDelete(seq);
      store.meta.set(indexSeqKey(epoch), String(seq));
      if (row.final && store.records.epochs().some((e) => e.epoch === epoch && e.state === 'pending')) {
        store.records.activateEpoch(epoch);
        audit.append({ kind: 'publish.epoch', epoch, status: 'active' });
        activated = true;
      }
    });
    log.debug('chunk acknowledged', { epoch, seq });
    if (activated) {
      log.info('new OPRF epoch active', { epoch });
      this.#d.onEpochActivated(epoch);
    }
    this.kick();
  }

  close(): void {
    this.#d.clock.clear(this.#poll);
    this.#d.clock.clear(this.#resend);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
