/**
 * The biometric service as a hostile requester sees it, without sockets: a real SQLite store and gallery
 * in a temp dir, the real HE server (fingerprint-256-v1, one thread), a fake member directory and a
 * manual clock. The "requester" signs forwarded queries itself, so it can choose query ids freely (as a
 * hostile country, or analysts of one country sharing ids, can): repeated ids are refused before any
 * scoring, and where hits appear in an answer is drawn by this node, not by anything the requester sends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoxKeyPair, HeClient, initCrypto, makeGallery, makeProbe, randomBytes, SigningKey, TlsKey, TokenKey, toHex } from '#crypto';
import { type AuditKind, type AuditLog, ManualClock, silentLogger } from '#platform';
import type { MemberRole } from '#protocol';
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
import { BioService } from './bio.ts';
import { layoutPosition } from './bio-layout.ts';
import type { RoutedResult } from './inbound.ts';
import { DEFAULT_POLICY } from './policy.ts';
import { NodeStore } from './store/sqlite-store.ts';

const T0 = Date.UTC(2026, 4, 4, 9, 0);
const ROLES: Record<string, MemberRole[]> = {};
const MODALITY = 'fingerprint';
const DIMS = TEMPLATE_DIMS[MODALITY];
const SEED = 31;
/** Where identity 0's three captures sit: blocks 0, 2 and 4, i.e. three different result ciphertexts. */
const MATES = [0, 2 * 2048 + 1, 4 * 2048 + 2];
const SIZE = 5 * 2048 + 10;

interface Fixture {
  dir: string;
  store: NodeStore;
  audit: AuditLog;
  clock: ManualClock;
  de: { signing: SigningKey; box: BoxKeyPair; token: TokenKey; tls: TlsKey };
  peers: Map<string, SigningKey>;
  bio: BioService;
  he: HeClient;
}

let f: Fixture;

beforeAll(async () => {
  await initCrypto();
  const dir = mkdtempSync(join(tmpdir(), 'veil-bio-'));
  const store = new NodeStore(join(dir, 'node.db'));
  const de = { signing: SigningKey.generate(), box: BoxKeyPair.generate(), token: TokenKey.generate(), tls: TlsKey.generate() };
  const audit = nodeAudit(store, de);
  const clock = new ManualClock(T0);
  const peers = new Map(['FR', 'IT', 'PL'].map((c) => [c, SigningKey.generate()]));
  const members = {
    signerOf: (kid: string): Uint8Array => {
      const c = keyIdName(kid, 'node');
      const k = c === undefined ? undefined : peers.get(c);
      if (!k) throw new VeilError('unknown_member');
      return k.publicKey();
    },
    get: (country: string): { roles: MemberRole[] } | undefined => (peers.has(country) ? { roles: ROLES[country] ?? ['requester', 'responder'] } : undefined),
  };
  // Identity 0's captures at MATES; the other positions hold captures of other identities.
  const g = makeGallery({ seed: SEED, identities: Math.ceil(SIZE / 3), capturesPerIdentity: 3, dims: DIMS });
  const others = g.templates.slice(3);
  store.tx(() => {
    for (let pos = 0, o = 0; pos < SIZE; pos++) {
      const mate = MATES.indexOf(pos);
      const t = mate >= 0 ? g.templates[mate] : others[o++];
      if (!t) throw new Error('gallery too small');
      expect(store.gallery.set(MODALITY, `rec-${pos}`, t)).toBe(pos);
    }
  });
  const bio = new BioService({ country: 'DE', store, keys: de, policy: { current: DEFAULT_POLICY }, members, audit, log: silentLogger, clock, workers: 1 });
  await bio.load();
  const he = await HeClient.create(BIO_PARAMS[MODALITY]);
  f = { dir, store, audit, clock, de, peers, bio, he };
});

afterAll(async () => {
  await f?.bio.close();
  f?.he.dispose();
  f?.store.close();
  if (f) rmSync(f.dir, { recursive: true, force: true });
});

const probe = makeProbe({ seed: SEED, identity: 0, dims: DIMS });

