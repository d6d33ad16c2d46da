/**
 * Offline node operations behind the CLI: `init`, `analyst add`, `rotate-key`. They work on the node's
 * directory whether or not the node is running; a running node picks their effects up (analysts on the
 * next request, new outbox chunks within a second, a new epoch when the coordinator acknowledges it).
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BoxKeyPair, initCrypto, OprfKey, randomBytes, SigningKey, toBase64url, toHex } from '#crypto';
import { AuditLog, envelopeToText, pickFreePort, pinTrustBundle, writeCertificateRequest, writeJsonFile } from '#platform';
import type { MatchClass } from '#protocol';
import { type Hosts, issueAnalystCertificate, matchKeysForRecord, VeilError, type VeilRecord } from '#protocol';
import {
  assertFreshDir,
  createNodeKeys,
  loadNodeCertificate,
  loadNodeConfig,
  loadNodeKeys,
  NodeConfig,
  type NodeKeys,
  nodePaths,
  saveNodeConfig,
} from './config.ts';
import { hitToken, IndexDelta } from './index-maintenance.ts';
import { DEFAULT_POLICY } from './policy.ts';
import { NodeStore } from './store/sqlite-store.ts';
import { TagBuilder } from './tags.ts';

export function nodeAudit(store: NodeStore, keys: NodeKeys): AuditLog {
  return new AuditLog(store.db, { signer: { sign: (m) => keys.signing.sign(m), publicKey: keys.signing.publicKey() } });
}

export interface InitNodeOptions {
  country: string;
  /** The organisation's trust bundle (handed over out of band); the node pins a copy. */
  bundle: string;
  coordinatorUrl?: string;
  /** Analyst API port; default: a free port chosen now and kept (0: any free port at each start). */
  port?: number;
  /** Approval console port; default: a free port chosen now and kept (0: any free port at each start). */
  adminPort?: number;
  host?: string;
  /** Names in the node's TLS certificate (where its analysts reach it); default its host and localhost. */
  hosts?: Hosts;
  insecureDevTransport?: boolean;
}

/**
 * Create a node directory: keys, the pinned trust bundle, epoch 1, a default policy, and the certificate
 * request to hand to the organisation. Returns the config and the bundle's fingerprint to compare.
 */
