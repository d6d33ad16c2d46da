/**
 * Disclosure test fixture: an owning node DE (a store in a temp dir with one person record, real keys,
 * its audit log, a desk on a manual clock) and requests from abroad built as a requesting node and its
 * analyst's SDK would build them — the claim sealed to DE's box key and bound to the request — so a
 * test can change one clear field or one bound field at a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoxKeyPair, randomBytes, SigningKey, sealTo, TlsKey, TokenKey, toHex } from '#crypto';
import { type AuditLog, ManualClock } from '#platform';
import { DisclosureDecision, decodeWith, Envelope, encode, type ForwardedDisclosure, readUnverified, type SealedClaim, type VeilRecord } from '#protocol';
import { nodeAudit } from '../admin-ops.ts';
import type { NodeKeys } from '../config.ts';
import { hitToken } from '../index-maintenance.ts';
import { DEFAULT_POLICY, type Policy } from '../policy.ts';
import { NodeStore } from '../store/sqlite-store.ts';
import { DisclosureDesk } from './desk.ts';

export const T0 = Date.UTC(2026, 4, 4, 9, 0);

export const KARL: VeilRecord = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06', nationality: 'DE', sex: 'M' },
};

export interface DeskFixture {
  dir: string;
  store: NodeStore;
  keys: NodeKeys;
  audit: AuditLog;
  clock: ManualClock;
  desk: DisclosureDesk;
  policy: { current: Policy };
  close(): void;
}

export function deskFixture(policy: Policy = DEFAULT_POLICY): DeskFixture {
  const dir = mkdtempSync(join(tmpdir(), 'veil-desk-'));
  const store = new NodeStore(join(dir, 'node.db'));
  const keys: NodeKeys = { signing: SigningKey.generate(), box: BoxKeyPair.generate(), token: TokenKey.generate(), tls: TlsKey.generate() };
  const audit = nodeAudit(store, keys);
  const clock = new ManualClock(T0);
  const source = { current: policy };
  const desk = new DisclosureDesk({ country: 'DE', store, keys, audit, policy: source, clock });
  store.records.upsert(
    { id: KARL.id, kind: KARL.kind, dataset: KARL.dataset, handling: KARL.handling, body: JSON.stringify(KARL), digest: new Uint8Array(32) },
    T0,
  );
  return {
    dir,
    store,
    keys,
    audit,
    clock,
    desk,
    policy: source,
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Requester {
  country: string;
  analyst: string;
  box: BoxKeyPair;
}

export const requester = (country = 'FR', analyst = 'alice-1a2b3c'): Requester => ({ country, analyst, box: BoxKeyPair.generate() });

/**
 * A forwarded request from `r` about Karl with a claim bound to it; `claim` overrides bound fields
 * (to build a claim made for another request), `fwd` the forwarded clear fields.
 */
export function forwarded(
  f: DeskFixture,
  r: Requester,
  o: { id?: string; claim?: Partial<SealedClaim>; fwd?: Partial<ForwardedDisclosure> } = {},
): ForwardedDisclosure {
  const id = o.id ?? toHex(randomBytes(16));
  const clear = {
    id,
    from: r.country,
    analyst: r.analyst,
    to: 'DE',
    purpose: 'wanted-person',
    caseRef: 'FR-2026-1',
    legalBasis: 'art-3',
    fields: ['name', 'dob'],
    analystBoxPub: r.box.publicKey(),
  } satisfies Partial<ForwardedDisclosure>;
  const claim: SealedClaim = {
    ...clear,
    token: hitToken(f.keys.token, 'DE', KARL.id, 'name_dob', 1),
    claim: { name: 'Karl Weber', dob: '1966-06-06' },
    justification: 'Suspect in case FR-2026-1.',
    ...o.claim,
  };
  return { t: 'fwd-disclosure', ts: f.clock.now(), ...clear, sealedClaim: sealTo(f.keys.box.publicKey(), encode(claim)), ...o.fwd };
}

/** The decisions DE queued for delivery, oldest first. */
export function queuedDecisions(f: DeskFixture): Array<{ recipient: string; decision: DisclosureDecision }> {
  return f.store.mail.outbox().map((m) => ({ recipient: m.recipient, decision: readUnverified(decodeWith(m.env, Envelope, 1 << 20), DisclosureDecision) }));
}
