/**
 * Part of the node store suite (`store-suite.ts`): the repositories of what a node exchanges with
 * other countries and its officers — mail (outbox and exactly-once inbox), disclosures in and out with
 * their status transitions, and data-owner accounts with their sessions and failed-login throttle.
 */
import { describe, expect, it } from 'vitest';
import type { NewIncomingDisclosure } from './repositories.ts';
import { bytes, type MakeStore, useStore } from './store-suite-fixture.ts';

const incoming = (id: string, o: Partial<NewIncomingDisclosure> = {}): NewIncomingDisclosure => ({
  id,
  requester: 'FR',
  analyst: 'claire-1a2b3c',
  requestId: `req-${id}`,
  digest: bytes(9),
  purpose: 'wanted-person',
  caseRef: 'FR-2026-1',
  legalBasis: 'art-3',
  fields: ['name', 'dob'],
  justification: 'why',
  recordId: 'de-1',
  cls: 'name_dob',
  claimKind: 'name',
  score: null,
  analystBoxPub: bytes(7),
  receivedAt: 100,
  deadline: 1000,
  ...o,
});

export function describeExchangeRepositories(makeStore: MakeStore): void {
  describe('mail', () => {
    const s = useStore(makeStore);

    it('queues once per mid, hands out oldest first, forgets what was sent', () => {
      const { mail } = s();
      mail.queue({ mid: 'b', recipient: 'FR', env: bytes(2) }, 20);
      mail.queue({ mid: 'a', recipient: 'IT', env: bytes(1) }, 20);
      mail.queue({ mid: 'c', recipient: 'FR', env: bytes(3) }, 10);
      mail.queue({ mid: 'c', recipient: 'XX', env: bytes(9) }, 30);
      expect(mail.outboxCount()).toBe(3);
      expect(mail.outbox()).toEqual([
        { mid: 'c', recipient: 'FR', env: bytes(3) },
        { mid: 'a', recipient: 'IT', env: bytes(1) },
        { mid: 'b', recipient: 'FR', env: bytes(2) },
      ]);
      expect(mail.outbox(1).map((m) => m.mid)).toEqual(['c']);
      mail.sent('c');
      mail.sent('unknown');
      expect(mail.outbox().map((m) => m.mid)).toEqual(['a', 'b']);
      expect(mail.outboxCount()).toBe(2);
    });

    it('records a received mid exactly once', () => {
      const { mail } = s();
      expect(mail.received('m1', 'FR', 1)).toBe(true);
      expect(mail.received('m1', 'FR', 2)).toBe(false);
      expect(mail.received('m2', 'FR', 3)).toBe(true);
    });
  });

  describe('disclosures', () => {
    const s = useStore(makeStore);

    it('queues an incoming request once per (requester, analyst, request id), as pending, and maps it back by its handle', () => {
      const { disclosures } = s();
      expect(disclosures.addIncoming(incoming('r1'))).toBe(true);
      // The same key under another handle, or the same handle: nothing written.
      expect(disclosures.addIncoming(incoming('r9', { requestId: 'req-r1', justification: 'other' }))).toBe(false);
      expect(disclosures.addIncoming(incoming('r1', { requestId: 'req-other' }))).toBe(false);
      expect(disclosures.incoming('r9')).toBeUndefined();
      const { digest: _digest, ...stored } = incoming('r1');
      expect(disclosures.incoming('r1')).toEqual({ ...stored, status: 'pending', decidedAt: null, decidedBy: null, releasedFields: null, reason: null });
      expect(disclosures.incoming('nope')).toBeUndefined();
      disclosures.addIncoming(incoming('r2', { cls: 'face', claimKind: 'bio', score: 0.91 }));
      expect(disclosures.incoming('r2')).toMatchObject({ cls: 'face', claimKind: 'bio', score: 0.91 });
    });

    it('keeps request ids of different requesters and analysts apart', () => {
      const { disclosures } = s();
      expect(disclosures.addIncoming(incoming('a', { requestId: 'same' }))).toBe(true);
      expect(disclosures.addIncoming(incoming('b', { requestId: 'same', analyst: 'bob-4d5e6f' }))).toBe(true);
      expect(disclosures.addIncoming(incoming('c', { requestId: 'same', requester: 'IT' }))).toBe(true);
      expect(disclosures.seenIncoming({ requester: 'FR', analyst: 'claire-1a2b3c', requestId: 'same' })).toEqual({
        digest: bytes(9),
        outcome: { queued: 'a' },
      });
      expect(disclosures.seenIncoming({ requester: 'IT', analyst: 'claire-1a2b3c', requestId: 'same' })).toEqual({
        digest: bytes(9),
        outcome: { queued: 'c' },
      });
      expect(disclosures.seenIncoming({ requester: 'IT', analyst: 'bob-4d5e6f', requestId: 'same' })).toBeUndefined();
      // A rejected request is remembered under its key too (once).
      disclosures.addRejectedIncoming({ requester: 'IT', analyst: 'bob-4d5e6f', requestId: 'same' }, bytes(4), 'claim_mismatch', 5);
      disclosures.addRejectedIncoming({ requester: 'IT', analyst: 'bob-4d5e6f', requestId: 'same' }, bytes(5), 'decrypt_failed', 6);
      expect(disclosures.seenIncoming({ requester: 'IT', analyst: 'bob-4d5e6f', requestId: 'same' })).toEqual({
        digest: bytes(4),
        outcome: { rejected: 'claim_mismatch' },
      });
      expect(
        disclosures
          .listIncoming('all', 10)
          .map((d) => d.id)
          .sort(),
      ).toEqual(['a', 'b', 'c']);
      expect(disclosures.incomingByRequestId('same')).toEqual(['a', 'b', 'c']);
      expect(disclosures.incomingByRequestId('req-none')).toEqual([]);
    });

    it('moves requests from pending to decided and lists them by deadline or by decision time', () => {
      const { disclosures } = s();
      disclosures.addIncoming(incoming('late', { deadline: 3000, receivedAt: 1 }));
      disclosures.addIncoming(incoming('soon', { deadline: 500, receivedAt: 2 }));
      disclosures.addIncoming(incoming('mid', { deadline: 900, receivedAt: 3 }));
      expect(disclosures.listIncoming('pending', 10).map((d) => d.id)).toEqual(['soon', 'mid', 'late']);
      expect(disclosures.listIncoming('pending', 2).map((d) => d.id)).toEqual(['soon', 'mid']);
      expect(disclosures.dueIncoming(900)).toEqual(expect.arrayContaining(['soon', 'mid']));
      expect(disclosures.dueIncoming(900)).toHaveLength(2);

      disclosures.decideIncoming('mid', { status: 'approved', decidedAt: 50, decidedBy: 'anna-1', releasedFields: ['name'], reason: null });
      disclosures.decideIncoming('soon', { status: 'denied', decidedAt: 60, decidedBy: 'anna-1', releasedFields: null, reason: 'no basis' });
      expect(disclosures.incoming('mid')).toMatchObject({ status: 'approved', decidedAt: 50, decidedBy: 'anna-1', releasedFields: ['name'], reason: null });
      expect(disclosures.incoming('soon')).toMatchObject({ status: 'denied', releasedFields: null, reason: 'no basis' });
      expect(disclosures.listIncoming('pending', 10).map((d) => d.id)).toEqual(['late']);
      expect(disclosures.listIncoming('decided', 10).map((d) => d.id)).toEqual(['soon', 'mid']);
      expect(disclosures.listIncoming('all', 10).map((d) => d.id)).toEqual(['soon', 'mid', 'late']);
      expect(disclosures.dueIncoming(10_000)).toEqual(['late']);
      disclosures.decideIncoming('late', { status: 'expired', decidedAt: 3000, decidedBy: 'deadline', releasedFields: null, reason: null });
      expect(disclosures.dueIncoming(10_000)).toEqual([]);
    });

    it('records outgoing requests per (analyst, id) as sent, settles them with the decision, lists them per analyst', () => {
      const { disclosures } = s();
      disclosures.addOutgoing({ analyst: 'ana', id: 'o1', digest: bytes(1), owner: 'DE', fields: ['name'] }, 10);
      disclosures.addOutgoing({ analyst: 'ana', id: 'o2', digest: bytes(2), owner: 'IT', fields: ['vehicle', 'dataset'] }, 20);
      disclosures.addOutgoing({ analyst: 'bob', id: 'o3', digest: bytes(3), owner: 'DE', fields: ['dob'] }, 30);
      // Another analyst's id is another request; the same analyst's is refused by the store.
      disclosures.addOutgoing({ analyst: 'bob', id: 'o1', digest: bytes(4), owner: 'DE', fields: ['dob'] }, 40);
      expect(() => disclosures.addOutgoing({ analyst: 'ana', id: 'o1', digest: bytes(1), owner: 'DE', fields: ['name'] }, 50)).toThrow();
      expect(disclosures.outgoing({ analyst: 'ana', id: 'o1' })).toEqual({
        analyst: 'ana',
        id: 'o1',
        digest: bytes(1),
        owner: 'DE',
        fields: ['name'],
        status: 'sent',
        createdAt: 10,
        decision: null,
      });
      disclosures.settleOutgoing({ analyst: 'ana', id: 'o1' }, 'approved', bytes(5, 6));
      expect(disclosures.outgoing({ analyst: 'ana', id: 'o1' })).toMatchObject({ status: 'approved', decision: bytes(5, 6) });
      expect(disclosures.outgoing({ analyst: 'bob', id: 'o1' })).toMatchObject({ status: 'sent', decision: null, fields: ['dob'] });
      expect(disclosures.listOutgoing('ana', 100).map((d) => [d.id, d.status])).toEqual([
        ['o2', 'sent'],
        ['o1', 'approved'],
      ]);
      expect(disclosures.listOutgoing('ana', 1).map((d) => d.id)).toEqual(['o2']);
      expect(disclosures.listOutgoing('nobody', 100)).toEqual([]);
      expect(disclosures.outgoing({ analyst: 'ana', id: 'nope' })).toBeUndefined();
    });
  });

  describe('data owners and console sessions', () => {
    const s = useStore(makeStore);

    it('adds, lists (by name, then id), finds and disables accounts', () => {
      const { owners } = s();
      owners.add({ id: 'zed-1', name: 'Zed', pwHash: 'h1' }, 5);
      owners.add({ id: 'ann-2', name: 'Ann', pwHash: 'h2' }, 6);
      owners.add({ id: 'ann-1', name: 'Ann', pwHash: 'h3' }, 7);
      expect(owners.list().map((o) => o.id)).toEqual(['ann-1', 'ann-2', 'zed-1']);
      expect(owners.get('zed-1')).toEqual({ id: 'zed-1', name: 'Zed', pwHash: 'h1', createdAt: 5, disabled: false });
      expect(owners.disable('zed-1')).toBe(true);
      expect(owners.disable('zed-1')).toBe(false);
      expect(owners.disable('nobody')).toBe(false);
      expect(owners.get('zed-1')?.disabled).toBe(true);
      expect(owners.get('nobody')).toBeUndefined();
      expect(() => owners.add({ id: 'ann-1', name: 'Again', pwHash: 'h' }, 8)).toThrow();
    });

    it('keeps sessions by token hash with their account, and deletes one, all of an owner, or the expired', () => {
      const { owners } = s();
      owners.add({ id: 'ann-1', name: 'Ann', pwHash: 'h' }, 1);
      owners.add({ id: 'bob-1', name: 'Bob', pwHash: 'h' }, 1);
      owners.addSession({ tokenHash: bytes(1), owner: 'ann-1', csrf: 'c1', expiresAt: 100 });
      owners.addSession({ tokenHash: bytes(2), owner: 'ann-1', csrf: 'c2', expiresAt: 200 });
      owners.addSession({ tokenHash: bytes(3), owner: 'bob-1', csrf: 'c3', expiresAt: 300 });
      const found = owners.session(bytes(1));
      expect(found?.session).toEqual({ tokenHash: bytes(1), owner: 'ann-1', csrf: 'c1', expiresAt: 100 });
      expect(found?.owner).toMatchObject({ id: 'ann-1', name: 'Ann', disabled: false });
      expect(owners.session(bytes(9))).toBeUndefined();

      owners.deleteExpiredSessions(100);
      expect(owners.session(bytes(1))).toBeUndefined();
      expect(owners.session(bytes(2))).toBeDefined();
      owners.deleteSession(bytes(2));
      expect(owners.session(bytes(2))).toBeUndefined();
      owners.addSession({ tokenHash: bytes(4), owner: 'bob-1', csrf: 'c4', expiresAt: 400 });
      owners.disable('bob-1');
      expect(owners.session(bytes(4))?.owner.disabled).toBe(true);
      owners.deleteSessionsOf('bob-1');
      expect(owners.session(bytes(3))).toBeUndefined();
      expect(owners.session(bytes(4))).toBeUndefined();
    });

    it('keeps failed-login throttle rows per scope and key, counts the addresses failing against an account, and prunes', () => {
      const { owners } = s();
      const row = { scope: 'address', key: '10.0.0.66', failures: 2, windowStart: 10, locks: 0, lockedUntil: 0, lastFailure: 20 } as const;
      expect(owners.throttle('address', '10.0.0.66')).toBeUndefined();
      owners.putThrottle(row);
      owners.putThrottle({ ...row, scope: 'account', key: 'ann-1', failures: 1 });
      owners.putThrottle({ ...row, failures: 3, locks: 1, lockedUntil: 100, lastFailure: 30 });
      expect(owners.throttle('address', '10.0.0.66')).toEqual({ ...row, failures: 3, locks: 1, lockedUntil: 100, lastFailure: 30 });
      expect(owners.throttle('account', 'ann-1')?.failures).toBe(1);
      owners.deleteThrottle('account', 'ann-1');
      expect(owners.throttle('account', 'ann-1')).toBeUndefined();

      expect(owners.addFailureSource('ann-1', '10.0.0.1', 10, 0)).toBe(1);
      expect(owners.addFailureSource('ann-1', '10.0.0.1', 11, 0)).toBe(1);
      expect(owners.addFailureSource('ann-1', '10.0.0.2', 12, 0)).toBe(2);
      expect(owners.addFailureSource('bob-1', '10.0.0.2', 12, 0)).toBe(1);
      expect(owners.addFailureSource('ann-1', '10.0.0.3', 13, 12)).toBe(2); // since 12: .2 and .3
      owners.clearFailureSources('ann-1');
      expect(owners.addFailureSource('ann-1', '10.0.0.1', 14, 0)).toBe(1);

      // Pruned: rows whose last failure and lock are both before the cut, sources older than theirs.
      owners.pruneThrottle(101, 14);
      expect(owners.throttle('address', '10.0.0.66')).toBeUndefined();
      owners.putThrottle({ ...row, lockedUntil: 500 });
      owners.pruneThrottle(101, 0);
      expect(owners.throttle('address', '10.0.0.66')).toBeDefined();
      expect(owners.addFailureSource('bob-1', '10.0.0.9', 15, 0)).toBe(1);
      expect(owners.addFailureSource('ann-1', '10.0.0.9', 15, 0)).toBe(2);
    });
  });
}
