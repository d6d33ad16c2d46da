/**
 * The responder and the inbound path it shares with biometric queries, without sockets: a real SQLite
 * store in a temp dir, a fake member directory, a manual clock. Verification (member, claimed country,
 * replay), policy per class, the daily budget across a batch and per day, and what is audited.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BoxKeyPair, blind, initCrypto, OprfKey, randomBytes, SigningKey, TlsKey, TokenKey, toHex, utf8 } from '#crypto';
import { type AuditKind, type AuditLog, ManualClock, silentLogger } from '#platform';
import type { MemberRole } from '#protocol';
import {
  decodeWith,
  Envelope,
  EvalResult,
  type ForwardedQuery,
  keyId,
  keyIdName,
  LIMITS,
  type MatchClass,
  signEnvelope,
  VeilError,
  verifyEnvelope,
} from '#protocol';
import { nodeAudit } from './admin-ops.ts';
import type { RoutedResult } from './inbound.ts';
import { DEFAULT_POLICY, type Policy } from './policy.ts';
import { Responder } from './responder.ts';
import { NodeStore } from './store/sqlite-store.ts';

const T0 = Date.UTC(2026, 4, 4, 9, 0);
/** Certified roles by country (default: both); RO may answer but was not certified to ask. */
const ROLES: Record<string, MemberRole[]> = { RO: ['responder'] };

interface Fixture {
  dir: string;
  store: NodeStore;
  audit: AuditLog;
  clock: ManualClock;
  de: { signing: SigningKey; box: BoxKeyPair; token: TokenKey };
  peers: Map<string, SigningKey>;
  policy: { current: Policy };
  responder: Responder;
}

let f: Fixture;

beforeAll(async () => {
  await initCrypto();
});

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-responder-'));
  const store = new NodeStore(join(dir, 'node.db'));
  store.records.addEpoch(1, OprfKey.generate('voprf').secretBytes(), 'active', T0);
  const de = { signing: SigningKey.generate(), box: BoxKeyPair.generate(), token: TokenKey.generate(), tls: TlsKey.generate() };
  const audit = nodeAudit(store, de);
  const clock = new ManualClock(T0);
  const peers = new Map([
    ['FR', SigningKey.generate()],
    ['IT', SigningKey.generate()],
  ]);
  const members = {
    signerOf: (kid: string): Uint8Array => {
      const c = keyIdName(kid, 'node');
      const k = c === undefined ? undefined : peers.get(c);
      if (!k) throw new VeilError('unknown_member');
      return k.publicKey();
    },
    get: (country: string): { roles: MemberRole[] } | undefined => (peers.has(country) ? { roles: ROLES[country] ?? ['requester', 'responder'] } : undefined),
  };
  const policy = { current: DEFAULT_POLICY };
  const responder = new Responder({ country: 'DE', store, keys: de, policy, members, audit, log: silentLogger, clock });
  f = { dir, store, audit, clock, de, peers, policy, responder };
});

afterEach(() => {
  f.store.close();
  rmSync(f.dir, { recursive: true, force: true });
});

function signer(c: string): SigningKey {
  const k = f.peers.get(c);
  if (!k) throw new Error(`no key for ${c}`);
  return k;
}

function query(o: { from?: string; signedBy?: string; classes?: MatchClass[]; analyst?: string } = {}): Envelope {
  const from = o.from ?? 'FR';
  const q: ForwardedQuery = {
    t: 'fwd-query',
    id: toHex(randomBytes(16)),
    ts: f.clock.now(),
    nonce: randomBytes(16),
    from,
    analyst: o.analyst ?? 'claire-1a2b3c',
    purpose: 'wanted-person',
    caseRef: 'FR-2026-1',
    legalBasis: 'art-3',
    handling: 'restricted',
    targets: null,
    items: (o.classes ?? ['name_dob']).map((cls, i) => ({ cls, blinded: blind('voprf', utf8(`input-${i}`)).blindedElement })),
  };
  const by = o.signedBy ?? from;
  return signEnvelope(signer(by), keyId.node(by), q);
}

/** The answer as the analyst's SDK reads it: verified against DE's key. */
function read(r: RoutedResult | undefined): EvalResult {
  if (!r || !('env' in r)) throw new Error('no signed result');
  const env = decodeWith(r.env, Envelope, LIMITS.maxFrameBytes);
  expect(env.kid).toBe(keyId.node('DE'));
  return verifyEnvelope(env, () => f.de.signing.publicKey(), EvalResult);
}

const entries = (kind: AuditKind) => f.audit.list({ kind, limit: 100 }).map((r) => r.entry);
const budgetUsed = (requester: string, ms = f.clock.now()) => f.store.budgets.used(requester, new Date(ms).toISOString().slice(0, 10));