/** A forwarded biometric query signed by `from` itself, with the id and analyst it chooses. */
function query(o: { from: string; id: string; analyst?: string; keys?: boolean; embedding?: Float32Array }): Envelope {
  const q: ForwardedBioQuery = {
    t: 'fwd-bio-query',
    id: o.id,
    ts: f.clock.now(),
    nonce: randomBytes(16),
    from: o.from,
    analyst: o.analyst ?? 'claire-1a2b3c',
    purpose: 'wanted-person',
    caseRef: 'FR-2026-1',
    legalBasis: 'art-3',
    handling: 'restricted',
    targets: ['DE'],
    modality: MODALITY,
    sessionId: f.he.sessionId,
    ...(o.keys === false ? {} : { sessionKeys: f.he.sessionKeys() }),
    probe: f.he.encryptProbe(o.embedding ?? probe),
  };
  const k = f.peers.get(o.from);
  if (!k) throw new Error(`no key for ${o.from}`);
  return signEnvelope(k, keyId.node(o.from), q);
}

function read(r: RoutedResult | undefined): BioEvalResult {
  if (!r || !('env' in r)) throw new Error('no signed result');
  return verifyEnvelope(decodeWith(r.env, Envelope, LIMITS.maxFrameBytes), () => f.de.signing.publicKey(), BioEvalResult);
}

async function ask(o: Parameters<typeof query>[0]): Promise<BioEvalResult> {
  return read(await f.bio.handle(query(o)));
}

/** The positions the requester decrypts as hits. */
function hits(r: BioEvalResult): number[] {
  if (!r.result) throw new Error(`no result: ${r.status} ${r.code ?? ''}`);
  return f.he.decryptMasked(r.result);
}

const entries = (kind: AuditKind) => f.audit.list({ kind, limit: 100 }).map((r) => r.entry);
const budgetUsed = (requester: string) => f.store.budgets.used(`${requester}:bio`, new Date(f.clock.now()).toISOString().slice(0, 10));
const slots = (requester: string, id: string, positions: number[]) =>
  positions.map((p) => layoutPosition(f.store, f.de, requester, id, MODALITY, p)).sort((a, b) => a - b);

describe('biometric queries from a hostile requester', () => {
  it('a query id already answered for a country is refused (conflict) before any scoring, whoever sends it, uncharged and audited', async () => {
    const id = toHex(randomBytes(16));
    const first = await ask({ from: 'FR', id });
    expect(first.status).toBe('ok');
    expect(slots('FR', id, hits(first))).toEqual(MATES);
    const stored = f.store.gallery.answered('FR', id);
    const used = budgetUsed('FR');

    // The same id again: another analyst of the same country, another probe, and no session keys (so a
    // refusal that came from scoring would be unknown_session, not conflict).
    for (const again of [
      { from: 'FR', id },
      { from: 'FR', id, analyst: 'mallory-9f8e7d', keys: false, embedding: makeProbe({ seed: SEED, identity: 5, dims: DIMS }) },
    ]) {
      const r = await ask(again);
      expect(r).toMatchObject({ status: 'refused', code: 'conflict', result: null, positions: 0 });
    }
    expect(budgetUsed('FR')).toBe(used);
    expect(f.store.gallery.answered('FR', id)).toEqual(stored);
    expect(entries('bio.query.refused').filter((e) => e.queryId === id)).toEqual([
      expect.objectContaining({ country: 'FR', code: 'conflict', cls: MODALITY }),
      expect.objectContaining({ country: 'FR', code: 'conflict', cls: MODALITY }),
    ]);
    // The first answer's positions still map back (a later claim names them).
    expect(slots('FR', id, hits(first))).toEqual(MATES);
  });

  it('the same query id from three countries is answered three times, each in its own random order', async () => {
    const id = toHex(randomBytes(16));
    const answers = [];
    for (const from of ['FR', 'IT', 'PL']) {
      const r = await ask({ from, id });
      expect(r.status).toBe('ok');
      const h = hits(r);
      expect(slots(from, id, h)).toEqual(MATES);
      answers.push(h);
    }
    // With the order derived from the id, all three lists were the same. Drawn by the node, they are
    // unrelated: equal only if 3 blocks landed on the same halves with the same rotations (~1e-6).
    expect(answers[1]).not.toEqual(answers[0]);
    expect(answers[2]).not.toEqual(answers[0]);
    expect(answers[2]).not.toEqual(answers[1]);
  });

  it('a claim cannot be mapped through a query this node did not answer, nor one answered before per-answer nonces', () => {
    expect(() => slots('FR', 'f'.repeat(32), [0])).toThrow(expect.objectContaining({ code: 'forbidden' }));
    f.store.gallery.recordAnswered({
      id: 'e'.repeat(32),
      requester: 'FR',
      modality: MODALITY,
      positions: SIZE,
      answeredAt: T0,
      analyst: null,
      permutationNonce: null,
    });
    expect(() => slots('FR', 'e'.repeat(32), [0])).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });
});
