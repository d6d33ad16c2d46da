/**
 * A member that never reads its answers is cut off (issue 10, attack 4's "pile up answers" variant), on a
 * real network in this process: real coordinator and nodes on loopback, a hostile member logged in by
 * hand with its own certificate.
 *
 * The hostile member stops reading its socket, then sends validly signed bucket lookups whose answers
 * (complete buckets with their paths) are large. The coordinator writes every answer into the member's
 * websocket; once the kernel's socket buffers are full the bytes pile up in the coordinator's own memory.
 * Past `maxUnreadBytes` of unread answers (coordinator/transport.ts; two 40 MiB frames by default, 1 MiB
 * here) the coordinator terminates that connection, and so holds at most about that much for it. Without the cutoff nothing stops the pile
 * growing for as long as the member keeps asking, and this test fails: the connection is never closed.
 * Honest analysts elsewhere keep getting their answers throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, randomBytes, toHex } from '#crypto';
import { type ForwardedLookup, keyId, type NodeFrame, signEnvelope } from '#protocol';
import type { VeilClient } from '#sdk';
import { CTX, coordinatorSqlite, type Inproc, startInproc } from './helpers/inproc.ts';
import { RawNode } from './helpers/raw-node.ts';

const karl = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
};
const KARL = { name: 'Karl Weber', dob: '1966-06-06' };
/** The coordinator's cutoff in this test (its configuration's `maxUnreadBytes`). */
const CAP = 1024 * 1024;
/** What the member asks for in all, unread: many times the cap and any socket buffers on loopback. */
const ASKED = 48 * 1024 * 1024;
const answerAll = { v: 1, answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }], budgets: { dailyEvaluations: 10_000_000, perRequester: {} } };

describe('a member that never reads its answers', () => {
  let net: Inproc;
  let analyst: VeilClient;

  beforeAll(async () => {
    await initCrypto();
    // The lookup bucket is lifted so that it is the unread answers, not the rate limit, that stop the
    // member; the cap is lowered from its default (two 40 MiB frames) so the pile is quick to build.
    net = await startInproc([{ country: 'FR' }, { country: 'DE', records: [karl], policy: answerAll }], {
      lookupKeysPerCountry: 10_000_000,
      maxUnreadBytes: CAP,
      // The heartbeat would also drop a member that stops reading (its pongs stop), after a while: kept out of the way.
      heartbeatMs: 120_000,
    });
    analyst = await net.client('FR');
  });

  afterAll(async () => {
    await net?.stop();
  });

  it('is cut off once its unread answers pass the cap, and the others keep being served', { timeout: 300_000 }, async () => {
    const rogue = net.pki.member('RO');
    const ro = await RawNode.connect(net.coordinator.wsUrl, 'RO', rogue, { caPem: net.pki.bundle().caPem });
    await ro.next('welcome');
    const kid = keyId.node('RO');
    // Bucket lookups of 64 random 2-byte prefixes in each of DE's and FR's indexes: each answer carries
    // 128 complete buckets and their paths.
    const lookup = (): NodeFrame => {
      const q: ForwardedLookup = {
        t: 'fwd-lookup',
        id: toHex(randomBytes(16)),
        ts: Date.now(),
        nonce: randomBytes(16),
        from: 'RO',
        mode: 'bucket',
        items: ['DE', 'FR'].map((country) => ({ country, epoch: 1, keys: Array.from({ length: 64 }, () => randomBytes(2)) })),
      };
      return { t: 'lookup', env: signEnvelope(rogue.signing, kid, q) };
    };
    // One answer's size, read normally, to know how much the member asked for in total.
    ro.send(lookup());
    const one = await ro.next('lookup-result', 30_000);
    const answerBytes = ro.received.at(-1)?.length ?? 0;
    expect(one.results.length).toBe(2);
    expect(answerBytes).toBeGreaterThan(1000);

    // From now on the member never reads.
    (ro.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    // What the coordinator has answered, from its audit log (one `index.lookup` entry per answer).
    const audit = coordinatorSqlite(net.coordinator).auditLog;
    if (!audit) throw new Error('coordinator audit');
    let seq = audit.list({ order: 'desc', limit: 1 })[0]?.seq ?? 0;
    let answered = 0;
    const countAnswers = (): void => {
      for (;;) {
        const page = audit.list({ kind: 'index.lookup', afterSeq: seq, limit: 1000 });
        for (const r of page) if (r.entry.country === 'RO') answered++;
        seq = page.at(-1)?.seq ?? seq;
        if (page.length < 1000) return;
      }
    };
    const budget = Math.ceil(ASKED / answerBytes);
    let sent = 0;
    let served = 0;
    // Paced by the coordinator's answers (a few lookups ahead of them), so what was sent was answered.
    while (!ro.closed && sent < budget) {
      countAnswers();
      if (sent - answered >= 4) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      ro.send(lookup());
      sent++;
      // An honest analyst now and then, while the pile grows.
      if (sent % 10 === 0) {
        const r = await analyst.query(KARL, CTX, { targets: ['DE'] });
        if (r.results[0]?.status === 'hit') served++;
      }
    }
    const deadline = Date.now() + 10_000;
    while (!ro.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    countAnswers();
    // Cut off by the coordinator (an abrupt close), not by running out of things to ask, once the
    // answers it wrote passed the cap plus what the sockets' kernel buffers took.
    expect(ro.closed?.code).toBe(1006);
    expect(sent).toBeLessThan(budget);
    expect(answered * answerBytes).toBeLessThan((2 * ASKED) / 3);
    // Served meanwhile and afterwards.
    expect(served).toBe(Math.floor(sent / 10));
    const after = await analyst.query(KARL, CTX, { targets: ['DE'] });
    expect(after.results[0]?.status).toBe('hit');
  });
});
