/**
 * Unit tests of PSI index publication and lookups and of the member directory (descriptors, coalesced
 * broadcasts, health), with fake sockets.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BoxKeyPair, OprfKey, randomBytes, toHex } from '#crypto';
import {
  bucketLeaf,
  bucketOf,
  type ForwardedLookup,
  type IndexCommitment,
  IndexTree,
  LIMITS,
  type NodeDescriptor,
  type NodeFrame,
  type PublishChunk,
  verifyBucket,
} from '#protocol';
import { BROADCAST_COALESCE_MS } from './directory.ts';
import { type Connected, type Harness, type Member, settle, startHarness } from './harness.test-fixture.ts';

const tag = (first: number) => {
  const t = randomBytes(LIMITS.tagBytes);
  t[0] = first;
  return t;
};

describe('coordinator PSI index and member directory', () => {
  let h: Harness;
  let frM: Member;
  let fr: Connected;
  let de: Connected;

  beforeEach(async () => {
    held.clear();
    h = await startHarness();
    frM = await h.admit('FR');
    fr = await h.connect(frM);
    de = await h.connect(await h.admit('DE'));
  });
  afterEach(async () => {
    await h.close();
  });

  const chunk = (c: Connected, seq: number, adds: Array<[Uint8Array, Uint8Array]>, over: Partial<PublishChunk> = {}): PublishChunk => ({
    t: 'publish',
    country: c.country,
    epoch: 1,
    seq,
    ts: Date.now(),
    adds,
    removes: [],
    final: false,
    ...over,
  });
  /** What each country's index holds after its chunks, to sign the commitment a node would. */
  const held = new Map<string, Map<string, [Uint8Array, Uint8Array]>>();
  const rootOf = (entries: Iterable<[Uint8Array, Uint8Array]>) => {
    const byBucket = new Map<number, Array<[Uint8Array, Uint8Array]>>();
    for (const e of entries) byBucket.set(bucketOf(e[0]), [...(byBucket.get(bucketOf(e[0])) ?? []), e]);
    const blocks = new Map<number, Uint8Array>();
    const tree = new IndexTree({ get: (n) => blocks.get(n), put: (n, b) => void blocks.set(n, b) });
    tree.setBuckets(new Map([...byBucket].map(([b, es]) => [b, bucketLeaf(b, es)])));
    return tree.root();
  };
  /** A publish frame: the chunk and the signed commitment to the index after it (as the node computes it). */
  const publish = (signer: Connected, ch: PublishChunk, apply = true): NodeFrame => {
    const mine = new Map(held.get(ch.country) ?? []);
    for (const [t, k] of ch.removes) mine.delete(`${toHex(t)}/${toHex(k)}`);
    for (const [t, k] of ch.adds) mine.set(`${toHex(t)}/${toHex(k)}`, [t, k]);
    if (apply) held.set(ch.country, mine);
    const commit: IndexCommitment = {
      t: 'index-commit',
      country: ch.country,
      epoch: ch.epoch,
      seq: ch.seq,
      root: rootOf(mine.values()),
      count: mine.size,
      ts: Date.now(),
    };
    return { t: 'publish', env: signer.sign(ch), commit: signer.sign(commit) };
  };
  const lookup = (c: Connected, mode: 'exact' | 'bucket', items: ForwardedLookup['items']): ForwardedLookup => ({
    t: 'fwd-lookup',
    id: toHex(randomBytes(16)),
    ts: Date.now(),
    nonce: randomBytes(16),
    from: c.country,
    mode,
    items,
  });

  it('applies publish chunks in arrival order and acknowledges each, retransmissions included', async () => {
    const t1 = tag(1);
    const t2 = tag(2);
    de.send(publish(de, chunk(de, 1, [[t1, randomBytes(40)]])));
    de.send(publish(de, chunk(de, 2, [[t2, randomBytes(40)]], { final: true })));
    de.send(publish(de, chunk(de, 1, [[tag(3), randomBytes(40)]]), false));
    await settle();
    expect(de.socket.framesOf('publish-ack').map((a) => a.seq)).toEqual([1, 2, 1]);
    expect(await h.store.index.size('DE', 1)).toBe(2);
    expect(await h.store.index.publishState('DE', 1)).toEqual({ lastSeq: 2, complete: true });
    expect(
      h
        .auditEntries()
        .filter((e) => e.kind.startsWith('publish.'))
        .map((e) => e.kind),
    ).toEqual(['publish.chunk', 'publish.epoch']);
  });

  it('refuses a chunk for another country', async () => {
    de.send(publish(de, chunk(fr, 1, [])));
    await settle();
    expect(de.socket.framesOf('error').map((e) => e.code)).toEqual(['forbidden']);
  });

  it('refuses a chunk whose commitment the index would not match, and applies none of it', async () => {
    const bad = publish(de, chunk(de, 1, [[tag(9), randomBytes(40)]]), false);
    const other = publish(de, chunk(de, 1, [[tag(8), randomBytes(40)]]), false);
    if (bad.t !== 'publish' || other.t !== 'publish') throw new Error('not a publish frame');
    de.send({ ...bad, commit: other.commit });
    await settle();
    expect(de.socket.framesOf('error').map((e) => e.code)).toEqual(['bad_proof']);
    expect(await h.store.index.size('DE', 1)).toBe(0);
  });

  it('answers exact and bucket lookups, and checks their sizes', async () => {
    const t1 = tag(0x42);
    const token = randomBytes(40);
    de.send(publish(de, chunk(de, 1, [[t1, token]], { final: true })));
    await settle();
    const exact = lookup(fr, 'exact', [{ country: 'DE', epoch: 1, keys: [t1] }]);
    const bucket = lookup(fr, 'bucket', [{ country: 'DE', epoch: 1, keys: [t1.subarray(0, 2)] }]);
    fr.send({ t: 'lookup', env: fr.sign(exact) });
    fr.send({ t: 'lookup', env: fr.sign(bucket) });
    await settle();
    const results = fr.socket.framesOf('lookup-result');
    expect(results.map((r) => r.id)).toEqual([exact.id, bucket.id]);
    const root = rootOf([[t1, token]]);
    for (const r of results) {
      expect(r.results).toHaveLength(1);
      const b = r.results[0]?.buckets[0];
      expect(b?.entries.map(([t, k]) => [toHex(t), toHex(k)])).toEqual([[toHex(t1), toHex(token)]]);
      verifyBucket(root, bucketOf(t1), b?.entries ?? [], b?.path ?? []);
    }
    h.turns.run();
    await settle();
    expect(
      h
        .auditEntries()
        .filter((e) => e.kind === 'index.lookup')
        .map((e) => e.status),
    ).toEqual(['exact', 'bucket']);

    const short = lookup(fr, 'exact', [{ country: 'DE', epoch: 1, keys: [t1.subarray(0, 4)] }]);
    const long = lookup(fr, 'bucket', [{ country: 'DE', epoch: 1, keys: [t1.subarray(0, 5)] }]);
    fr.send({ t: 'lookup', env: fr.sign(short) });
    fr.send({ t: 'lookup', env: fr.sign(long) });
    fr.send({ t: 'lookup', env: fr.sign(exact) }); // the same envelope again
    await settle();
    expect(fr.socket.framesOf('error')).toEqual([
      { t: 'error', code: 'bad_length', ref: short.id },
      { t: 'error', code: 'bad_length', ref: long.id },
      { t: 'error', code: 'replay', ref: exact.id },
    ]);
  });

  it('stores a descriptor signed by the certified key and broadcasts the directory once for many', async () => {
    const descriptor = (c: Connected, boxPub: Uint8Array): NodeDescriptor => ({
      t: 'descriptor',
      country: c.country,
      ts: Date.now(),
      signPub: c.key.publicKey(),
      boxPub,
      oprf: { epoch: 1, pub: OprfKey.generate('voprf').publicKey() },
    });
    fr.send({ t: 'descriptor', env: fr.sign(descriptor(fr, fr.boxPub)) });
    de.send({ t: 'descriptor', env: de.sign(descriptor(de, de.boxPub)) });
    // a descriptor naming another signing key than the certificate is refused
    de.send({ t: 'descriptor', env: de.sign({ ...descriptor(de, de.boxPub), signPub: BoxKeyPair.generate().publicKey() }) });
    await settle();
    expect(de.socket.framesOf('error').map((e) => e.code)).toEqual(['forbidden']);
    expect(fr.socket.framesOf('members')).toEqual([]);
    h.clock.advance(BROADCAST_COALESCE_MS);
    await settle();
    for (const c of [fr, de]) {
      const frames = c.socket.framesOf('members');
      expect(frames).toHaveLength(1);
      expect(frames[0]?.members.map((e) => e.descriptor?.kid)).toEqual(['node:DE', 'node:FR']);
    }
    // A node logging in now gets the directory with its welcome.
    const again = await h.connect(frM);
    expect(again.socket.framesOf('welcome')[0]?.members).toHaveLength(2);
  });

  it('reports health', async () => {
    await h.connect(await h.admit('IT'));
    expect(await h.coordinator.health()).toEqual({ name: 'unit-coordinator', members: 3, connected: 3 });
  });
});
