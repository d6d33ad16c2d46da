/**
 * How a simulated node computes its tags: `tag = Evaluate(k, matchKey)[0..16]`, the node's real OPRF
 * evaluation (RFC 9497 §3.3.1), as `veil node import` does.
 *
 * One shortcut, off unless a scenario asks for it (`index.tags: "queried"`), for populations too large
 * to evaluate in full: a tag can only ever be met by a query that derives the same match key, and the
 * simulator knows every query of the run before it starts. Keys that no query of the run derives get a
 * stand-in tag — a keyed BLAKE2b of the key under the epoch secret — instead of the OPRF output. Both
 * are pseudorandom 16-byte strings to every party without the key, so the coordinator's index, bucket
 * sizes, bytes and every lookup are the same as with full evaluation, and every key a query can meet is
 * evaluated for real. What it changes: nothing a party can observe; the index build is faster.
 */
import { evaluate, keyedHash, OprfKey, toHex } from '#crypto';
import { LIMITS } from '#protocol';
import type { Tagger } from './node-data.ts';

/** Counts of what the tagger computed, for the results. */
export interface TagCounts {
  evaluated: number;
  standIn: number;
}

/**
 * The node's OPRF on every key (`queried` undefined), or only on the keys in `queried` (hex of the
 * match-key input) with stand-ins for the rest.
 */
export function oprfTagger(counts: TagCounts, queried?: ReadonlySet<string>): Tagger {
  return (_epoch, secret, inputs) => {
    const key = OprfKey.fromBytes('voprf', secret);
    return inputs.map((input) => {
      if (queried && !queried.has(toHex(input))) {
        counts.standIn++;
        return keyedHash(secret, input, LIMITS.tagBytes);
      }
      counts.evaluated++;
      return evaluate(key, input).subarray(0, LIMITS.tagBytes);
    });
  };
}
