/**
 * The node's persisted gallery encoding (node/bio-encoding.ts) across restarts: a real SQLite file in a
 * temp dir, the real biometric service and HE server (fingerprint-256-v1, one thread), each "restart" a
 * new store and service on the same file. After a restart the node restores the blocks it stored instead of
 * re-encoding them and gives the same decisions; a block that was altered, deleted, replayed from an older
 * state, stored for another parameter set or under another OPRF epoch is re-encoded from the templates,
 * never scored as stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoxKeyPair, HeClient, initCrypto, makeGallery, makeProbe, randomBytes, SigningKey, TlsKey, TokenKey, toHex } from '#crypto';
import { ManualClock, silentLogger } from '#platform';
import {
  BIO_PARAMS,
  BioEvalResult,
  decodeWith,
  Envelope,
  type ForwardedBioQuery,
  keyId,
  keyIdName,
  LIMITS,
  signEnvelope,
  TEMPLATE_DIMS,
  VeilError,
  verifyEnvelope,
} from '#protocol';
import { nodeAudit } from './admin-ops.ts';
import { BioService, type GalleryLoad } from './bio.ts';
import { layoutPosition } from './bio-layout.ts';
import { DEFAULT_POLICY } from './policy.ts';
import { NodeStore } from './store/sqlite-store.ts';

const T0 = Date.UTC(2026, 4, 4, 9, 0);
const MODALITY = 'fingerprint';
const DIMS = TEMPLATE_DIMS[MODALITY];
const SEED = 47;
const BS = 2048;
/** Identity 0's captures, one in each of the three blocks. */
const MATES = [5, BS + 6, 2 * BS + 7];
const SIZE = 2 * BS + 20;

let keys: { signing: SigningKey; box: BoxKeyPair; token: TokenKey; tls: TlsKey };
let fr: SigningKey;
const members = {
  signerOf: (kid: string): Uint8Array => {
    if (keyIdName(kid, 'node') !== 'FR') throw new VeilError('unknown_member');
    return fr.publicKey();
  },
  get: (country: string) => (country === 'FR' ? { roles: ['requester' as const, 'responder' as const] } : undefined),
};
const clock = new ManualClock(T0);
const probe = makeProbe({ seed: SEED, identity: 0, dims: DIMS });
/** Identity 0's capture k (what MATES[k] holds). */
const mate = (k: number) => makeGallery({ seed: SEED, identities: 1, capturesPerIdentity: 3, dims: DIMS }).templates[k]!;

let dir: string;
let he: HeClient;
let node: { store: NodeStore; bio: BioService; loaded: GalleryLoad } | undefined;

async function stop(): Promise<void> {
  await node?.bio.close();
  node?.store.close();
  node = undefined;
}

/** (Re)start the node on the same database file; returns what loading the gallery did. */
async function restart(): Promise<GalleryLoad> {
  await stop();
  const store = new NodeStore(join(dir, 'node.db'));
  const bio = new BioService({
    country: 'DE',
    store,
    keys,
    policy: { current: DEFAULT_POLICY },
    members,
    audit: nodeAudit(store, keys),
    log: silentLogger,
    clock,
    workers: 1,
  });
  const loaded = await bio.load();
  node = { store, bio, loaded };
  return loaded;
}

function live(): { store: NodeStore; bio: BioService } {
  if (!node) throw new Error('node not started');
  return node;
}

/** Ask the running node with identity 0's probe; the gallery slots it reports as hits, sorted. */
async function matches(): Promise<number[]> {
  const { store, bio } = live();
  const id = toHex(randomBytes(16));
  const q: ForwardedBioQuery = {
    t: 'fwd-bio-query',
    id,
    ts: clock.now(),
    nonce: randomBytes(16),
    from: 'FR',
    analyst: 'claire-1a2b3c',
    purpose: 'wanted-person',
    caseRef: 'FR-2026-1',
    legalBasis: 'art-3',
    handling: 'restricted',
    targets: ['DE'],
    modality: MODALITY,
    sessionId: he.sessionId,
    sessionKeys: he.sessionKeys(),
    probe: he.encryptProbe(probe),
  };
  const r = await bio.handle(signEnvelope(fr, keyId.node('FR'), q));
  if (!r || !('env' in r)) throw new Error('no signed result');
  const res = verifyEnvelope(decodeWith(r.env, Envelope, LIMITS.maxFrameBytes), () => keys.signing.publicKey(), BioEvalResult);
  if (!res.result) throw new Error(`refused: ${res.code ?? ''}`);
  return he
    .decryptMasked(res.result)
    .map((p) => layoutPosition(store, keys, 'FR', id, MODALITY, p))
    .sort((a, b) => a - b);
}

