/**
 * Writing coordinator frames to a member socket, and reading back which request a rejected frame was
 * about (so the gateway can fail that request at once instead of waiting for its deadline).
 */
import { z } from 'zod';
import { type CoordinatorFrame, decode, encode, LIMITS } from '#protocol';
import type { MemberSocket } from './transport.ts';

export function sendFrame(socket: MemberSocket, frame: CoordinatorFrame): void {
  if (socket.open) socket.send(encode(frame));
}

const RefPeek = z.looseObject({ id: z.string().regex(/^[0-9a-f]{32}$/) });

/** Best effort: the request id inside a rejected query or lookup frame (its envelope's payload). */
export function refOf(data: Uint8Array): string | undefined {
  try {
    const f = decode(data, LIMITS.maxFrameBytes) as { t?: unknown; env?: { payload?: unknown } };
    if ((f.t !== 'query' && f.t !== 'lookup') || !(f.env?.payload instanceof Uint8Array)) return undefined;
    return refOfPayload(f.env.payload);
  } catch {
    return undefined;
  }
}

/** Best effort: the request id inside an envelope's payload, read without verifying or validating the rest. */
export function refOfPayload(payload: Uint8Array): string | undefined {
  try {
    const p = RefPeek.safeParse(decode(payload, LIMITS.maxPayloadBytes));
    return p.success ? p.data.id : undefined;
  } catch {
    return undefined;
  }
}

/** Refuse a request frame `rate_limited`, naming it when its id can be read. */
export function sendRateLimited(socket: MemberSocket, env: { payload: Uint8Array }, id?: string): void {
  const ref = id ?? refOfPayload(env.payload);
  sendFrame(socket, { t: 'error', code: 'rate_limited', ...(ref ? { ref } : {}) });
}
