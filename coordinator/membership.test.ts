/**
 * Unit tests of member login (challenge/response), replacement, auth timeout and heartbeat, with fake
 * sockets and a manual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SigningKey, randomBytes, toHex } from '#crypto';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, challengeBytes, encode } from '#protocol';
import { settle, startHarness, type Connected, type Harness, type Member } from './harness.test-fixture.ts';
import { AUTH_TIMEOUT_MS } from './connection.ts';

describe('coordinator login (challenge/response)', () => {
  let h: Harness;
  let fr: Member;

  beforeEach(async () => {
    h = await startHarness();
    fr = await h.admit('FR');
  });
  afterEach(async () => {
    await h.close();
  });

  it('greets with a fresh challenge naming the coordinator, and accepts the admitted key', async () => {
    const a = await h.connect(fr, { auth: false });
    const b = await h.connect(fr, { auth: false });
    const [ca] = a.socket.framesOf('challenge');
    const [cb] = b.socket.framesOf('challenge');
    expect(ca).toMatchObject({ v: PROTOCOL_VERSION, coordinator: 'unit-coordinator' });
    expect(ca?.nonce).not.toEqual(cb?.nonce);

    const c = await h.connect(fr);
    expect(c.socket.framesOf('welcome')).toEqual([{ t: 'welcome', members: [] }]);
    expect(h.coordinator.connected()).toEqual(['FR']);
    expect(c.socket.open).toBe(true);
    expect(h.auditEntries()).toContainEqual({ kind: 'member.connected', country: 'FR' });
  });

  it('refuses a wrong signature, an unknown or suspended member and a version out of range, and closes', async () => {
    const cases: Array<[Promise<Connected>, string]> = [
      [h.connect(fr, { sig: SigningKey.generate().sign(randomBytes(32)) }), 'bad_signature'],
      [h.connect({ ...fr, country: 'ZZ' }), 'unknown_member'],
      [h.connect(fr, { v: PROTOCOL_VERSION + 1 }), 'version_too_new'],
    ];
    if (MIN_PROTOCOL_VERSION > 0) cases.push([h.connect(fr, { v: MIN_PROTOCOL_VERSION - 1 }), 'version_too_old']);
    for (const [p, code] of cases) {
      const c = await p;
      expect(c.socket.framesOf('error')).toEqual([{ t: 'error', code }]);
      expect(c.socket.closedWith).toEqual({ code: 4401, reason: code });
    }
    await h.store.members.setStatus('FR', 'suspended');
    const s = await h.connect(fr);
    expect(s.socket.framesOf('error')).toEqual([{ t: 'error', code: 'unknown_member' }]);
    expect(h.coordinator.connected()).toEqual([]);
  });

  it('refuses a signature by another admitted member for this country', async () => {
    const de = await h.admit('DE');
    const c = await h.connect({ ...de, country: 'FR' });
    expect(c.socket.framesOf('error')).toEqual([{ t: 'error', code: 'bad_signature' }]);
  });

  it('refuses any frame before login, and a second login', async () => {
    const c = await h.connect(fr, { auth: false });
    c.send({ t: 'mail-ack', mids: [toHex(randomBytes(16))] });
    await settle();
    expect(c.socket.framesOf('error')).toEqual([{ t: 'error', code: 'unauthenticated' }]);
    expect(c.socket.closedWith?.code).toBe(4401);

    const d = await h.connect(fr);
    const [challenge] = d.socket.framesOf('challenge');
    d.send({ t: 'auth', v: PROTOCOL_VERSION, country: 'FR', sig: randomBytes(64) });
    d.sendRaw(encode({ hello: 1 }), false);
    await settle();
    expect(d.socket.framesOf('error').map((e) => e.code)).toEqual(['bad_request', 'bad_msgpack']);
    expect(d.socket.open).toBe(true);
    expect(challenge).toBeDefined();
  });

  it('closes a connection that does not log in in time', async () => {
    const c = await h.connect(fr, { auth: false });
    h.clock.advance(AUTH_TIMEOUT_MS - 1);
    expect(c.socket.open).toBe(true);
    h.clock.advance(1);
    expect(c.socket.closedWith).toEqual({ code: 4401, reason: 'auth timeout' });
    const d = await h.connect(fr);
    h.clock.advance(AUTH_TIMEOUT_MS);
    expect(d.socket.open).toBe(true);
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

  it('a connection closed while its login completes does not stay registered', async () => {
    const c = await h.connect(fr, { auth: false });
    const [challenge] = c.socket.framesOf('challenge');
    if (!challenge) throw new Error('no challenge');
    c.send({ t: 'auth', v: PROTOCOL_VERSION, country: 'FR', sig: fr.key.sign(challengeBytes(challenge.nonce, challenge.coordinator, 'FR')) });
    c.socket.terminate(); // before the store answered
    await settle();
    expect(h.coordinator.connected()).toEqual([]);
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
    const c = await h.connect(fr, { auth: false });
    await h.coordinator.close();
    c.send({ t: 'mail-ack', mids: [toHex(randomBytes(16))] });
    await settle();
    expect(c.socket.framesOf('error')).toEqual([]);
  });
});
