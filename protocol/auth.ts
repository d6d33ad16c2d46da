/** What a node signs to log in to the coordinator: label, the coordinator's fresh nonce, both names. */
import { concatBytes, utf8 } from '#crypto';
import { LABELS } from './labels.ts';

export function challengeBytes(nonce: Uint8Array, coordinator: string, country: string): Uint8Array {
  return concatBytes(utf8(LABELS.wsChallenge), new Uint8Array([0]), nonce, utf8(`${coordinator}|${country}`));
}
