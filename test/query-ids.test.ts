/**
 * Query ids are scoped to the analyst (issue 10, attack 5), on a real network in this process.
 *
 * The coordinator keeps each query's result for a minute so that a gateway retransmitting it gets the
 * same answer instead of a second fan-out. It used to key that result by (country, query id) only: a
 * second analyst of the same country sending a query under the first analyst's id received the first
 * analyst's answers. The hostile analyst here is an ordinary SDK client whose randomness hands it the
 * victim's id; it must get an answer to its own query, evaluated anew by the target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, initCrypto, type Rng, randomBytes } from '#crypto';
import { addAnalyst } from '#node';
import { VeilClient } from '#sdk';
import { CTX, type Inproc, startInproc } from './helpers/inproc.ts';

const karl = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
};
const KARL = { name: 'Karl Weber', dob: '1966-06-06' };
const NOBODY = { name: 'Jean Personne', dob: '1990-01-01' };

describe('query ids are scoped to the analyst at the coordinator', () => {
  let net: Inproc;
  let alice: VeilClient;
  let bob: VeilClient;
  /** The id bob's next query will carry (his randomness is rigged to hand it out once). */
  let stolen: Uint8Array | undefined;

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([{ country: 'FR' }, { country: 'DE', records: [karl] }]);
    alice = await net.client('FR', 'Alice Martin');
    const fr = net.nodes.get('FR');
    if (!fr) throw new Error('no FR');
    // Request ids are the first 16 random bytes a query asks for after blinding.
    const rng: Rng = (n) => {
      if (n === 16 && stolen) {
        const id = stolen;
        stolen = undefined;
        return id;
      }
      return randomBytes(n);
    };
    const { path } = await addAnalyst(net.dir('FR'), 'Bob Durand', { nodeUrl: fr.url });
    bob = await VeilClient.connect(path, { rng });
  });

  afterAll(async () => {
    await net?.stop();
  });

  it("another analyst of the same country reusing an id gets its own answer, not the first analyst's", async () => {
    const first = await alice.query(NOBODY, CTX, { targets: ['DE'] });
    expect(first.results[0]).toMatchObject({ country: 'DE', status: 'no-hit' });

    // Within the coordinator's retention window, bob asks about Karl under alice's id.
    stolen = fromHex(first.queryId);
    const second = await bob.query(KARL, CTX, { targets: ['DE'] });
    expect(second.queryId).toBe(first.queryId);
    // Bob's answer is DE's evaluation of bob's own blinded elements: it verifies and finds Karl. Served
    // alice's cached answer instead, his SDK would report DE as an error (a proof over other elements).
    expect(second.results[0]).toMatchObject({ country: 'DE', status: 'hit' });

    const de = net.nodes.get('DE');
    const served = de?.audit.list({ kind: 'eval.served', limit: 100 }).filter((r) => r.entry.queryId === first.queryId) ?? [];
    expect(served.map((r) => r.entry.analyst)).toEqual([alice.credential.analystId, bob.credential.analystId]);
  });
});
