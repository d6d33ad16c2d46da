/**
 * The one test suite every implementation of the coordinator's repositories must pass (SQLite today;
 * a server database later runs the same cases): registry, PSI index publication and lookups, mailboxes,
 * meta, and that audited writes commit — or fail — together with their audit entry.
 *
 * An implementation supplies a factory that opens an empty store on the given clock and a way to read
 * back the kinds of audit entries written, in order (the audit log's reader is not part of the
 * coordinator's interfaces).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { type AuditEntry, ManualClock } from '#platform';
import { bucketLeaf, bucketOf, encode, IndexTree, LIMITS, verifyBucket } from '#protocol';
import type { CoordinatorStore, IndexEntry } from './repositories.ts';

export interface StoreUnderTest {
  readonly store: CoordinatorStore;
  /** Kinds of the audit entries written so far, oldest first, without checkpoints. */
  auditKinds(): Promise<string[]>;
}

const T0 = 1_760_000_000_000;

const bytes = (...b: number[]) => Uint8Array.from(b);
/** A full-length tag starting with the given bytes. */
const tag = (...head: number[]) => {
  const t = new Uint8Array(LIMITS.tagBytes);
  t.set(head);
  return t;
};
const token = (n: number) => bytes(0xaa, n);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const pairs = (entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>) => entries.map(([t, k]) => `${hex(t)}/${hex(k)}`).sort();

const key = (n: number) => new Uint8Array(32).fill(n);
const stored = (mid: string, country: string): AuditEntry => ({ kind: 'mailbox.stored', requestId: mid, country });
const chunkAudit: AuditEntry = { kind: 'publish.chunk', country: 'DE', epoch: 1 };

