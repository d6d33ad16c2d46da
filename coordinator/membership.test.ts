/**
 * Unit tests of member login (certificate + signed statement bound to the connection, checked before a
 * connection exists), replacement, revocation and heartbeat, with fake sockets and a manual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes, SigningKey, toBase64url, toHex } from '#crypto';
import { encode, errorCodeOf, issueRevocationList } from '#protocol';
import { type Harness, type Member, ORG, settle, startHarness } from './harness.test-fixture.ts';

const refusal = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    return errorCodeOf(e);
  }
};

describe('coordinator login (certificate and channel-bound statement in the upgrade request)', () => {
  let h: Harness;
  let fr: Member;

  beforeEach(async () => {
    h = await startHarness();
    fr = await h.admit('FR');
  });
  afterEach(async () => {
    await h.close();
  });

  it('accepts a certified member, records its certificate and greets it with the directory', async () => {
    const c = await h.connect(fr);
    expect(c.socket.framesOf('welcome')).toEqual([{ t: 'welcome', members: [expect.objectContaining({ descriptor: null })], revocations: null }]);
    expect(h.coordinator.connected()).toEqual(['FR']);
    expect(c.socket.open).toBe(true);
    expect(h.auditEntries()).toContainEqual({ kind: 'member.connected', country: 'FR' });
    expect((await h.store.members.get('FR'))?.cert).toBeInstanceOf(Uint8Array);
  });

  it('refuses a login relayed from another TLS session, for another coordinator, signed by another key, or with none', async () => {
    expect(await refusal(h.connect(fr, { relayed: true }))).toBe('unauthenticated');
    expect(await refusal(h.connect(fr, { coordinator: 'elsewhere' }))).toBe('unauthenticated');
    expect(await refusal(h.connect(fr, { key: SigningKey.generate() }))).toBe('bad_signature');
    expect(await refusal(h.connect(fr, { noLogin: true }))).toBe('unauthenticated');
    expect(h.coordinator.connected()).toEqual([]);
  });

  it('refuses certificates from another root, expired ones and suspended members', async () => {
    const other = await startHarness();
    try {
      expect(await refusal(h.connect(await other.admit('DE')))).toBe('untrusted_key');
    } finally {
      await other.close();
    }
    const old = await h.admit('IT', { notAfter: h.clock.now() + 1000 });
    h.clock.advance(2000);
    expect(await refusal(h.connect(old))).toBe('certificate_expired');
    const list = issueRevocationList(h.root, {
      org: ORG,
      seq: 1,
      issuedAt: h.clock.now(),
      nextUpdate: h.clock.now() + 1e9,
      entries: [{ role: 'node', name: 'FR', status: 'suspended', since: h.clock.now() }],
    });
    await h.store.meta.set('revocations', toBase64url(encode(list)));
    expect(await h.coordinator.refreshRevocations()).toBe(true);
    expect(await refusal(h.connect(fr))).toBe('revoked');
  });

  it('ends the session of a member a new revocation list suspends, and sends the list to the others', async () => {
    const a = await h.connect(fr);
    const de = await h.connect(await h.admit('DE'));
    const list = issueRevocationList(h.root, {
      org: ORG,
      seq: 1,
      issuedAt: h.clock.now(),
      nextUpdate: h.clock.now() + 1e9,
      entries: [{ role: 'node', name: 'FR', status: 'suspended', since: h.clock.now() }],
    });
    await h.store.meta.set('revocations', toBase64url(encode(list)));
    h.clock.advance(1000); // the revocation poll
    await settle();
    expect(a.socket.closedWith).toEqual({ code: 4403, reason: 'member suspended' });
    await settle();
    expect(h.coordinator.connected()).toEqual(['DE']);
    expect((await h.store.members.get('FR'))?.status).toBe('suspended');
    h.clock.advance(100); // the directory broadcast
    await settle();
    const [members] = de.socket.framesOf('members');
    expect(members?.revocations && toHex(members.revocations.sig)).toBe(toHex(list.sig));
  });

  it('a newer connection replaces the older one; the older one closing does not end the newer session', async () => {
    const a = await h.connect(fr);
    const b = await h.connect(fr);
    expect(a.socket.closedWith).toEqual({ code: 4409, reason: 'replaced by a newer connection' });
    await settle();
    expect(h.coordinator.connected()).toEqual(['FR']);
    b.socket.terminate();
    await settle();
    expect(h.coordinator.connected()).toEqual([]);
    expect(h.auditEntries().map((e) => e.kind)).toEqual(['member.connected', 'member.connected', 'member.disconnected']);
  });

  it('frames wait for the login to complete; text frames and garbage are refused with typed errors', async () => {
    const d = await h.connect(fr);
    d.sendRaw(encode({ hello: 1 }), false);
    d.sendRaw(encode({ t: 'no-such-frame' }));
    await settle();
    expect(d.socket.framesOf('error').map((e) => e.code)).toEqual(['bad_msgpack', 'bad_schema']);
    expect(d.socket.open).toBe(true);
  });

  it('pings live sessions and terminates one that stopped answering', async () => {
    const c = await h.connect(fr);
    const quiet = await h.connect(await h.admit('DE'));
    quiet.socket.onPing = () => undefined;
    h.clock.advance(h.config.heartbeatMs);
    expect([c.socket.pings, quiet.socket.pings]).toEqual([1, 1]);
    h.clock.advance(h.config.heartbeatMs);
    expect(quiet.socket.terminated).toBe(true);
    expect(c.socket.terminated).toBe(false);
    await settle();
    expect(h.coordinator.connected()).toEqual(['FR']);
  });

  it('stops answering once closed', async () => {
    const c = await h.connect(fr);
    await h.coordinator.close();
    c.send({ t: 'mail-ack', mids: [toHex(randomBytes(16))] });
    await settle();
    expect(c.socket.framesOf('error')).toEqual([]);
  });
});
