/**
 * The gateway test fixture: the analyst API through `app.request()`, without a listener or a
 * coordinator — a real SQLite store in a temp dir, a fake coordinator link (the narrow `GatewayLink`),
 * a real member directory holding one peer (FR), one analyst account and a manual clock, plus request
 * helpers. Used by `gateway.test.ts` and `gateway-limits.test.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoxKeyPair, blind, randomBytes, SigningKey, TlsKey, TokenKey, toHex, utf8 } from '#crypto';
import { type AuditLog, ManualClock, MSGPACK, silentLogger } from '#platform';
import { type Answer, decode, type Envelope, encode, issueCertificate, keyId, LIMITS, type LookupResult, signEnvelope } from '#protocol';
import { MemberDirectory } from '#sdk';
import { nodeAudit } from './admin-ops.ts';
import { DisclosureOutbox } from './disclosure/outgoing.ts';
import { createGatewayApp, type GatewayDeps, type GatewayLink } from './gateway.ts';
import { DEFAULT_POLICY } from './policy.ts';
import { NodeStore } from './store/sqlite-store.ts';

export const T0 = Date.UTC(2026, 4, 4, 9, 0);

/** A coordinator link that records what is forwarded and answers when told to. */
export class FakeLink implements GatewayLink {
  ready = true;
  readonly queries: Array<{ id: string; env: Envelope }> = [];
  readonly lookups: Array<{ id: string; env: Envelope }> = [];
  answers: Answer[] = [{ country: 'FR', status: 'answered', env: new Uint8Array([1, 2, 3]) }];
  results: LookupResult[] = [];
  /** When set, queries and lookups wait for it. */
  hold: Promise<void> | undefined;

  async query(id: string, env: Envelope): Promise<Answer[]> {
    this.queries.push({ id, env });
    await this.hold;
    return this.answers;
  }

  async lookup(id: string, env: Envelope): Promise<LookupResult[]> {
    this.lookups.push({ id, env });
    await this.hold;
    return this.results;
  }

  /** Hold every forward until the returned function is called. */
  holdAll(): () => void {
    let release = (): void => {};
    this.hold = new Promise((r) => (release = r));
    return () => {
      this.hold = undefined;
      release();
    };
  }
}

export interface Analyst {
  id: string;
  signing: SigningKey;
  box: BoxKeyPair;
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export class GatewayFixture {
  readonly dir: string;
  readonly store: NodeStore;
  readonly clock: ManualClock;
  readonly link = new FakeLink();
  readonly de = { signing: SigningKey.generate(), box: BoxKeyPair.generate(), token: TokenKey.generate(), tls: TlsKey.generate() };
  readonly fr = { signing: SigningKey.generate(), box: BoxKeyPair.generate() };
  readonly audit: AuditLog;
  readonly members: MemberDirectory;
  /** The organisation root that certifies FR. */
  readonly root = SigningKey.generate();
  readonly outbox: DisclosureOutbox;
  readonly ana: Analyst;
  app: ReturnType<typeof createGatewayApp>;

  constructor(extra: Partial<GatewayDeps> = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'veil-gateway-'));
    this.store = new NodeStore(join(this.dir, 'node.db'));
    this.clock = new ManualClock(T0);
    this.audit = nodeAudit(this.store, this.de);
    this.members = new MemberDirectory({ org: 'unit-org', rootPub: this.root.publicKey() }, () => this.clock.now());
    const cert = issueCertificate(this.root, {
      org: 'unit-org',
      serial: toHex(randomBytes(16)),
      role: 'node',
      name: 'FR',
      signPub: this.fr.signing.publicKey(),
      tlsPub: randomBytes(32),
      roles: ['requester', 'responder'],
      notBefore: 0,
      notAfter: this.clock.now() + 86_400_000,
      x509: new Uint8Array(8),
    });
    const descriptor = signEnvelope(this.fr.signing, keyId.node('FR'), {
      t: 'descriptor',
      country: 'FR',
      ts: this.clock.now(),
      signPub: this.fr.signing.publicKey(),
      boxPub: this.fr.box.publicKey(),
      oprf: { epoch: 1, pub: new Uint8Array(32).fill(2) },
    });
    this.members.update([{ cert, descriptor }], null);
    this.outbox = new DisclosureOutbox({ country: 'DE', store: this.store, keys: this.de, members: this.members, audit: this.audit, clock: this.clock });
    this.ana = this.addAnalyst('ana-1a2b3c');
    this.app = this.build(extra);
  }

  /** A gateway app over this fixture's store, link and clock, with `extra` deps replacing the defaults. */
  build(extra: Partial<GatewayDeps> = {}): ReturnType<typeof createGatewayApp> {
    return createGatewayApp({
      country: 'DE',
      store: this.store,
      keys: this.de,
      link: this.link,
      members: this.members,
      audit: this.audit,
      log: silentLogger,
      outbox: this.outbox,
      clock: this.clock,
      policy: { current: DEFAULT_POLICY },
      queryTimeoutMs: 1000,
      bioTimeoutMs: 1000,
      ...extra,
    });
  }

  close(): void {
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  addAnalyst(id: string): Analyst {
    const a = { id, signing: SigningKey.generate(), box: BoxKeyPair.generate() };
    this.store.analysts.add({ id, name: id, signPub: a.signing.publicKey(), boxPub: a.box.publicKey() }, this.clock.now());
    return a;
  }

  /** A fresh ts and nonce. */
  fresh(): { ts: number; nonce: Uint8Array } {
    return { ts: this.clock.now(), nonce: randomBytes(16) };
  }

  /** The same request in a fresh envelope (new ts and nonce). */
  retry<T extends { ts: number; nonce: Uint8Array }>(req: T): T {
    return { ...req, ...this.fresh() };
  }

  queryRequest(id = toHex(randomBytes(16)), blinded = blind('voprf', utf8('hans-1971')).blindedElement) {
    return {
      t: 'query',
      id,
      ...this.fresh(),
      purpose: 'wanted-person',
      caseRef: 'DE-2026-1',
      legalBasis: 'art-3',
      handling: 'restricted',
      targets: null,
      items: [{ cls: 'name_dob', blinded }],
    };
  }

  bioRequest(o: Record<string, unknown> = {}) {
    return {
      t: 'bio-query',
      id: toHex(randomBytes(16)),
      ...this.fresh(),
      purpose: 'wanted-person',
      caseRef: 'DE-2026-1',
      legalBasis: 'art-3',
      handling: 'restricted',
      targets: null,
      modality: 'face',
      sessionId: 'a'.repeat(64),
      probe: new Uint8Array(64).fill(7),
      ...o,
    };
  }

  lookupRequest(id = toHex(randomBytes(16))) {
    return { t: 'lookup', id, ...this.fresh(), mode: 'exact', items: [{ country: 'FR', epoch: 1, keys: [randomBytes(16)] }] };
  }

  signed(payload: unknown, by: Analyst = this.ana, kid = keyId.analyst(by.id)): Uint8Array {
    return encode(signEnvelope(by.signing, kid, payload));
  }

  async post(path: string, body: Uint8Array, app = this.app): Promise<Reply> {
    const r = await app.request(path, { method: 'POST', body, headers: { 'content-type': MSGPACK } });
    return { status: r.status, body: decode(new Uint8Array(await r.arrayBuffer()), LIMITS.maxFrameBytes) as Record<string, unknown> };
  }
}

export const errorCode = (r: { body: Record<string, unknown> }): string | undefined => (r.body.error as { code?: string } | undefined)?.code;
