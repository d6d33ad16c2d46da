/**
 * The node's signed descriptor: its country, identity and box public keys and its current OPRF public
 * key with the epoch. The node announces it on every (re)connection and after a key rotation becomes
 * active; the coordinator checks it against the admitted member and passes it on to the other members.
 */

import type { OprfKey } from '#crypto';
import type { Clock } from '#platform';
import { keyId, type NodeDescriptor, signEnvelope } from '#protocol';
import type { NodeKeys } from './config.ts';
import type { FrameSender } from './link.ts';

export interface DescriptorDeps {
  country: string;
  keys: NodeKeys;
  link: FrameSender;
  clock: Pick<Clock, 'now'>;
  /** The OPRF key currently answering queries. */
  activeKey(): { epoch: number; key: OprfKey };
}

/** A function that signs the current descriptor and sends it, if the link is up. */
export function descriptorAnnouncer(d: DescriptorDeps): () => void {
  const kid = keyId.node(d.country);
  return () => {
    const { epoch, key } = d.activeKey();
    const descriptor: NodeDescriptor = {
      t: 'descriptor',
      country: d.country,
      ts: d.clock.now(),
      signPub: d.keys.signing.publicKey(),
      boxPub: d.keys.box.publicKey(),
      oprf: { epoch, pub: key.publicKey() },
    };
    d.link.trySend({ t: 'descriptor', env: signEnvelope(d.keys.signing, kid, descriptor) });
  };
}