describe('responder on the inbound path', () => {
  it('evaluates an allowed query, signs the answer, charges the budget and audits it', () => {
    const [r, ...rest] = f.responder.handleBatch([query({ classes: ['name_dob', 'doc'] })]);
    expect(rest).toEqual([]);
    expect(r?.to).toBe('FR');
    const a = read(r);
    expect(a).toMatchObject({ status: 'ok', from: 'DE', to: 'FR', epoch: 1, items: [0, 1] });
    expect(a.evaluated).toHaveLength(2);
    expect(a.proof).not.toBeNull();
    expect(budgetUsed('FR')).toBe(2);
    expect(entries('eval.served')).toEqual([expect.objectContaining({ country: 'FR', count: 2, purpose: 'wanted-person', epoch: 1 })]);
  });

  it('on the live path, answers only once the batch is synced to disk; a failed sync answers nothing', async () => {
    // The store's sync is held by the test: answers must wait for it.
    let release: (() => void) | undefined;
    let fail: ((e: Error) => void) | undefined;
    const realSynced = f.store.synced.bind(f.store);
    f.store.synced = () =>
      new Promise<void>((resolve, reject) => {
        release = () => void realSynced().then(resolve, reject);
        fail = reject;
      });
    let answered: RoutedResult[] | undefined;
    const pending = f.responder.answerBatch([query({ classes: ['name_dob', 'doc'] })]).then((r) => {
      answered = r;
    });
    // Committed (budget and audit visible in the same process) but not yet acknowledged.
    expect(budgetUsed('FR')).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(answered).toBeUndefined();
    release?.();
    await pending;
    expect(read(answered?.[0])).toMatchObject({ status: 'ok', items: [0, 1] });
    expect(entries('eval.served')).toHaveLength(1);
    // A sync that fails leaves the caller with an error, never an answer to send.
    const failing = f.responder.answerBatch([query()]);
    fail?.(new Error('EIO'));
    await expect(failing).rejects.toThrow('EIO');
  });

  it('answers a query it could not verify (replay, signed by another member than it claims, unknown signer) with an unsigned code, and audits it', () => {
    const env = query();
    expect(read(f.responder.handleBatch([env])[0]).status).toBe('ok');
    // Nothing this node signs may answer input it could not verify: the refusal is a bare code the
    // coordinator routes as an error for this target, not an envelope under DE's key.
    expect(f.responder.handleBatch([env])).toEqual([{ to: 'FR', id: expect.any(String), code: 'replay' }]);
    expect(f.responder.handleBatch([query({ from: 'FR', signedBy: 'IT' })])).toEqual([{ to: 'FR', id: expect.any(String), code: 'forbidden' }]);
    f.peers.delete('IT');
    f.peers.set('XX', SigningKey.generate());
    const stranger = query({ from: 'XX' });
    f.peers.delete('XX');
    const [refused] = f.responder.handleBatch([stranger]);
    expect(refused).toEqual({ to: 'XX', id: expect.any(String), code: 'unknown_member' });
    expect(refused && 'env' in refused).toBe(false);
    expect(entries('eval.refused').map((e) => e.code)).toEqual(['replay', 'forbidden', 'unknown_member']);
    expect(budgetUsed('FR')).toBe(1);
  });

  it('refuses a query from a member the organisation did not certify to ask (no requester role), charging nothing', () => {
    f.peers.set('RO', SigningKey.generate());
    // Refused on the verification path, like any sender it may not answer: a bare code, nothing signed.
    expect(f.responder.handleBatch([query({ from: 'RO' })])).toEqual([{ to: 'RO', id: expect.any(String), code: 'forbidden' }]);
    expect(budgetUsed('RO')).toBe(0);
    expect(entries('eval.refused')).toEqual([expect.objectContaining({ country: 'RO', code: 'forbidden' })]);
    expect(read(f.responder.handleBatch([query({ from: 'FR' })])[0]).status).toBe('ok');
  });

  it('drops a query it cannot even read, and answers the rest of the batch', () => {
    const garbage: Envelope = { ...query(), payload: new Uint8Array([0xc1, 0x00]) };
    const out = f.responder.handleBatch([garbage, query()]);
    expect(out).toHaveLength(1);
    expect(read(out[0]).status).toBe('ok');
  });

  it('answers only the classes the policy allows, and refuses when none is', () => {
    f.policy.current = { ...DEFAULT_POLICY, answer: [{ requesters: ['FR'], purposes: ['*'], classes: ['doc'] }] };
    expect(read(f.responder.handleBatch([query({ classes: ['name_dob', 'doc'] })])[0])).toMatchObject({ status: 'ok', items: [1] });
    expect(read(f.responder.handleBatch([query({ classes: ['name_dob'] })])[0])).toMatchObject({ status: 'refused', code: 'refused_by_policy' });
    expect(read(f.responder.handleBatch([query({ from: 'IT', classes: ['doc'] })])[0])).toMatchObject({ status: 'refused', code: 'refused_by_policy' });
    expect(entries('eval.refused')).toEqual([
      expect.objectContaining({ country: 'FR', code: 'refused_by_policy', purpose: 'wanted-person' }),
      expect.objectContaining({ country: 'IT', code: 'refused_by_policy' }),
    ]);
    expect(budgetUsed('FR')).toBe(1);
  });

  it('counts the budget across a batch and per UTC day', () => {
    f.policy.current = { ...DEFAULT_POLICY, budgets: { ...DEFAULT_POLICY.budgets, perRequester: { FR: 3 } } };
    const out = f.responder.handleBatch([query({ classes: ['name_dob', 'doc'] }), query({ classes: ['name_dob', 'doc'] }), query({ classes: ['doc'] })]);
    expect(out.map((r) => read(r)).map((a) => a.code ?? a.status)).toEqual(['ok', 'over_budget', 'ok']);
    expect(budgetUsed('FR')).toBe(3);
    expect(entries('budget.exceeded')).toEqual([expect.objectContaining({ country: 'FR', count: 2 })]);
    expect(read(f.responder.handleBatch([query()])[0]).code).toBe('over_budget');
    expect(read(f.responder.handleBatch([query({ from: 'IT' })])[0]).status).toBe('ok');
    f.clock.advance(24 * 3_600_000);
    expect(read(f.responder.handleBatch([query()])[0]).status).toBe('ok');
    expect(budgetUsed('FR')).toBe(1);
  });

  it("keeps one analyst from spending its whole country's budget: a per-analyst daily budget, charged with the country's", () => {
    f.policy.current = {
      ...DEFAULT_POLICY,
      budgets: { ...DEFAULT_POLICY.budgets, dailyEvaluations: 100, perAnalyst: { dailyEvaluations: 3, dailyBioQueries: 100, overrides: {} } },
    };
    const claire = (classes: MatchClass[]) => read(f.responder.handleBatch([query({ classes })])[0]);
    expect(claire(['name_dob', 'doc']).status).toBe('ok');
    expect(claire(['name_dob', 'doc'])).toMatchObject({ status: 'refused', code: 'over_budget' });
    expect(claire(['doc']).status).toBe('ok');
    expect(claire(['doc'])).toMatchObject({ status: 'refused', code: 'over_budget' });
    // A colleague from the same country is still answered: claire spent her share, not FR's.
    expect(read(f.responder.handleBatch([query({ analyst: 'marc-4d5e6f', classes: ['doc', 'name_dob'] })])[0]).status).toBe('ok');
    expect(budgetUsed('FR')).toBe(5);
    expect(entries('budget.exceeded')).toEqual([
      expect.objectContaining({ country: 'FR', analyst: 'claire-1a2b3c', status: 'analyst', count: 2 }),
      expect.objectContaining({ country: 'FR', analyst: 'claire-1a2b3c', status: 'analyst', count: 1 }),
    ]);
    expect(entries('eval.served').map((e) => e.analyst)).toEqual(['claire-1a2b3c', 'claire-1a2b3c', 'marc-4d5e6f']);
    // Within one batch too, and the next UTC day starts afresh.
    f.clock.advance(24 * 3_600_000);
    const out = f.responder.handleBatch([query({ classes: ['doc', 'doc'] }), query({ classes: ['doc', 'doc'] })]);
    expect(out.map((r) => read(r)).map((a) => a.code ?? a.status)).toEqual(['ok', 'over_budget']);
  });

  it('applies per-analyst overrides, by analyst or for every analyst of a requesting country', () => {
    f.policy.current = {
      ...DEFAULT_POLICY,
      budgets: {
        ...DEFAULT_POLICY.budgets,
        perAnalyst: { dailyEvaluations: 1, dailyBioQueries: 100, overrides: { 'FR/claire-1a2b3c': { dailyEvaluations: 3 }, IT: { dailyEvaluations: 2 } } },
      },
    };
    const status = (o: { from?: string; analyst?: string }) => read(f.responder.handleBatch([query({ ...o, classes: ['doc', 'doc'] })])[0]).code ?? 'ok';
    expect(status({})).toBe('ok'); // claire: 2 of 3
    expect(status({ analyst: 'marc-4d5e6f' })).toBe('over_budget'); // the default: 1
    expect(status({ from: 'IT', analyst: 'luca-000001' })).toBe('ok'); // IT's analysts: 2 each
    expect(status({ from: 'IT', analyst: 'luca-000001' })).toBe('over_budget');
    expect(status({ from: 'IT', analyst: 'gina-000002' })).toBe('ok');
  });

  it('still bounds the country as a whole; a query refused for the country charges no analyst', () => {
    f.policy.current = {
      ...DEFAULT_POLICY,
      budgets: { ...DEFAULT_POLICY.budgets, perRequester: { FR: 4 }, perAnalyst: { dailyEvaluations: 3, dailyBioQueries: 100, overrides: {} } },
    };
    expect(read(f.responder.handleBatch([query({ classes: ['doc', 'doc', 'doc'] })])[0]).status).toBe('ok');
    expect(read(f.responder.handleBatch([query({ analyst: 'marc-4d5e6f', classes: ['doc', 'doc'] })])[0]).code).toBe('over_budget');
    expect(entries('budget.exceeded')).toEqual([expect.objectContaining({ country: 'FR', analyst: 'marc-4d5e6f', status: 'country', count: 2 })]);
    expect(read(f.responder.handleBatch([query({ analyst: 'marc-4d5e6f', classes: ['doc'] })])[0]).status).toBe('ok');
    expect(budgetUsed('FR')).toBe(4);
  });
});
