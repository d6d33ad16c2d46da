/**
 * Encrypted biometric 1:N search end to end (docs/design.md §3) on a real network in this process: templates
 * imported with records, galleries pre-encoded at the node, the probe encrypted in the SDK, masked
 * encrypted scores, hit positions only; then disclosure of a biometric hit whose claim is the probe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { layoutPosition, loadNodeKeys, startNode } from '#node';
import { silentLogger } from '#platform';
import type { VeilClient } from '#sdk';
import { dot, makeGallery, makeProbe } from '#simulations';
import { CTX, type Inproc, startInproc } from './helpers/inproc.ts';

const DIMS = 512;
const gallery = makeGallery({ seed: 42, identities: 12, capturesPerIdentity: 2, dims: DIMS });
const records = gallery.templates.map((t, i) => ({
  id: `de-face-${i}`,
  kind: 'person',
  dataset: 'face-gallery',
  handling: 'restricted',
  person: { family: `Person${String.fromCharCode(65 + gallery.identityOf[i]!)}`, given: 'Test', dob: '1980-01-01' },
  biometrics: { face: Array.from(t, (x) => x * 3) }, // not unit length: the import normalizes
}));

describe('encrypted biometric search', () => {
  let net: Inproc;
  let client: VeilClient;

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([{ country: 'FR' }, { country: 'DE', records }, { country: 'UA' }]);
    client = await net.client('FR');
  });

  afterAll(async () => {
    await client?.close();
    await net?.stop();
  });

  it('finds exactly the positions whose plaintext score crosses the threshold, and nothing at a node without them', async () => {
    const probe = makeProbe({ seed: 42, identity: 7, dims: DIMS });
    const r = await client.bioMatch('face', probe, CTX);
    const de = r.results.find((x) => x.country === 'DE')!;
    const ua = r.results.find((x) => x.country === 'UA')!;
    expect(ua).toMatchObject({ status: 'no-hit', hits: [] });
    expect(de.status).toBe('hit');
    // Plaintext decisions over the same gallery (gallery slots follow import order here). The analyst
    // sees positions in the query's keyed permutation; the owning node maps them back.
    const expected = gallery.templates.map((t, i) => (dot(probe, t) >= 0.4 ? i : -1)).filter((i) => i >= 0);
    const keys = loadNodeKeys(net.dir('DE'));
    const store = net.nodes.get('DE')!.store;
    const slots = de.hits.map((h) => layoutPosition(store, keys, 'FR', h.ref.split(':')[1]!, 'face', h.position)).sort((a, b) => a - b);
    expect(slots).toEqual(expected);
    expect(expected.length).toBe(2);
    // No score or identity reaches the analyst: hits are positions with a reference only.
    expect(Object.keys(de.hits[0]!).sort()).toEqual(['position', 'ref']);

    // A second query reuses the session keys cached at the nodes (not sent again) and an impostor misses.
    const impostor = await client.bioMatch('face', makeProbe({ seed: 42, identity: 99, dims: DIMS }), CTX, { targets: ['DE'] });
    expect(impostor.results).toEqual([expect.objectContaining({ country: 'DE', status: 'no-hit' })]);

    // The same probe again: same slots, but seen at positions drawn afresh for the new query id.
    const again = await client.bioMatch('face', probe, CTX, { targets: ['DE'] });
    const hits2 = again.results[0]!.hits;
    expect(hits2.map((h) => layoutPosition(store, keys, 'FR', again.queryId, 'face', h.position)).sort((a, b) => a - b)).toEqual(expected);
    expect(() => layoutPosition(store, keys, 'FR', 'f'.repeat(32), 'face', hits2[0]!.position)).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('a restarted node restores its stored gallery encoding and answers with the same decisions', async () => {
    const probe = makeProbe({ seed: 42, identity: 7, dims: DIMS });
    const slots = async (): Promise<number[]> => {
      const r = await client.bioMatch('face', probe, CTX, { targets: ['DE'] });
      const node = net.nodes.get('DE')!;
      const keys = loadNodeKeys(net.dir('DE'));
      return r.results[0]!.hits.map((h) => layoutPosition(node.store, keys, 'FR', h.ref.split(':')[1]!, 'face', h.position)).sort((a, b) => a - b);
    };
    const before = await slots();
    expect(before).toHaveLength(2);
    // The node stored its one encoded block (24 templates) in its database.
    const stored = net.nodes.get('DE')!.store.db.prepare("SELECT block FROM gallery_blocks WHERE modality = 'face'").all();
    expect(stored).toEqual([{ block: 0 }]);
    await net.nodes.get('DE')!.close();
    const node = await startNode(net.dir('DE'), { logger: silentLogger });
    net.nodes.set('DE', node);
    await node.link.whenReady();
    expect(await slots()).toEqual(before);
  });

  it('rejects malformed probes with typed errors', async () => {
    await expect(client.bioMatch('face', new Float32Array(100), CTX)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(client.bioMatch('face', new Float32Array(512), CTX)).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('discloses a biometric hit only for a probe that really matches, showing the score to the owner', async () => {
    const probe = makeProbe({ seed: 42, identity: 3, dims: DIMS, captureIndex: 5 });
    const r = await client.bioMatch('face', probe, CTX, { targets: ['DE'] });
    const hit = r.results[0]!.hits[0]!;
    const ctx = { purpose: CTX.purpose, caseRef: CTX.caseRef, legalBasis: CTX.legalBasis };
    const req = await client.requestBioDisclosure({ country: 'DE', ref: hit.ref }, 'face', probe, ctx, {
      fields: ['name'],
      justification: 'Face match at the border.',
    });
    const bad = await client.requestBioDisclosure({ country: 'DE', ref: hit.ref }, 'face', makeProbe({ seed: 42, identity: 9, dims: DIMS }), ctx, {
      fields: ['name'],
      justification: 'Fishing.',
    });
    const desk = net.nodes.get('DE')!.desk;
    let view = desk.get(req.id);
    for (let i = 0; i < 200 && !view; i++) {
      await new Promise((res) => setTimeout(res, 50));
      view = desk.get(req.id);
    }
    const slot = layoutPosition(net.nodes.get('DE')!.store, loadNodeKeys(net.dir('DE')), 'FR', r.queryId, 'face', hit.position);
    expect(view).toMatchObject({ cls: 'face', claimKind: 'bio', recordId: `de-face-${slot}` });
    expect(view!.score).toBeGreaterThan(0.4);
    desk.approve(req.id, ['name'], 'examiner-1');
    let mine: Awaited<ReturnType<typeof client.disclosures>> | undefined;
    for (let i = 0; i < 200; i++) {
      mine = await client.disclosures();
      if (mine.find((d) => d.id === req.id)?.status === 'approved' && mine.find((d) => d.id === bad.id)?.status === 'rejected') break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(mine!.find((d) => d.id === req.id)!.released?.fields).toEqual({ name: { family: 'PersonD', given: 'Test' } });
    expect(mine!.find((d) => d.id === bad.id)).toMatchObject({ status: 'rejected', code: 'claim_mismatch' });
    expect(desk.get(bad.id)).toBeUndefined();
  });
});