export function describeCoordinatorStore(name: string, open: (clock: ManualClock) => Promise<StoreUnderTest>): void {
  describe(`coordinator store: ${name}`, () => {
    let clock: ManualClock;
    let sut: StoreUnderTest;
    let store: CoordinatorStore;
    const fresh = async () => {
      clock = new ManualClock(T0);
      sut = await open(clock);
      store = sut.store;
    };

    beforeAll(async () => {
      await initCrypto();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('members', () => {
      const cert = (n: number) => bytes(0xce, n);

      it('records a certified member, lists active members by country and reads one back', async () => {
        await fresh();
        await store.members.admit({ country: 'FR', signPub: key(1), cert: cert(1) }, { kind: 'member.connected', country: 'FR' });
        clock.advance(5);
        await store.members.admit({ country: 'DE', signPub: key(3), cert: cert(2) });
        expect((await store.members.listActive()).map((m) => m.country)).toEqual(['DE', 'FR']);
        const fr = await store.members.get('FR');
        expect(fr).toEqual({ country: 'FR', signPub: key(1), cert: cert(1), admittedAt: T0, descriptor: null, status: 'active' });
        expect(await store.members.get('IT')).toBeUndefined();
        expect(await sut.auditKinds()).toEqual(['member.connected']);
      });

      it('suspension and revocation hide a member; a new login reactivates it; a new key drops the old descriptor', async () => {
        await fresh();
        await store.members.admit({ country: 'FR', signPub: key(1), cert: cert(1) });
        await store.members.admit({ country: 'DE', signPub: key(3), cert: cert(2) });
        await store.members.setDescriptor('FR', bytes(9));
        expect(await store.members.setStatus('FR', 'suspended', { kind: 'member.revoked', country: 'FR', status: 'suspended' })).toBe(true);
        expect((await store.members.get('FR'))?.status).toBe('suspended');
        expect((await store.members.listActive()).map((m) => m.country)).toEqual(['DE']);
        expect(await store.members.setStatus('ZZ', 'revoked')).toBe(false);
        clock.advance(1000);
        await store.members.admit({ country: 'FR', signPub: key(1), cert: cert(3) });
        expect(await store.members.get('FR')).toMatchObject({ signPub: key(1), cert: cert(3), status: 'active', admittedAt: T0, descriptor: bytes(9) });
        await store.members.admit({ country: 'FR', signPub: key(7), cert: cert(4) });
        expect(await store.members.get('FR')).toMatchObject({ signPub: key(7), descriptor: null });
        expect((await store.members.listActive()).map((m) => m.country)).toEqual(['DE', 'FR']);
        expect(await sut.auditKinds()).toEqual(['member.revoked']);
      });

      it('stores a descriptor', async () => {
        await fresh();
        await store.members.admit({ country: 'FR', signPub: key(1), cert: cert(1) });
        await store.members.setDescriptor('FR', bytes(1, 2, 3));
        expect((await store.members.get('FR'))?.descriptor).toEqual(bytes(1, 2, 3));
        expect((await store.members.listActive())[0]?.descriptor).toEqual(bytes(1, 2, 3));
      });
    });

    describe('PSI index', () => {
      /** What each (country, epoch) index should hold, to compute the commitment a node would sign. */
      let model: Map<string, Map<string, IndexEntry>>;
      const modelOf = (country: string, epoch: number) => {
        const k = `${country}/${epoch}`;
        let m = model.get(k);
        if (!m) {
          m = new Map();
          model.set(k, m);
        }
        return m;
      };
      const commit = (country: string, epoch: number) => {
        const m = modelOf(country, epoch);
        const byBucket = new Map<number, IndexEntry[]>();
        for (const e of m.values()) byBucket.set(bucketOf(e[0]), [...(byBucket.get(bucketOf(e[0])) ?? []), e]);
        const blocks = new Map<number, Uint8Array>();
        const tree = new IndexTree({ get: (n) => blocks.get(n), put: (n, b) => void blocks.set(n, b) });
        tree.setBuckets(new Map([...byBucket].map(([b, es]) => [b, bucketLeaf(b, es)])));
        const envelope = encode({ v: 1, kid: `node:${country}`, payload: bytes(epoch), sig: new Uint8Array(64) });
        return { envelope, root: tree.root(), count: m.size };
      };
      const chunk = (
        seq: number,
        adds: IndexEntry[],
        o: { epoch?: number; removes?: IndexEntry[]; final?: boolean; country?: string; wrong?: boolean } = {},
      ) => {
        const country = o.country ?? 'DE';
        const epoch = o.epoch ?? 1;
        const removes = o.removes ?? [];
        const m = modelOf(country, epoch);
        const before = new Map(m);
        for (const e of removes) m.delete(`${hex(e[0])}/${hex(e[1])}`);
        for (const e of adds) m.set(`${hex(e[0])}/${hex(e[1])}`, e);
        const c = commit(country, epoch);
        if (o.wrong) model.set(`${country}/${epoch}`, before);
        return { country, epoch, seq, adds, removes, final: o.final ?? false, commitment: o.wrong ? { ...c, root: key(0xee) } : c };
      };
      const freshIndex = async () => {
        model = new Map();
        await fresh();
      };

      it('applies chunks in sequence; a repeated chunk is a duplicate without effect or audit', async () => {
        await freshIndex();
        expect(
          await store.index.applyChunk(
            chunk(1, [
              [tag(1), token(1)],
              [tag(2), token(2)],
            ]),
            chunkAudit,
          ),
        ).toBe('applied');
        expect(await store.index.publishState('DE', 1)).toEqual({ lastSeq: 1, complete: false });
        expect(await store.index.applyChunk({ ...chunk(1, []), adds: [[tag(9), token(9)]] }, chunkAudit)).toBe('duplicate');
        expect(await store.index.size('DE', 1)).toBe(2);
        expect(
          await store.index.applyChunk(chunk(2, [[tag(3), token(3)]], { removes: [[tag(1), token(1)]], final: true }), {
            ...chunkAudit,
            kind: 'publish.epoch',
          }),
        ).toBe('applied');
        expect(await store.index.applyChunk(chunk(2, []), chunkAudit)).toBe('duplicate');
        expect(await store.index.publishState('DE', 1)).toEqual({ lastSeq: 2, complete: true });
        expect(await store.index.size('DE', 1)).toBe(2);
        expect(await store.index.publishState('DE', 2)).toBeUndefined();
        expect(await sut.auditKinds()).toEqual(['publish.chunk', 'publish.epoch']);
      });

      it('refuses a chunk that does not produce the committed index, and applies nothing of it', async () => {
        await freshIndex();
        await store.index.applyChunk(chunk(1, [[tag(1), token(1)]]), chunkAudit);
        await expect(store.index.applyChunk(chunk(2, [[tag(2), token(2)]], { wrong: true }), chunkAudit)).rejects.toMatchObject({ code: 'bad_proof' });
        expect(await store.index.size('DE', 1)).toBe(1);
        expect(await store.index.publishState('DE', 1)).toEqual({ lastSeq: 1, complete: false });
        expect(await store.index.applyChunk(chunk(2, [[tag(2), token(2)]]), chunkAudit)).toBe('applied');
        expect(await sut.auditKinds()).toEqual(['publish.chunk', 'publish.chunk']);
      });

      it('adding an entry twice stores it once', async () => {
        await freshIndex();
        await store.index.applyChunk(
          chunk(1, [
            [tag(1), token(1)],
            [tag(1), token(1)],
          ]),
          chunkAudit,
        );
        expect(await store.index.size('DE', 1)).toBe(1);
      });

      it('keeps the newest two complete epochs and drops older ones when an epoch completes', async () => {
        await freshIndex();
        for (const epoch of [1, 2, 3]) await store.index.applyChunk(chunk(1, [[tag(epoch), token(epoch)]], { epoch, final: true }), chunkAudit);
        await store.index.applyChunk(chunk(1, [[tag(9), token(9)]], { country: 'FR', epoch: 1, final: true }), chunkAudit);
        expect(await store.index.size('DE', 1)).toBe(0);
        expect(await store.index.publishState('DE', 1)).toBeUndefined();
        expect(await store.index.size('DE', 2)).toBe(1);
        expect(await store.index.size('DE', 3)).toBe(1);
        // An epoch in progress drops nothing; another country's index is its own.
        await store.index.applyChunk(chunk(1, [[tag(4), token(4)]], { epoch: 4 }), chunkAudit);
        expect(await store.index.size('DE', 2)).toBe(1);
        expect(await store.index.size('FR', 1)).toBe(1);
      });

      it('lookups return complete buckets that verify against the stored commitment, per item in order', async () => {
        await freshIndex();
        const adds: IndexEntry[] = [
          [tag(0x12, 0x34, 1), token(1)],
          [tag(0x12, 0x34, 1), token(2)],
          [tag(0x12, 0x34, 3), token(3)],
          [tag(0x12, 0x35), token(4)],
          [tag(0xff, 0xff, 7), token(6)],
        ];
        await store.index.applyChunk(chunk(1, adds), chunkAudit);
        await store.index.applyChunk(chunk(1, [[tag(0x12, 0x34, 9), token(9)]], { epoch: 2 }), chunkAudit);
        const r = await store.index.lookup([
          { country: 'DE', epoch: 1, buckets: [0x1234, 0xffff, 0x0001] },
          { country: 'DE', epoch: 2, buckets: [0x1234] },
          { country: 'FR', epoch: 1, buckets: [0x1234] },
        ]);
        expect(r.map((x) => [x.country, x.epoch, x.buckets.map((b) => b.bucket)])).toEqual([
          ['DE', 1, [0x1234, 0xffff, 0x0001]],
          ['DE', 2, [0x1234]],
        ]);
        const root = commit('DE', 1).root;
        for (const b of r[0]?.buckets ?? []) verifyBucket(root, b.bucket, b.entries, b.path);
        expect(pairs(r[0]?.buckets[0]?.entries ?? [])).toEqual(pairs(adds.slice(0, 3)));
        expect(r[0]?.buckets[2]?.entries).toEqual([]);
        expect(r[0]?.commitment.payload).toBeInstanceOf(Uint8Array);
        verifyBucket(commit('DE', 2).root, 0x1234, r[1]?.buckets[0]?.entries ?? [], r[1]?.buckets[0]?.path ?? []);
      });

      it('a lookup after each chunk answers from the index as it now is: applied, refused, or its epoch dropped', async () => {
        await freshIndex();
        const look = async (epoch = 1) => (await store.index.lookup([{ country: 'DE', epoch, buckets: [0x1234, 0x5600] }]))[0];
        const verifies = (r: Awaited<ReturnType<typeof look>>, root: Uint8Array) => {
          expect(r?.buckets).toHaveLength(2);
          for (const b of r?.buckets ?? []) verifyBucket(root, b.bucket, b.entries, b.path);
        };
        await store.index.applyChunk(chunk(1, [[tag(0x12, 0x34, 1), token(1)]]), chunkAudit);
        verifies(await look(), commit('DE', 1).root);
        // Another block of the tree changes, and with it the top block every path ends in.
        await store.index.applyChunk(chunk(2, [[tag(0x56, 0x00, 2), token(2)]]), chunkAudit);
        const r2 = await look();
        verifies(r2, commit('DE', 1).root);
        expect(r2?.buckets[1]?.entries).toHaveLength(1);
        await expect(store.index.applyChunk(chunk(3, [[tag(0x56, 0x00, 3), token(3)]], { wrong: true }), chunkAudit)).rejects.toMatchObject({
          code: 'bad_proof',
        });
        verifies(await look(), commit('DE', 1).root);
        for (const epoch of [2, 3]) await store.index.applyChunk(chunk(1, [[tag(epoch), token(epoch)]], { epoch, final: true }), chunkAudit);
        expect(await look()).toBeUndefined();
      });
    });

    describe('mailboxes', () => {
      const mail = (mid: string, recipient = 'DE', sender = 'FR') => ({ mid, recipient, sender, body: bytes(0xc0, mid.length) });

      it('stores once, hands out pending mail oldest first, delivers once and counts', async () => {
        await fresh();
        expect(await store.mailboxes.store(mail('m-2'), stored('m-2', 'DE'))).toBe('stored');
        clock.advance(10);
        expect(await store.mailboxes.store(mail('m-1'), stored('m-1', 'DE'))).toBe('stored');
        expect(await store.mailboxes.store(mail('m-3', 'IT'), stored('m-3', 'IT'))).toBe('stored');
        expect(await store.mailboxes.store(mail('m-2'), stored('m-2', 'DE'))).toBe('duplicate');
        expect(await store.mailboxes.pending('DE')).toEqual([
          { mid: 'm-2', sender: 'FR', body: bytes(0xc0, 3) },
          { mid: 'm-1', sender: 'FR', body: bytes(0xc0, 3) },
        ]);
        expect(await store.mailboxes.pending('DE', 1)).toHaveLength(1);
        expect(await store.mailboxes.counts()).toEqual({ pending: 3, delivered: 0 });
        const delivered = (mid: string): AuditEntry => ({ kind: 'mailbox.delivered', requestId: mid, country: 'DE' });
        // Only the recipient's own, undelivered mail is marked.
        expect(await store.mailboxes.markDelivered('DE', ['m-2', 'm-3', 'm-9'], delivered)).toEqual(['m-2']);
        expect(await store.mailboxes.markDelivered('DE', ['m-2'], delivered)).toEqual([]);
        expect((await store.mailboxes.pending('DE')).map((m) => m.mid)).toEqual(['m-1']);
        expect(await store.mailboxes.counts()).toEqual({ pending: 2, delivered: 1 });
        // A delivered mid stays known: storing it again is still a duplicate.
        expect(await store.mailboxes.store(mail('m-2'), stored('m-2', 'DE'))).toBe('duplicate');
        expect(await sut.auditKinds()).toEqual(['mailbox.stored', 'mailbox.stored', 'mailbox.stored', 'mailbox.delivered']);
      });

      it('stores within a sender quota only, counting undelivered items and bytes per recipient and in total', async () => {
        await fresh();
        const quota = { perRecipient: { items: 2, bytes: 10 }, total: { items: 3, bytes: 14 } };
        const sized = (mid: string, n: number, recipient = 'DE', sender = 'FR') => ({ mid, recipient, sender, body: new Uint8Array(n) });
        expect(await store.mailboxes.store(sized('a', 4), stored('a', 'DE'), quota)).toBe('stored');
        expect(await store.mailboxes.store(sized('b', 7), stored('b', 'DE'), quota)).toBe('over_quota'); // 11 bytes to DE
        expect(await store.mailboxes.store(sized('b', 6), stored('b', 'DE'), quota)).toBe('stored');
        expect(await store.mailboxes.store(sized('c', 1), stored('c', 'DE'), quota)).toBe('over_quota'); // 3 items to DE
        // A retransmission is a duplicate, whatever the quota.
        expect(await store.mailboxes.store(sized('a', 4), stored('a', 'DE'), quota)).toBe('duplicate');
        expect(await store.mailboxes.store(sized('d', 5, 'IT'), stored('d', 'IT'), quota)).toBe('over_quota'); // 15 bytes in total
        expect(await store.mailboxes.store(sized('d', 4, 'IT'), stored('d', 'IT'), quota)).toBe('stored');
        expect(await store.mailboxes.store(sized('e', 1, 'UA'), stored('e', 'UA'), quota)).toBe('over_quota'); // 4 items in total
        // Other senders have their own quota.
        expect(await store.mailboxes.store(sized('f', 9, 'DE', 'IT'), stored('f', 'DE'), quota)).toBe('stored');
        expect(await store.mailboxes.usage('FR', 'DE')).toEqual({ toRecipient: { items: 2, bytes: 10 }, total: { items: 3, bytes: 14 } });
        expect(await store.mailboxes.usage('FR', 'UA')).toEqual({ toRecipient: { items: 0, bytes: 0 }, total: { items: 3, bytes: 14 } });
        // Delivered mail no longer counts.
        await store.mailboxes.markDelivered('DE', ['a'], (mid) => ({ kind: 'mailbox.delivered', requestId: mid, country: 'DE' }));
        expect(await store.mailboxes.usage('FR', 'DE')).toEqual({ toRecipient: { items: 1, bytes: 6 }, total: { items: 2, bytes: 10 } });
        expect(await store.mailboxes.store(sized('c', 4), stored('c', 'DE'), quota)).toBe('stored');
        // Refusals write nothing, not even an audit entry.
        expect(await sut.auditKinds()).toEqual(['mailbox.stored', 'mailbox.stored', 'mailbox.stored', 'mailbox.stored', 'mailbox.delivered', 'mailbox.stored']);
      });

      it('counts an empty mailbox table as zero', async () => {
        await fresh();
        expect(await store.mailboxes.counts()).toEqual({ pending: 0, delivered: 0 });
        expect(await store.mailboxes.pending('DE')).toEqual([]);
      });
    });

    describe('atomic audited writes', () => {
      // An entry outside the audit allow-list is refused by the log: the write it belongs to must not happen.
      const badEntry = { kind: 'mailbox.stored', requestId: 'not an id' } as AuditEntry;

      it('a mail item is not stored when its audit entry fails', async () => {
        await fresh();
        await expect(store.mailboxes.store(mail('m-1'), badEntry)).rejects.toMatchObject({ code: 'bad_request' });
        expect(await store.mailboxes.pending('DE')).toEqual([]);
        expect(await store.mailboxes.store(mail('m-1'), stored('m-1', 'DE'))).toBe('stored');
      });

      it('a chunk is not applied, nor mail delivered, nor a member admitted, when its audit entry fails', async () => {
        await fresh();
        const blocks = new Map<number, Uint8Array>();
        const tree = new IndexTree({ get: (n) => blocks.get(n), put: (n, b) => void blocks.set(n, b) });
        tree.setBucket(bucketOf(tag(1)), bucketLeaf(bucketOf(tag(1)), [[tag(1), token(1)]]));
        const commitment = { envelope: bytes(1), root: tree.root(), count: 1 };
        await expect(
          store.index.applyChunk({ country: 'DE', epoch: 1, seq: 1, adds: [[tag(1), token(1)]], removes: [], final: true, commitment }, badEntry),
        ).rejects.toMatchObject({
          code: 'bad_request',
        });
        expect(await store.index.publishState('DE', 1)).toBeUndefined();
        expect(await store.index.size('DE', 1)).toBe(0);
        await store.mailboxes.store(mail('m-1'), stored('m-1', 'DE'));
        await expect(store.mailboxes.markDelivered('DE', ['m-1'], () => badEntry)).rejects.toMatchObject({ code: 'bad_request' });
        expect(await store.mailboxes.counts()).toEqual({ pending: 1, delivered: 0 });
        await expect(store.members.admit({ country: 'FR', signPub: key(1), cert: bytes(2) }, badEntry)).rejects.toMatchObject({ code: 'bad_request' });
        expect(await store.members.get('FR')).toBeUndefined();
        expect(await sut.auditKinds()).toEqual(['mailbox.stored']);
      });

      function mail(mid: string) {
        return { mid, recipient: 'DE', sender: 'FR', body: bytes(1) };
      }
    });

    describe('meta and the audit sink', () => {
      it('keeps meta values', async () => {
        await fresh();
        expect(await store.meta.get('k')).toBeUndefined();
        await store.meta.set('k', 'v1');
        await store.meta.set('k', 'v2');
        expect(await store.meta.get('k')).toBe('v2');
      });

      it('appends entries in order and signs checkpoints', async () => {
        await fresh();
        await store.audit.append([
          { kind: 'query.received', queryId: 'q1', country: 'FR' },
          { kind: 'query.answered', queryId: 'q1', country: 'FR', count: 2, status: 'complete' },
        ]);
        await store.audit.append([]);
        await store.audit.checkpoint();
        // One transaction: a refused entry takes the whole batch with it.
        await expect(
          store.audit.append([
            { kind: 'query.received', queryId: 'q2' },
            { kind: 'query.received', queryId: 'not an id' },
          ]),
        ).rejects.toMatchObject({
          code: 'bad_request',
        });
        expect(await sut.auditKinds()).toEqual(['query.received', 'query.answered']);
      });
    });
  });
}
