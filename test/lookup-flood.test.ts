/**
 * A flooding member cuts no one off (issue 10, attack 4), on a real network in this process: real
 * coordinator and nodes on loopback, a hostile member connected by hand with its own certificate.
 *
 * The hostile member sends lookups and identifier queries as fast as its socket takes them, validly
 * signed, and never reads what comes back (the rates are set low here so that one test process outruns
 * them). Before the fix lookups had no rate limit at all: one flooding member held the coordinator's
 * event loop with index reads and other countries' queries timed out; a lookup naming one country 64
 * times made the coordinator rebuild that country's index tree 64 times. Now lookups take tokens from a bucket per
 * country charged by keys, queries from one charged by query, both checked before any signature or
 * index work and refusals audited (once per minute per country and kind, with the count), and a member
 * that leaves more than two frames' worth of answers unread is cut off. Honest analysts elsewhere keep getting
 * their answers meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blind, initCrypto, randomBytes, toHex, utf8 } from '#crypto';
import { type ForwardedLookup, type ForwardedQuery, keyId, type NodeFrame, signEnvelope } from '#protocol';
import type { VeilClient } from '#sdk';
import { CTX, coordinatorSqlite, type Inproc, startInproc } from './helpers/inproc.ts';
import { RawNode } from './helpers/raw-node.ts';
import { until } from './helpers/until.ts';

const karl = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
};
const KARL = { name: 'Karl Weber', dob: '1966-06-06' };
const answerAll = { v: 1, answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }], budgets: { dailyEvaluations: 10_000_000, perRequester: {} } };

describe('a lookup and query flood from one member', () => {
  let net: Inproc;
  let analyst: VeilClient;

  beforeAll(async () => {
    await initCrypto();
    // Rates low enough that this process's flood outruns them (the defaults are sized for production).
    net = await startInproc([{ country: 'FR' }, { country: 'DE', records: [karl], policy: answerAll }], { ratePerCountry: 5, lookupKeysPerCountry: 64 });
    analyst = await net.client('FR');
  });

  afterAll(async () => {
    await net?.stop();
  });

  it('is refused past its buckets (audited), and other members keep getting their answers', async () => {
    const rogue = net.pki.member('RO');
    const ro = await RawNode.connect(net.coordinator.wsUrl, 'RO', rogue, { caPem: net.pki.bundle().caPem });
    await ro.next('welcome');
    const kid = keyId.node('RO');
    const lookup = (): NodeFrame => {
      const q: ForwardedLookup = {
        t: 'fwd-lookup',
        id: toHex(randomBytes(16)),
        ts: Date.now(),
        nonce: randomBytes(16),
        from: 'RO',
        mode: 'exact',
        items: [{ country: 'DE', epoch: 1, keys: Array.from({ length: 64 }, () => randomBytes(16)) }],
      };
      return { t: 'lookup', env: signEnvelope(rogue.signing, kid, q) };
    };
    const query = (): NodeFrame => {
      const q: ForwardedQuery = {
        t: 'fwd-query',
        id: toHex(randomBytes(16)),
        ts: Date.now(),
        nonce: randomBytes(16),
        from: 'RO',
        analyst: 'flooder',
        ...CTX,
        targets: ['DE'],
        items: Array.from({ length: 64 }, (_, i) => ({ cls: 'name_dob' as const, blinded: blind('voprf', utf8(`flood-${i}`)).blindedElement })),
      };
      return { t: 'query', env: signEnvelope(rogue.signing, kid, q) };
    };
    // Frames are signed ahead, so the flood costs this process little while it runs.
    const frames = Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? query() : lookup()));
    // The flooder never reads what comes back.
    (ro.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let flooding = true;
    let sent = 0;
    const pump = (): void => {
      if (!flooding || ro.closed) return;
      while (ro.ws.bufferedAmount < 4 * 1024 * 1024 && sent < frames.length * 50) {
        ro.send(frames[sent % frames.length] as NodeFrame);
        sent++;
      }
      setTimeout(pump, 5);
    };
    pump();

    const results = [];
    for (let i = 0; i < 10; i++) {
      results.push(await analyst.query(KARL, CTX, { targets: ['DE'] }));
    }
    flooding = false;
    expect(sent).toBeGreaterThan(100);
    expect(results.map((r) => r.results[0]?.status)).toEqual(Array(10).fill('hit'));

    // The refusals were audited, per kind, with their count.
    const audit = coordinatorSqlite(net.coordinator).auditLog;
    if (!audit) throw new Error('coordinator audit');
    const limited = await until('refusals audited', () => {
      const e = audit.list({ kind: 'rate.limited', limit: 100 }).map((r) => r.entry);
      return e.some((x) => x.status === 'lookup') && e.some((x) => x.status === 'query') ? e : undefined;
    });
    expect(limited.every((e) => e.country === 'RO' && e.code === 'rate_limited' && (e.count ?? 0) >= 1)).toBe(true);
    ro.close();
  });

  it('is refused bad_request when it names one country twice (one index tree read per country)', async () => {
    const other = net.pki.member('RX');
    const rx = await RawNode.connect(net.coordinator.wsUrl, 'RX', other, { caPem: net.pki.bundle().caPem });
    await rx.next('welcome');
    const item = () => ({ country: 'DE', epoch: 1, keys: [randomBytes(16)] });
    const q: ForwardedLookup = {
      t: 'fwd-lookup',
      id: toHex(randomBytes(16)),
      ts: Date.now(),
      nonce: randomBytes(16),
      from: 'RX',
      mode: 'exact',
      items: [item(), item()],
    };
    rx.send({ t: 'lookup', env: signEnvelope(other.signing, keyId.node('RX'), q) });
    const err = await rx.next('error');
    expect([err.code, err.ref]).toEqual(['bad_request', q.id]);
    rx.close();
  });
});
