/**
 * Abuse of encrypted biometric search through the real network (coordinator, nodes, gateways in this
 * process; docs/biometrics.md "Leakage per query"): analysts who choose their own query ids get no second
 * answer under an id already answered for their country, and the SDK does not send a probe that is not an
 * embedding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, type Rng } from '#crypto';
import { addAnalyst, layoutPosition, loadNodeKeys } from '#node';
import { VeilClient } from '#sdk';
import { dot, makeGallery, makeProbe } from '#simulations';
import { CTX, type Inproc, startInproc } from './helpers/inproc.ts';

const DIMS = 512;
const gallery = makeGallery({ seed: 77, identities: 10, capturesPerIdentity: 2, dims: DIMS });
const records = gallery.templates.map((t, i) => ({
  id: `de-face-${i}`,
  kind: 'person',
  dataset: 'face-gallery',
  handling: 'restricted',
  person: { family: `Person${i}`, given: 'Test', dob: '1980-01-01' },
  biometrics: { face: Array.from(t) },
}));

/** Randomness that always yields the same bytes: every request id this client makes is the same. */
const constant: Rng = (n) => new Uint8Array(n).fill(0x5a);

describe('biometric search abuse (in-process network)', () => {
  let net: Inproc;

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([{ country: 'FR' }, { country: 'DE', records }]);
  });

  afterAll(async () => {
    await net?.stop();
  });

  const analyst = async (name: string): Promise<VeilClient> => {
    const n = net.nodes.get('FR');
    if (!n) throw new Error('no FR node');
    const { path } = await addAnalyst(net.dir('FR'), name, { nodeUrl: n.url });
    return VeilClient.connect(path, { rng: constant });
  };

  it('a second analyst of the same country reusing an answered query id gets no answer of its own (conflict)', async () => {
    const alice = await analyst('Alice Hostile');
    const bob = await analyst('Bob Hostile');
    try {
      const probe = makeProbe({ seed: 77, identity: 4, dims: DIMS });
      const a = await alice.bioMatch('face', probe, CTX, { targets: ['DE'] });
      const b = await bob.bioMatch('face', probe, CTX, { targets: ['DE'] });
      expect(b.queryId).toBe(a.queryId);
      const de = a.results[0];
      expect(de?.status).toBe('hit');
      const store = net.nodes.get('DE')?.store;
      if (!store || !de) throw new Error('no DE');
      const keys = loadNodeKeys(net.dir('DE'));
      const slots = de.hits.map((h) => layoutPosition(store, keys, 'FR', a.queryId, 'face', h.position)).sort((x, y) => x - y);
      expect(slots).toEqual(gallery.templates.flatMap((t, i) => (dot(probe, t) >= 0.4 ? [i] : [])));
      // The coordinator keeps results per analyst, so Bob's query under Alice's id is fanned out anew,
      // and DE refuses the (country, id) it already answered: a signed `conflict` refusal. No second
      // answer is computed under an id DE already answered for FR.
      expect(b.results).toEqual([{ country: 'DE', status: 'refused', code: 'conflict', hits: [] }]);
      expect(a.results).toHaveLength(1);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('the SDK refuses a basis-vector probe before anything leaves the analyst', async () => {
    const client = await net.client('FR');
    try {
      const axis = new Float32Array(DIMS);
      axis[3] = 1;
      await expect(client.bioMatch('face', axis, CTX, { targets: ['DE'] })).rejects.toMatchObject({ code: 'bad_request' });
    } finally {
      await client.close();
    }
  });
});
