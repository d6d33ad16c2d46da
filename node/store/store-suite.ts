/**
 * The behaviour every implementation of the node's repositories must show, as one vitest suite:
 * `describeNodeStore(name, makeStore)` runs it against a fresh store per test. The SQLite store runs it
 * in `sqlite-store.test.ts`; another implementation would run the same suite.
 *
 * This file covers records, tags, epochs, the publication outbox, analysts, budgets, meta and the
 * biometric gallery; `store-suite-exchange.ts` covers mail, disclosures and data owners.
 */
import { describe, expect, it } from 'vitest';
import type { StoredRecord } from './repositories.ts';
import { describeExchangeRepositories } from './store-suite-exchange.ts';
import { bytes, type MakeStore, useStore } from './store-suite-fixture.ts';

const blob = (b: Uint8Array): Uint8Array => new Uint8Array(b);

export type { MakeStore } from './store-suite-fixture.ts';

const record = (id: string, body = '{}'): StoredRecord => ({
  id,
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  body,
  digest: bytes(1, 2, 3),
});

export function describeNodeStore(name: string, makeStore: MakeStore): void {
  describe(`node store: ${name}`, () => {
    describe('records, tags, epochs and the publication outbox', () => {
      const s = useStore(makeStore);

      it('upserts (insert, then replace every field), counts, iterates by id and deletes records', () => {
        const { records } = s();
        expect(records.get('b')).toBeUndefined();
        records.upsert(record('b'), 1);
        records.upsert(record('a'), 1);
        records.upsert({ ...record('b', '{"v":2}'), kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'public', digest: bytes(9) }, 2);
        expect(records.count()).toBe(2);
        expect(records.get('b')).toEqual({ id: 'b', kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'public', body: '{"v":2}', digest: bytes(9) });
        expect([...records.iterate()].map((r) => r.id)).toEqual(['a', 'b']);
        records.delete('a');
        records.delete('missing');
        expect(records.get('a')).toBeUndefined();
        expect(records.count()).toBe(1);
      });

      it('keeps key rows per record and epoch: add (idempotent per tag), remove, count per epoch', () => {
        const { records } = s();
        records.addKey('r1', { epoch: 1, cls: 'name_dob', tag: bytes(1), token: bytes(10) });
        records.addKey('r1', { epoch: 1, cls: 'name_dob', tag: bytes(1), token: bytes(11) });
        records.addKey('r1', { epoch: 2, cls: 'name_dob', tag: bytes(2), token: bytes(12) });
        records.addKey('r2', { epoch: 1, cls: 'doc', tag: bytes(3), token: bytes(13) });
        expect(records.keyCount(1)).toBe(2);
        expect(records.keyCount(2)).toBe(1);
        const keys = records.keysOf('r1').sort((a, b) => a.epoch - b.epoch);
        expect(keys.map((k) => ({ ...k, tag: [...k.tag], token: [...k.token] }))).toEqual([
          { epoch: 1, cls: 'name_dob', tag: [1], token: [11] },
          { epoch: 2, cls: 'name_dob', tag: [2], token: [12] },
        ]);
        records.removeKey('r1', 1, bytes(1));
        expect(records.keysOf('r1').map((k) => k.epoch)).toEqual([2]);
        expect(records.keysOf('nobody')).toEqual([]);
      });

      it('keeps epochs in order and knows the active and the live ones', () => {
        const { records } = s();
        expect(() => records.activeEpoch()).toThrow(expect.objectContaining({ code: 'bad_config' }));
        records.addEpoch(2, bytes(2), 'pending', 1);
        records.addEpoch(1, bytes(1), 'active', 1);
        expect(records.epochs().map((e) => [e.epoch, e.state])).toEqual([
          [1, 'active'],
          [2, 'pending'],
        ]);
        expect(records.activeEpoch()).toEqual({ epoch: 1, secret: bytes(1), state: 'active' });
        expect(records.liveEpochs().map((e) => e.epoch)).toEqual([1, 2]);
        expect(() => records.addEpoch(1, bytes(3), 'pending', 1)).toThrow();
      });

      it('activating an epoch retires the active one and drops the retired tags only', () => {
        const { records } = s();
        records.addEpoch(1, bytes(1), 'active', 1);
        records.addEpoch(2, bytes(2), 'pending', 1);
        records.addKey('r', { epoch: 1, cls: 'name_dob', tag: bytes(1), token: bytes(1) });
        records.addKey('r', { epoch: 2, cls: 'name_dob', tag: bytes(2), token: bytes(2) });
        records.activateEpoch(2);
        expect(records.epochs().map((e) => [e.epoch, e.state])).toEqual([
          [1, 'retired'],
          [2, 'active'],
        ]);
        expect(records.activeEpoch().epoch).toBe(2);
        expect(records.liveEpochs().map((e) => e.epoch)).toEqual([2]);
        expect(records.keyCount(1)).toBe(0);
        expect(records.keyCount(2)).toBe(1);
        // The retired epoch's OPRF secret is wiped: hit tokens are sealed under the token key, not the epoch's.
        expect(records.epochs().find((e) => e.epoch === 1)?.secret).toEqual(bytes());
        expect(records.activeEpoch().secret).toEqual(bytes(2));
      });

      it('hands out outbox chunks first in, first out, until deleted', () => {
        const { records } = s();
        expect(records.outboxFirst()).toBeUndefined();
        const root = (n: number) => new Uint8Array(32).fill(n);
        records.outboxAdd({ epoch: 1, adds: bytes(1), removes: bytes(), final: false, root: root(1), entries: 1 });
        records.outboxAdd({ epoch: 1, adds: bytes(2), removes: bytes(3), final: true, root: root(2), entries: 1 });
        records.outboxAdd({ epoch: 2, adds: bytes(4), removes: bytes(), final: false, root: root(3), entries: 7 });
        expect(records.outboxCount()).toBe(3);
        const seen: Array<[number, number[], boolean, number, number]> = [];
        for (let c = records.outboxFirst(); c; c = records.outboxFirst()) {
          seen.push([c.epoch, [...c.adds], c.final, c.root[0] ?? -1, c.entries]);
          records.outboxDelete(c.seq);
        }
        expect(seen).toEqual([
          [1, [1], false, 1, 1],
          [1, [2], true, 2, 1],
          [2, [4], false, 3, 7],
        ]);
        expect(records.outboxCount()).toBe(0);
      });

      it('reads a bucket of one epoch by its two-byte prefix and keeps tree blocks per epoch', () => {
        const { records } = s();
        const tag = (a: number, b: number, c: number) => Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? a : i === 1 ? b : c));
        records.addKey('r1', { epoch: 1, cls: 'doc', tag: tag(0x12, 0x34, 1), token: bytes(9) });
        records.addKey('r2', { epoch: 1, cls: 'doc', tag: tag(0x12, 0x34, 2), token: bytes(8) });
        records.addKey('r3', { epoch: 1, cls: 'doc', tag: tag(0x12, 0x35, 0), token: bytes(7) });
        records.addKey('r4', { epoch: 2, cls: 'doc', tag: tag(0x12, 0x34, 3), token: bytes(6) });
        records.addKey('r5', { epoch: 1, cls: 'doc', tag: tag(0xff, 0xff, 9), token: bytes(5) });
        expect(records.bucketEntries(1, 0x1234).map(([t]) => t[15])).toEqual([1, 2]);
        expect(records.bucketEntries(1, 0x1235)).toHaveLength(1);
        expect(records.bucketEntries(1, 0xffff)).toHaveLength(1);
        expect(records.bucketEntries(1, 0x0000)).toHaveLength(0);
        const b1 = records.indexBlocks(1);
        const b2 = records.indexBlocks(2);
        b1.put(3, new Uint8Array(16).fill(1));
        b1.put(3, new Uint8Array(16).fill(2));
        expect(b1.get(3)?.[0]).toBe(2);
        expect(b2.get(3)).toBeUndefined();
      });

      it('rolls a transaction back when it throws, and nests', () => {
        const store = s();
        expect(() =>
          store.tx(() => {
            store.records.upsert(record('x'), 1);
            store.tx(() => store.meta.set('k', 'v'));
            throw new Error('abort');
          }),
        ).toThrow('abort');
        expect(store.records.get('x')).toBeUndefined();
        expect(store.meta.get('k')).toBeUndefined();
        expect(store.tx(() => 7)).toBe(7);
      });
    });

    describe('analysts, budgets and meta', () => {
      const s = useStore(makeStore);

      it('adds, lists (by name), revokes and refuses a duplicate analyst id', () => {
        const { analysts } = s();
        analysts.add({ id: 'zoe-1', name: 'Zoe', signPub: bytes(1), boxPub: bytes(2) }, 1);
        analysts.add({ id: 'adam-2', name: 'Adam', signPub: bytes(3), boxPub: bytes(4) }, 1);
        expect(analysts.get('zoe-1')).toEqual({ id: 'zoe-1', name: 'Zoe', signPub: bytes(1), boxPub: bytes(2), revoked: false });
        expect(analysts.list().map((a) => a.id)).toEqual(['adam-2', 'zoe-1']);
        expect(analysts.revoke('zoe-1')).toBe(true);
        expect(analysts.revoke('nobody')).toBe(false);
        expect(analysts.get('zoe-1')?.revoked).toBe(true);
        expect(analysts.list().map((a) => [a.id, a.revoked])).toEqual([
          ['adam-2', false],
          ['zoe-1', true],
        ]);
        expect(() => analysts.add({ id: 'zoe-1', name: 'Other', signPub: bytes(5), boxPub: bytes(6) }, 2)).toThrow();
        expect(analysts.get('nobody')).toBeUndefined();
      });

      it('accumulates budgets per requester and day', () => {
        const { budgets } = s();
        expect(budgets.used('FR', '2026-05-04')).toBe(0);
        budgets.add('FR', '2026-05-04', 3);
        budgets.add('FR', '2026-05-04', 4);
        budgets.add('FR', '2026-05-05', 1);
        budgets.add('FR:bio', '2026-05-04', 1);
        expect(budgets.used('FR', '2026-05-04')).toBe(7);
        expect(budgets.used('FR', '2026-05-05')).toBe(1);
        expect(budgets.used('FR:bio', '2026-05-04')).toBe(1);
        expect(budgets.used('IT', '2026-05-04')).toBe(0);
      });

      it('sets and overwrites meta values', () => {
        const { meta } = s();
        expect(meta.get('country')).toBeUndefined();
        meta.set('country', 'DE');
        meta.set('country', 'FR');
        expect(meta.get('country')).toBe('FR');
      });
    });

    describe('biometric gallery and answered biometric queries', () => {
      const s = useStore(makeStore);
      const v = (...x: number[]): Float32Array => Float32Array.from(x);

      it('sets, replaces in place, removes and reuses the lowest free position', () => {
        const store = s();
        const g = store.gallery;
        const set = (m: string, id: string, vec: Float32Array): number => store.tx(() => g.set(m, id, vec));
        expect(set('face', 'a', v(1, 0))).toBe(0);
        expect(set('face', 'b', v(0, 1))).toBe(1);
        expect(set('face', 'c', v(1, 1))).toBe(2);
        expect(set('fingerprint', 'a', v(0.5))).toBe(0);
        expect(set('face', 'a', v(0.6, 0.8))).toBe(0);
        expect(g.at('face', 0)).toEqual({ recordId: 'a', vector: v(0.6, 0.8) });
        expect(g.count('face')).toBe(3);
        expect(store.tx(() => g.remove('face', 'b'))).toBe(true);
        expect(store.tx(() => g.remove('face', 'b'))).toBe(false);
        expect(store.tx(() => g.remove('face', 'a'))).toBe(true);
        expect(g.at('face', 1)).toBeUndefined();
        expect(g.count('face')).toBe(1);
        expect(set('face', 'd', v(0, 0))).toBe(0);
        expect(set('face', 'e', v(0, 0))).toBe(1);
        expect(set('face', 'f', v(0, 0))).toBe(3);
        expect(g.count('fingerprint')).toBe(1);
      });

      it('lists changes after a sequence number, in order, freed positions included', () => {
        const store = s();
        const g = store.gallery;
        store.tx(() => {
          g.set('face', 'a', v(1));
          g.set('fingerprint', 'b', v(2));
          g.set('face', 'c', v(3));
        });
        const all = [...g.changes(0)];
        expect(all.map((r) => [r.modality, r.position, r.recordId])).toEqual([
          ['face', 0, 'a'],
          ['fingerprint', 0, 'b'],
          ['face', 1, 'c'],
        ]);
        const last = all.at(-1)?.seq ?? 0;
        store.tx(() => g.remove('face', 'a'));
        const after = [...g.changes(last)];
        expect(after).toEqual([{ modality: 'face', position: 0, recordId: null, vector: null, seq: expect.any(Number) }]);
        expect(after[0]?.seq).toBeGreaterThan(last);
        expect([...g.changes(0, 'fingerprint')].map((r) => r.recordId)).toEqual(['b']);
        expect([...g.changes(after[0]?.seq ?? 0)]).toEqual([]);
      });

      it('lists changed positions without templates, and the templates held in a range of positions', () => {
        const store = s();
        const g = store.gallery;
        store.tx(() => {
          g.set('face', 'a', v(1));
          g.set('face', 'b', v(2));
          g.set('fingerprint', 'c', v(3));
          g.set('face', 'd', v(4));
          g.remove('face', 'b');
        });
        const changed = [...g.changedPositions(0)];
        expect(changed.map((r) => [r.modality, r.position, r.present])).toEqual([
          ['face', 0, true],
          ['fingerprint', 0, true],
          ['face', 2, true],
          ['face', 1, false],
        ]);
        expect([...g.changedPositions(changed[2]?.seq ?? 0)].map((r) => r.position)).toEqual([1]);
        expect([...g.range('face', 0, 3)]).toEqual([
          { position: 0, vector: v(1) },
          { position: 2, vector: v(4) },
        ]);
        expect([...g.range('face', 1, 2)]).toEqual([]);
      });

      it('stores encoded gallery blocks per modality, replaces them, and the seq they are complete through', () => {
        const { galleryBlocks: b } = s();
        const row = (block: number, seq: number, fill: number) => ({
          modality: 'face',
          block,
          param: 'face-512-v1',
          seq,
          occupied: new Uint8Array(4).fill(1),
          residues: new Uint8Array(8).fill(fill),
          mac: new Uint8Array(32).fill(fill),
        });
        expect(b.encodedThrough('face')).toBe(0);
        b.put(row(1, 5, 1));
        b.put(row(0, 5, 2));
        b.put(row(1, 9, 3));
        b.put({ ...row(0, 1, 4), modality: 'fingerprint' });
        b.setEncodedThrough('face', 9);
        const list = [...b.list('face')].map((r) => ({ ...r, occupied: blob(r.occupied), residues: blob(r.residues), mac: blob(r.mac) }));
        expect(list).toEqual([row(0, 5, 2), row(1, 9, 3)]);
        expect(b.encodedThrough('face')).toBe(9);
        b.clear('face');
        expect([...b.list('face')]).toEqual([]);
        expect(b.encodedThrough('face')).toBe(0);
        expect([...b.list('fingerprint')]).toHaveLength(1);
      });

      it('remembers answered queries per requester with their permutation nonce; a repeated id is a conflict', () => {
        const { gallery } = s();
        const q1 = {
          id: 'q1',
          requester: 'FR',
          modality: 'face',
          positions: 10,
          answeredAt: 1,
          analyst: 'claire-1a2b3c',
          permutationNonce: new Uint8Array(32).fill(3),
        };
        gallery.recordAnswered(q1);
        expect(gallery.answered('FR', 'q1')).toEqual(q1);
        expect(() => gallery.recordAnswered({ ...q1, positions: 12, answeredAt: 2, analyst: 'other-9f8e7d' })).toThrow(
          expect.objectContaining({ code: 'conflict' }),
        );
        expect(gallery.answered('FR', 'q1')).toEqual(q1);
        expect(gallery.answered('IT', 'q1')).toBeUndefined();
        const legacy = { ...q1, id: 'q0', analyst: null, permutationNonce: null };
        gallery.recordAnswered(legacy);
        expect(gallery.answered('FR', 'q0')).toEqual(legacy);
      });
    });

    describeExchangeRepositories(makeStore);
  });
}