const sql = (q: string, ...params: unknown[]) =>
  live()
    .store.db.prepare(q)
    .run(...params);
const storedBlocks = () => live().store.db.prepare('SELECT block, seq FROM gallery_blocks WHERE modality = ? ORDER BY block').all(MODALITY);

beforeAll(async () => {
  await initCrypto();
  keys = { signing: SigningKey.generate(), box: BoxKeyPair.generate(), token: TokenKey.generate(), tls: TlsKey.generate() };
  fr = SigningKey.generate();
  dir = mkdtempSync(join(tmpdir(), 'veil-bio-persist-'));
  he = await HeClient.create(BIO_PARAMS[MODALITY]);
  const g = makeGallery({ seed: SEED, identities: Math.ceil(SIZE / 3), capturesPerIdentity: 3, dims: DIMS });
  const others = g.templates.slice(3);
  const store = new NodeStore(join(dir, 'node.db'));
  store.tx(() => {
    for (let pos = 0, o = 0; pos < SIZE; pos++) {
      const mate = MATES.indexOf(pos);
      const t = mate >= 0 ? g.templates[mate] : others[o++];
      if (!t) throw new Error('gallery too small');
      store.gallery.set(MODALITY, `rec-${pos}`, t);
    }
  });
  store.close();
});

afterAll(async () => {
  await stop();
  he?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('persisted gallery encoding across restarts', () => {
  it('encodes and stores every block once, then restores them at the next start with the same decisions', async () => {
    expect(await restart()).toMatchObject({ templates: SIZE, restoredBlocks: 0, rejectedBlocks: 0, encodedBlocks: 3 });
    expect(storedBlocks()).toHaveLength(3);
    expect(await matches()).toEqual(MATES);

    expect(await restart()).toMatchObject({ templates: SIZE, restoredBlocks: 3, rejectedBlocks: 0, encodedBlocks: 0 });
    expect(await matches()).toEqual(MATES);
  });

  it('re-encodes only the blocks that changed, while running or while stopped', async () => {
    await restart();
    // While running (as an import in another process would): withdraw the mate in block 1.
    live().store.tx(() => live().store.gallery.remove(MODALITY, `rec-${MATES[1]}`));
    expect(live().bio.syncGallery()).toBe(1);
    expect(await matches()).toEqual([MATES[0], MATES[2]]);
    expect(await restart()).toMatchObject({ restoredBlocks: 3, encodedBlocks: 0 });
    expect(await matches()).toEqual([MATES[0], MATES[2]]);

    // While stopped: put it back (it takes the lowest free position, its old one).
    live().store.tx(() =>
      live().store.gallery.set(MODALITY, `rec-${MATES[1]}`, makeGallery({ seed: SEED, identities: 1, capturesPerIdentity: 3, dims: DIMS }).templates[1]!),
    );
    expect(await restart()).toMatchObject({ restoredBlocks: 3, encodedBlocks: 1 });
    expect(await matches()).toEqual(MATES);
  });

  it('detects a block whose residues were altered and re-encodes it from the templates instead of scoring it', async () => {
    await restart();
    // Zero block 1's residues: scored as stored, its mate would be lost.
    const len = (live().store.db.prepare('SELECT length(residues) AS n FROM gallery_blocks WHERE modality = ? AND block = 1').get(MODALITY) as { n: number }).n;
    sql('UPDATE gallery_blocks SET residues = ? WHERE modality = ? AND block = 1', Buffer.alloc(len), MODALITY);
    expect(await restart()).toMatchObject({ restoredBlocks: 2, rejectedBlocks: 1, encodedBlocks: 1 });
    expect(await matches()).toEqual(MATES);
    // The re-encoded block was stored again, valid.
    expect(await restart()).toMatchObject({ restoredBlocks: 3, rejectedBlocks: 0, encodedBlocks: 0 });

    // One flipped bit is enough.
    sql('UPDATE gallery_blocks SET occupied = ? WHERE modality = ? AND block = 2', Buffer.alloc(BS, 1), MODALITY);
    expect(await restart()).toMatchObject({ restoredBlocks: 2, rejectedBlocks: 1, encodedBlocks: 1 });
    expect(await matches()).toEqual(MATES);
  });

  it('re-encodes a block deleted from the store, and the changes a block replayed from an older state misses', async () => {
    await restart();
    sql('DELETE FROM gallery_blocks WHERE modality = ? AND block = 2', MODALITY);
    expect(await restart()).toMatchObject({ restoredBlocks: 2, encodedBlocks: 1 });
    expect(await matches()).toEqual(MATES);

    // Keep block 0 as stored now, withdraw its mate (stored again), then put the old block 0 back.
    const old = live().store.db.prepare('SELECT * FROM gallery_blocks WHERE modality = ? AND block = 0').get(MODALITY) as Record<string, unknown>;
    live().store.tx(() => live().store.gallery.remove(MODALITY, `rec-${MATES[0]}`));
    live().bio.syncGallery();
    sql(
      'UPDATE gallery_blocks SET seq = ?, occupied = ?, residues = ?, mac = ? WHERE modality = ? AND block = 0',
      old.seq,
      old.occupied,
      old.residues,
      old.mac,
      MODALITY,
    );
    expect(await restart()).toMatchObject({ restoredBlocks: 3, rejectedBlocks: 0, encodedBlocks: 1 });
    expect(await matches()).toEqual([MATES[1], MATES[2]]);
  });

  it('keeps answering when a block cannot be stored, and encodes it again at the next start', async () => {
    await restart();
    sql("CREATE TRIGGER full_disk_i BEFORE INSERT ON gallery_blocks BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    sql("CREATE TRIGGER full_disk_u BEFORE UPDATE ON gallery_blocks BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    live().store.tx(() => live().store.gallery.remove(MODALITY, `rec-${MATES[2]}`));
    expect(live().bio.syncGallery()).toBe(1);
    expect(await matches()).toEqual([MATES[1]]);
    sql('DROP TRIGGER full_disk_i');
    sql('DROP TRIGGER full_disk_u');
    expect(await restart()).toMatchObject({ restoredBlocks: 3, rejectedBlocks: 0, encodedBlocks: 1 });
    expect(await matches()).toEqual([MATES[1]]);
    // Both back while stopped (each takes the lowest free position: its own).
    live().store.tx(() => live().store.gallery.set(MODALITY, `rec-${MATES[0]}`, mate(0)));
    live().store.tx(() => live().store.gallery.set(MODALITY, `rec-${MATES[2]}`, mate(2)));
    expect(await restart()).toMatchObject({ restoredBlocks: 3, encodedBlocks: 2 });
    expect(await matches()).toEqual(MATES);
  });

  it('re-encodes every block stored for another parameter set, or under an earlier OPRF epoch', async () => {
    await restart();
    sql('UPDATE gallery_blocks SET param = ? WHERE modality = ?', BIO_PARAMS.face, MODALITY);
    expect(await restart()).toMatchObject({ restoredBlocks: 0, rejectedBlocks: 3, encodedBlocks: 3 });
    expect(await matches()).toEqual(MATES);
    expect(await restart()).toMatchObject({ restoredBlocks: 3, encodedBlocks: 0 });

    // A key rotation activates a new OPRF epoch: blocks stored before it are not accepted.
    live().store.records.addEpoch(7, randomBytes(32), 'pending', T0);
    live().store.records.activateEpoch(7);
    expect(await restart()).toMatchObject({ restoredBlocks: 0, rejectedBlocks: 3, encodedBlocks: 3 });
    expect(await matches()).toEqual(MATES);
    expect(await restart()).toMatchObject({ restoredBlocks: 3, encodedBlocks: 0 });
  });
});
