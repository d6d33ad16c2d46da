/**
 * Abuse resistance of the biometric service without HE work: its queue of waiting queries is bounded
 * (a flood is refused `rate_limited` at once instead of piling up probes and session keys in memory),
 * and the per-analyst daily budget applies to biometric queries as to identifier queries. The queries
 * here carry no session keys, so an admitted one ends as `unknown_session` before any scoring.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BoxKeyPair, initCrypto, randomBytes, SigningKey, TlsKey, TokenKey, toHex } from '#crypto';
import { type AuditKind, type AuditLog, ManualClock, silentLogger } from '#platform';
import type { MemberRole } from '#protocol';
import { BioEvalResult, decodeWith, Envelope, type ForwardedBioQuery, keyId, keyIdName, LIMITS, signEnvelope, VeilError, verifyEnvelope } from '#protocol';
import { nodeAudit } from './admin-ops.ts';
import { BioService } from './bio.ts';
import type { RoutedResult } from './inbound.ts';
import { DEFAULT_POLICY, type Policy } from './policy.ts';
import { NodeStore } from './store/sqlite-store.ts';

const T0 = Date.UTC(2026, 4, 4, 9, 0);

let dir: string;
let store: NodeStore;
let audit: AuditLog;
let clock: ManualClock;
let de: { signing: SigningKey; box: BoxKeyPair; token: TokenKey; tls: TlsKey };
let fr: SigningKey;
let policy: { current: Policy };

beforeAll(async () => {
  await initCrypto();
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'veil-bio-limits-'));
  store = new NodeStore(join(dir, 'node.db'));
  de = { signing: SigningKey.generate(), box: BoxKeyPair.generate(), token: TokenKey.generate(), tls: TlsKey.generate() };
  audit = nodeAudit(store, de);
  clock = new ManualClock(T0);
  fr = SigningKey.generate();
  policy = { current: DEFAULT_POLICY };
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function service(maxQueued?: number): BioService {
  const members = {
    signerOf: (kid: string): Uint8Array => {
      if (keyIdName(kid, 'node') !== 'FR') throw new VeilError('unknown_member');
      return fr.publicKey();
    },
    get: (country: string): { roles: MemberRole[] } | undefined => (country === 'FR' ? { roles: ['requester', 'responder'] } : undefined),
  };
  return new BioService({
    country: 'DE',
    store,
    keys: de,
    policy,
    members,
    audit,
    log: silentLogger,
    clock,
    workers: 1,
    ...(maxQueued !== undefined ? { maxQueued } : {}),
  });
}

function bioQuery(analyst = 'claire-1a2b3c'): Envelope {
  const q: ForwardedBioQuery = {
    t: 'fwd-bio-query',
    id: toHex(randomBytes(16)),
    ts: clock.now(),
    nonce: randomBytes(16),
    from: 'FR',
    analyst,
    purpose: 'wanted-person',
    caseRef: 'FR-2026-1',
    legalBasis: 'art-3',
    handling: 'restricted',
    targets: null,
    modality: 'face',
    sessionId: 'b'.repeat(64),
    probe: new Uint8Array(64),
  };
  return signEnvelope(fr, keyId.node('FR'), q);
}

function read(r: RoutedResult | undefined): BioEvalResult {
  if (!r || !('env' in r)) throw new Error('no signed result');
  return verifyEnvelope(decodeWith(r.env, Envelope, LIMITS.maxFrameBytes), () => de.signing.publicKey(), BioEvalResult);
}

const entries = (kind: AuditKind) => audit.list({ kind, limit: 100 }).map((r) => r.entry);

describe('biometric service limits', () => {
  it('bounds its queue: beyond it a query is refused rate_limited at once, signed and audited', async () => {
    await using bio = service(2);
    const all = [bioQuery(), bioQuery(), bioQuery(), bioQuery()].map((env) => bio.handle(env));
    const codes = (await Promise.all(all)).map((r) => read(r).code);
    expect(codes).toEqual(['unknown_session', 'unknown_session', 'rate_limited', 'rate_limited']);
    expect(entries('bio.query.refused').map((e) => e.code)).toEqual(['rate_limited', 'rate_limited']);
    // Once the queue has drained, queries are taken again.
    expect(read(await bio.handle(bioQuery())).code).toBe('unknown_session');
  });

  it('applies the per-analyst daily budget to biometric queries', async () => {
    await using bio = service();
    policy.current = {
      ...DEFAULT_POLICY,
      budgets: {
        ...DEFAULT_POLICY.budgets,
        perAnalyst: { dailyEvaluations: 100, dailyBioQueries: 0, overrides: { 'FR/marc-4d5e6f': { dailyBioQueries: 5 } } },
      },
    };
    expect(read(await bio.handle(bioQuery()))).toMatchObject({ status: 'refused', code: 'over_budget' });
    expect(read(await bio.handle(bioQuery('marc-4d5e6f'))).code).toBe('unknown_session');
    expect(entries('budget.exceeded')).toEqual([expect.objectContaining({ country: 'FR', analyst: 'claire-1a2b3c', status: 'analyst', cls: 'face' })]);
  });
});