function coordinatorUrlFields(given: string | undefined): { coordinatorUrl: string | null; coordinatorUrls: string[] } {
  const urls = (given ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  return urls.length > 1 ? { coordinatorUrl: null, coordinatorUrls: urls } : { coordinatorUrl: urls[0] ?? null, coordinatorUrls: [] };
}

export async function initNode(dir: string, opts: InitNodeOptions): Promise<NodeConfig & { fingerprint: string }> {
  await initCrypto();
  assertFreshDir(dir);
  const p = nodePaths(dir);
  const bundle = pinTrustBundle(opts.bundle, p.bundle);
  const host = opts.host ?? '127.0.0.1';
  // Fixed ports, chosen now when not given, so credentials and bookmarks stay valid across restarts.
  const port = opts.port ?? (await pickFreePort(host));
  let adminPort = opts.adminPort ?? (await pickFreePort('127.0.0.1'));
  while (adminPort !== 0 && adminPort === port) adminPort = await pickFreePort('127.0.0.1');
  const cfg = NodeConfig.parse({
    country: opts.country.toUpperCase(),
    // Several comma-separated URLs: the instances of a replicated coordinator.
    ...coordinatorUrlFields(opts.coordinatorUrl),
    port,
    adminPort,
    host,
    insecureDevTransport: opts.insecureDevTransport ?? false,
  });
  const keys = createNodeKeys(dir);
  writeJsonFile(join(dir, cfg.policyFile), DEFAULT_POLICY);
  const hosts = opts.hosts ?? { dns: ['localhost'], ip: /^\d+\.\d+\.\d+\.\d+$/.test(cfg.host) ? [cfg.host] : ['127.0.0.1'] };
  writeCertificateRequest(p.request, keys.signing, { role: 'node', name: cfg.country, tlsPub: keys.tls.spki(), hosts, ts: Date.now() });
  const store = new NodeStore(p.db);
  try {
    store.tx(() => {
      store.records.addEpoch(1, OprfKey.generate('voprf').secretBytes(), 'active', Date.now());
      // An empty final chunk tells the coordinator epoch 1 is complete (and empty) from the start.
      new IndexDelta().flush(store, 1);
      store.meta.set('country', cfg.country);
      nodeAudit(store, keys).append({ kind: 'node.initialised', country: cfg.country, epoch: 1 });
    });
  } finally {
    store.close();
  }
  saveNodeConfig(dir, cfg);
  return { ...cfg, fingerprint: bundle.fingerprint };
}

/**
 * Issue an analyst credential file: fresh keys, an analyst certificate signed by this node (valid for
 * `days`, never beyond the node's own certificate), the node's certificate and the pinned trust bundle,
 * so the analyst's SDK can check the chain root → node → analyst and pin the node's TLS certificate.
 * The node must be enrolled. Returns the file's path.
 */
export async function addAnalyst(
  dir: string,
  name: string,
  opts: { out?: string; nodeUrl?: string; days?: number } = {},
): Promise<{ path: string; analystId: string }> {
  await initCrypto();
  if (!/^[\p{L}\p{N} ._'-]{1,100}$/u.test(name)) throw new VeilError('bad_request', "analyst name: letters, digits, space, . _ ' - only");
  const cfg = loadNodeConfig(dir);
  const keys = loadNodeKeys(dir);
  const now = Date.now();
  const node = loadNodeCertificate(dir, now);
  const slug =
    name
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase()
      .slice(0, 40) || 'analyst';
  const analystId = `${slug}-${toHex(randomBytes(3))}`;
  const signing = SigningKey.generate();
  const box = BoxKeyPair.generate();
  const store = new NodeStore(nodePaths(dir).db);
  try {
    store.tx(() => {
      store.analysts.add({ id: analystId, name, signPub: signing.publicKey(), boxPub: box.publicKey() }, Date.now());
      nodeAudit(store, keys).append({ kind: 'analyst.added', analyst: analystId });
    });
  } finally {
    store.close();
  }
  let nodeUrl = opts.nodeUrl ?? null;
  const run = nodePaths(dir).run;
  if (!nodeUrl && existsSync(run)) nodeUrl = (JSON.parse(readFileSync(run, 'utf8')) as { url?: string }).url ?? null;
  if (!nodeUrl && cfg.port !== 0) nodeUrl = `${cfg.insecureDevTransport ? 'http' : 'https'}://${cfg.host}:${cfg.port}`;
  const certificate = issueAnalystCertificate(keys.signing, {
    serial: toHex(randomBytes(16)),
    country: cfg.country,
    analystId,
    signPub: signing.publicKey(),
    boxPub: box.publicKey(),
    notBefore: now - 60_000,
    notAfter: Math.min(node.cert.notAfter, now + (opts.days ?? 365) * 86_400_000),
  });
  const path = opts.out ?? join(nodePaths(dir).analysts, `${analystId}.cred.json`);
  writeJsonFile(
    path,
    {
      v: 2,
      analystId,
      name,
      country: cfg.country,
      nodeUrl,
      signingKey: toBase64url(signing.secretBytes()),
      boxKey: toBase64url(box.secretBytes()),
      certificate: envelopeToText(certificate),
      nodeCertificate: envelopeToText(node.certificate),
      bundle: JSON.parse(readFileSync(nodePaths(dir).bundle, 'utf8')) as unknown,
    },
    { secret: true },
  );
  return { path, analystId };
}

/** The node's analyst accounts (no keys). */
export function listAnalysts(dir: string): Array<{ id: string; name: string; revoked: boolean }> {
  const store = new NodeStore(nodePaths(dir).db);
  try {
    return store.analysts.list().map((a) => ({ id: a.id, name: a.name, revoked: a.revoked }));
  } finally {
    store.close();
  }
}

/** Revoke an analyst account (audited); false if there is no such account. */
export async function revokeAnalyst(dir: string, id: string): Promise<boolean> {
  await initCrypto();
  const keys = loadNodeKeys(dir);
  const store = new NodeStore(nodePaths(dir).db);
  try {
    return store.tx(() => {
      if (!store.analysts.revoke(id)) return false;
      nodeAudit(store, keys).append({ kind: 'analyst.removed', analyst: id, status: 'revoked' });
      return true;
    });
  } finally {
    store.close();
  }
}

/**
 * Start a new OPRF epoch: a fresh key, every record's tags recomputed under it and queued for
 * publication in full, the last chunk marked final. The node switches to the new key only when the
 * coordinator has acknowledged that final chunk, so queries never meet a half-published index.
 */
export async function rotateKey(
  dir: string,
  opts: { workers?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ epoch: number; tags: number }> {
  await initCrypto();
  const cfg = loadNodeConfig(dir);
  const keys = loadNodeKeys(dir);
  const store = new NodeStore(nodePaths(dir).db);
  try {
    const epochs = store.records.epochs();
    if (epochs.some((e) => e.state === 'pending')) throw new VeilError('conflict', 'a key rotation is already waiting for the coordinator');
    const epoch = Math.max(...epochs.map((e) => e.epoch)) + 1;
    const secret = OprfKey.generate('voprf').secretBytes();
    const items: Array<{ id: string; cls: MatchClass; input: Uint8Array }> = [];
    for (const r of store.records.iterate()) {
      const rec = JSON.parse(r.body) as VeilRecord;
      for (const k of matchKeysForRecord(rec)) items.push({ id: r.id, cls: k.cls, input: k.input });
    }
    const builder = new TagBuilder([{ epoch, secret }], opts.workers ?? cfg.workers);
    let tags: Uint8Array[];
    try {
      tags = await builder.tags(
        epoch,
        items.map((i) => i.input),
        (d) => opts.onProgress?.(d, items.length),
      );
    } finally {
      await builder.close();
    }
    store.tx(() => {
      store.records.addEpoch(epoch, secret, 'pending', Date.now());
      const delta = new IndexDelta();
      const seen = new Set<string>();
      items.forEach((it, i) => {
        const tag = tags[i];
        if (tag === undefined) throw new VeilError('internal', 'fewer tags than match keys');
        const k = `${it.id}|${Buffer.from(tag).toString('hex')}`;
        if (seen.has(k)) return;
        seen.add(k);
        const token = hitToken(keys.token, cfg.country, it.id, it.cls, epoch);
        store.records.addKey(it.id, { epoch, cls: it.cls, tag, token });
        delta.add(epoch, [tag, token]);
      });
      delta.flush(store, epoch);
      nodeAudit(store, keys).append({ kind: 'key.rotated', epoch, count: seen.size });
    });
    return { epoch, tags: items.length };
  } finally {
    store.close();
  }
}
