/**
 * What a party sees in one message, decoded once: every value, with the path it sits at, and a few
 * counts. The leakage ledger classifies the values; the cost model reads the counts.
 *
 * Decoding goes as far as the recipient could go on its own: frames, signed envelopes and their
 * payloads, and the answer envelopes the coordinator relays as opaque bytes (a curious coordinator can
 * decode them: they are signed, not encrypted). Sealed boxes and HE ciphertexts stay bytes.
 */
import { decode, LIMITS } from '#protocol';

export type Channel = 'node>coord' | 'coord>node' | 'analyst>gw' | 'gw>analyst';

export interface Inspected {
  /** The frame's or request's kind: `query`, `eval`, `publish`, `POST /v1/query`, … */
  readonly kind: string;
  /** Leaf values by path (`fwd-query.items.blinded`): strings, numbers, booleans, bytes. */
  readonly leaves: ReadonlyArray<readonly [string, unknown]>;
  /** How often each path occurs (for the cost model). */
  count(path: string): number;
  /** Payload kinds met inside (`fwd-query`, `eval-result`, …), in order. */
  readonly payloads: readonly string[];
}

const isEnvelope = (v: unknown): v is { v: number; kid: string; payload: Uint8Array; sig: Uint8Array } =>
  typeof v === 'object' && v !== null && 'kid' in v && 'payload' in v && 'sig' in v && (v as { payload: unknown }).payload instanceof Uint8Array;

function tryDecode(bytes: Uint8Array): unknown {
  try {
    return decode(bytes, LIMITS.maxFrameBytes);
  } catch {
    return undefined;
  }
}

/** Fields holding a msgpack-encoded envelope as bytes. */
const ENVELOPE_BYTES = new Set(['env']);
class Walk {
  readonly leaves: Array<[string, unknown]> = [];
  readonly payloads: string[] = [];
  readonly #counts = new Map<string, number>();

  visit(path: string, v: unknown): void {
    if (v instanceof Uint8Array) {
      const last = path.slice(path.lastIndexOf('.') + 1);
      if (ENVELOPE_BYTES.has(last)) {
        const env = tryDecode(v);
        if (isEnvelope(env)) {
          this.envelope(path, env);
          return;
        }
      }
      this.leaf(path, v);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) this.visit(path, x);
      return;
    }
    if (v !== null && typeof v === 'object') {
      if (isEnvelope(v)) {
        this.envelope(path, v);
        return;
      }
      for (const [k, x] of Object.entries(v)) this.visit(path ? `${path}.${k}` : k, x);
      return;
    }
    this.leaf(path, v);
  }

  envelope(path: string, env: { kid: string; payload: Uint8Array }): void {
    this.leaf(path ? `${path}.kid` : 'kid', env.kid);
    const body = tryDecode(env.payload);
    const t = body !== null && typeof body === 'object' && 't' in body && typeof body.t === 'string' ? body.t : 'payload';
    this.payloads.push(t);
    this.visit(t, body);
  }

  leaf(path: string, v: unknown): void {
    this.leaves.push([path, v]);
    this.#counts.set(path, (this.#counts.get(path) ?? 0) + 1);
  }

  count(path: string): number {
    return this.#counts.get(path) ?? 0;
  }
}

/** A frame between a node and the coordinator. */
export function inspectFrame(bytes: Uint8Array): Inspected {
  const w = new Walk();
  const f = tryDecode(bytes);
  const kind = f !== null && typeof f === 'object' && 't' in f && typeof f.t === 'string' ? f.t : 'undecodable';
  w.visit(kind, f);
  return { kind, leaves: w.leaves, payloads: w.payloads, count: (p) => w.count(p) };
}

/** An HTTP request of an analyst to its gateway, or the gateway's response. */
export function inspectHttp(method: string, path: string, body: Uint8Array | undefined, response: boolean): Inspected {
  const w = new Walk();
  const kind = `${response ? 'RESPONSE ' : ''}${method} ${path}`;
  if (body && body.length > 0) {
    const v = tryDecode(body);
    w.visit(response ? `response ${path}` : '', v);
  }
  return { kind, leaves: w.leaves, payloads: w.payloads, count: (p) => w.count(p) };
}
