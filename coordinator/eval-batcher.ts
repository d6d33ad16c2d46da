/**
 * Per-node micro-batching of evaluation requests. Query envelopes queued for a node leave in one `eval`
 * frame per event-loop turn, so under load many queries share a frame; a node's queue that reaches the
 * batch limit leaves at once.
 *
 * Most nodes are asked the same queries, so each distinct batch is built into a frame once per flush
 * and the same bytes are written to every socket that needs them. Envelopes arrive already encoded
 * (once per query for all its targets) and are spliced into the frame without re-encoding.
 */
import { encodeWithEncodedArray, LIMITS } from '#protocol';
import type { MemberSocket } from './transport.ts';

export interface EvalBatcher {
  /** Queue one encoded query envelope for the node behind `socket`. */
  enqueue(socket: MemberSocket, encodedEnvelope: Uint8Array): void;
}

export function createEvalBatcher(deps: { nextTurn: (fn: () => void) => void }): EvalBatcher {
  const queues = new Map<MemberSocket, Uint8Array[]>();
  /** Identity of each encoded envelope, so identical batches share one frame. */
  const envIds = new WeakMap<Uint8Array, number>();
  let nextEnvId = 0;
  let scheduled = false;

  const flush = (socket: MemberSocket, queue: Uint8Array[], frames: Map<string, Uint8Array>): void => {
    while (queue.length > 0) {
      const batch = queue.splice(0, LIMITS.maxBatchQueries);
      const key = batch.map((e) => envIds.get(e)).join(',');
      let frame = frames.get(key);
      if (!frame) {
        frame = encodeWithEncodedArray({ t: 'eval' }, 'batch', batch);
        frames.set(key, frame);
      }
      if (socket.open) socket.send(frame);
    }
  };

  /** One flush round per event-loop turn: every node gets one frame with the queries queued for it. */
  const flushAll = (): void => {
    scheduled = false;
    const frames = new Map<string, Uint8Array>();
    for (const [socket, queue] of queues) flush(socket, queue, frames);
    queues.clear();
  };

  return {
    enqueue(socket, env) {
      if (!envIds.has(env)) envIds.set(env, nextEnvId++);
      let queue = queues.get(socket);
      if (!queue) {
        queue = [];
        queues.set(socket, queue);
      }
      queue.push(env);
      if (queue.length >= LIMITS.maxBatchQueries) {
        flush(socket, queue, new Map());
        queues.delete(socket);
        return;
      }
      if (!scheduled) {
        scheduled = true;
        deps.nextTurn(flushAll);
      }
    },
  };
}
