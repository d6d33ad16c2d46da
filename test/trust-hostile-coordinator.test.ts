/**
 * A coordinator that lies, on a real network: it runs the real coordinator logic with its own genuine
 * keys and organisation certificate (test/helpers/hostile-coordinator.ts), and rewrites what it sends.
 * - It swaps a member's box key in the directory for one it holds, to read sealed disclosure claims:
 *   the descriptor no longer verifies under the member's certified key, every node and analyst drops
 *   the member, and nothing is ever sealed to the coordinator's key.
 * - It hides a hit, or invents one, in a lookup answer: the analyst's SDK checks every bucket against
 *   the owning node's signed commitment and reports that country as `bad_proof`, never as a hit or a
 *   no-hit.
 * Each attack is first run honestly (the control), so the test shows the lie, not a broken network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoxKeyPair, initCrypto, OprfKey, randomBytes, SigningKey } from '#crypto';
import {
  type CoordinatorFrame,
  ForwardedLookup,
  type ForwardedLookup as ForwardedLookupT,
  keyId,
  NodeDescriptor,
  type NodeFrame,
  readUnverified,
  signEnvelope,
} from '#protocol';
import type { VeilClient } from '#sdk';
import { startHostileCoordinator } from './helpers/hostile-coordinator.ts';
import { CTX, type Inproc, startInproc } from './helpers/inproc.ts';
import { RawNode } from './helpers/raw-node.ts';
import { until } from './helpers/until.ts';

const person = { id: 'fr-1', kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' } };
const KARL = { name: 'Karl Weber', dob: '1966-06-06' };
const NOBODY = { name: 'Anna Schmidt', dob: '1971-02-03' };

type Lie = 'none' | 'swap-box-key' | 'hide-hits' | 'invent-hits';

describe('a hostile coordinator gains nothing by lying', () => {
  let net: Inproc;
  let client: VeilClient;
  let lie: Lie = 'none';
  let attackerBox: BoxKeyPair;
  let attackerKey: SigningKey;
  /** The full tags DE asked FR's index for, by lookup id (an exact lookup shows them to the coordinator). */
  const asked = new Map<string, ForwardedLookupT>();
  const mailToFr: NodeFrame[] = [];

  function outgoing(country: string, f: CoordinatorFrame): CoordinatorFrame | undefined {
    if (country !== 'DE') return f;
    if (lie === 'swap-box-key' && (f.t === 'welcome' || f.t === 'members')) {
      const members = f.members.map((m) => {
        if (!m.descriptor || m.descriptor.kid !== keyId.node('FR')) return m;
        const d = readUnverified(m.descriptor, NodeDescriptor);
        return { ...m, descriptor: signEnvelope(attackerKey, keyId.node('FR'), { ...d, boxPub: attackerBox.publicKey() }) };
      });
      return { ...f, members };
    }
    if (f.t === 'lookup-result' && (lie === 'hide-hits' || lie === 'invent-hits')) {
      const req = asked.get(f.id);
      const results = f.results.map((r) => {
        if (r.country !== 'FR') return r;
        const buckets = r.buckets.map((b) => {
          if (lie === 'hide-hits') return { ...b, entries: [] };
          const mine = (req?.items.find((i) => i.country === 'FR')?.keys ?? []).filter((k) => ((k[0]! << 8) | k[1]!) === b.bucket);
          return { ...b, entries: [...b.entries, ...mine.map((k) => [k, randomBytes(48)] as [Uint8Array, Uint8Array])] };
        });
        return { ...r, buckets };
      });
      return { ...f, results };
    }
    return f;
  }

  function incoming(country: string, f: NodeFrame): void {
    if (country === 'DE' && f.t === 'lookup') {
      const l = readUnverified(f.env, ForwardedLookup);
      asked.set(l.id, l);
    }
    if (country === 'DE' && f.t === 'mail-send' && f.to === 'FR') mailToFr.push(f);
  }

  beforeAll(async () => {
    await initCrypto();
    attackerBox = BoxKeyPair.generate();
    attackerKey = SigningKey.generate();
    net = await startInproc(
      [{ country: 'FR', records: [person] }, { country: 'DE' }],
      {},
      { startCoordinator: (dir) => startHostileCoordinator(dir, { outgoing, incoming }) },
    );
    client = await net.client('DE');
  });

  afterAll(async () => {
    await net?.stop();
  });

  it('hides a hit: the analyst sees bad_proof for that country, not a no-hit', async () => {
    lie = 'none';
    const honest = await client.query(KARL, CTX, { targets: ['FR'] });
    expect(honest.results[0]).toMatchObject({ country: 'FR', status: 'hit' });
    lie = 'hide-hits';
    const lied = await client.query(KARL, CTX, { targets: ['FR'] });
    expect(lied.results[0]).toMatchObject({ country: 'FR', status: 'error', code: 'bad_proof' });
    expect(lied.results[0]?.hits).toEqual([]);
  });

  it('invents a hit from the tags an exact lookup showed it: bad_proof, never a hit', async () => {
    lie = 'none';
    const honest = await client.query(NOBODY, CTX, { targets: ['FR'], mode: 'exact' });
    expect(honest.results[0]).toMatchObject({ country: 'FR', status: 'no-hit' });
    lie = 'invent-hits';
    const lied = await client.query(NOBODY, CTX, { targets: ['FR'], mode: 'exact' });
    expect(lied.results[0]).toMatchObject({ country: 'FR', status: 'error', code: 'bad_proof' });
    expect(lied.results[0]?.hits).toEqual([]);
  });

  it('swaps a member’s box key in the directory: the member is dropped and nothing is sealed to the coordinator', async () => {
    lie = 'none';
    const honest = await client.query(KARL, CTX, { targets: ['FR'] });
    const hit = honest.results[0]!.hits[0]!;
    expect(hit).toBeDefined();
    lie = 'swap-box-key';
    // Any change to the directory makes the coordinator send DE a new member list: a member joins and publishes.
    const ro = await RawNode.connect(net.coordinator.wsUrl, 'RO', net.pki.member('RO'), { caPem: net.pki.bundle().caPem });
    await ro.next('welcome');
    ro.descriptor(BoxKeyPair.generate().publicKey(), OprfKey.generate('voprf'));
    const de = net.nodes.get('DE')!;
    await until('DE drops FR', () => (de.members.get('FR') === undefined ? true : undefined));
    expect(de.members.rejected()).toContainEqual({ country: 'FR', code: 'bad_signature' });
    expect((await client.members(true)).map((m) => m.country)).not.toContain('FR');
    await expect(
      client.requestDisclosure(
        { country: 'FR', token: hit.token },
        KARL,
        { purpose: CTX.purpose, caseRef: CTX.caseRef, legalBasis: CTX.legalBasis },
        {
          fields: ['name'],
          justification: 'Hit in the wanted-persons list.',
        },
      ),
    ).rejects.toMatchObject({ code: 'unknown_member' });
    expect(mailToFr).toEqual([]);
    ro.close();
    lie = 'none';
  });
});
