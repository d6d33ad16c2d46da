/**
 * A node's biometric service as its own process, for the readiness benchmark (bench/bio/ready.ts):
 * `tsx bench/bio/node-host.ts <node dir> <run>` opens the node's SQLite store and keys, builds the
 * biometric service (`BioService`, as `veil node start` does), loads the gallery (restoring the persisted
 * encoding, or encoding and persisting it), then answers one forwarded query as it would arrive from a
 * requesting node — signed here with the requester's key from `<dir>/query.json`, with the analyst's
 * encrypted probe and session keys, once the node is up (a query signed before a cold start of minutes
 * would be past the replay window) — and prints one JSON line: times since this process started, what
 * loading did, CPU time, resident memory, and the signed answer. `readyMs` is the time from process start to the
 * answer. (Bench only: a node never holds another node's signing key.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64url, initCrypto, randomBytes, SigningKey, toBase64url, toHex } from '#crypto';
import { BioService, DEFAULT_POLICY, loadNodeKeys, NodeStore, nodeAudit, nodePaths } from '#node';
import { silentLogger, systemClock } from '#platform';
import { type ForwardedBioQuery, keyId, keyIdName, signEnvelope, VeilError } from '#protocol';

const [dir, runArg] = process.argv.slice(2);
if (!dir || runArg === undefined) throw new Error('usage: node-host.ts <node dir> <run>');
await initCrypto();
const input = JSON.parse(readFileSync(join(dir, 'query.json'), 'utf8')) as {
  requester: string;
  requesterKey: string;
  sessionId: string;
  sessionKeys: string;
  probe: string;
};
const requester = SigningKey.fromBytes(fromBase64url(input.requesterKey));
const requesterKey = requester.publicKey();
const keys = loadNodeKeys(dir);
const store = new NodeStore(nodePaths(dir).db);
const members = {
  signerOf: (kid: string): Uint8Array => {
    if (keyIdName(kid, 'node') !== input.requester) throw new VeilError('unknown_member');
    return requesterKey;
  },
  get: (country: string) => (country === input.requester ? { roles: ['requester' as const] } : undefined),
};
const bio = new BioService({
  country: 'DE',
  store,
  keys,
  policy: { current: DEFAULT_POLICY },
  members,
  audit: nodeAudit(store, keys),
  log: silentLogger,
  clock: systemClock(),
  workers: 2,
});
const started = performance.now();
const loaded = await bio.load();
const loadedAt = performance.now();
const clock = systemClock();
const id = toHex(randomBytes(16));
const q: ForwardedBioQuery = {
  t: 'fwd-bio-query',
  id,
  ts: clock.now(),
  nonce: randomBytes(16),
  from: input.requester,
  analyst: 'bench-1a2b3c',
  purpose: 'wanted-person',
  caseRef: 'BENCH-1',
  legalBasis: 'art-3',
  handling: 'restricted',
  targets: ['DE'],
  modality: 'face',
  sessionId: input.sessionId,
  sessionKeys: fromBase64url(input.sessionKeys),
  probe: fromBase64url(input.probe),
};
const answer = await bio.handle(signEnvelope(requester, keyId.node(input.requester), q));
const readyMs = performance.now();
// CPU time of the whole process (both threads) until the answer: on a machine shared with other jobs
// the wall-clock figures stretch with the load, this much less.
const cpu = process.cpuUsage();
const rssBytes = process.memoryUsage().rss;
await bio.close();
store.close();
if (!answer || !('env' in answer)) throw new Error('no signed answer');
console.log(
  JSON.stringify({
    readyMs,
    startupMs: started,
    loadMs: loadedAt - started,
    answerMs: readyMs - loadedAt,
    loaded,
    rssBytes,
    cpuMs: (cpu.user + cpu.system) / 1000,
    id,
    run: Number(runArg),
    answer: toBase64url(answer.env),
  }),
);
