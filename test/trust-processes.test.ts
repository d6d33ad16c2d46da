/**
 * The trust attacks again, with every party a separate process started through the `veil` CLI as an
 * operator would (`trust-attacks.test.ts` plays the same attacks, and more variants, in one process):
 * a byte relay between a node process and the coordinator process, a relay terminating TLS with a
 * certificate from outside the organisation, a member revoked with `veil org revoke` and handed to the
 * running coordinator with `veil coordinator revocations`, and an analyst revoked with
 * `veil node analyst revoke` while its node runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto, TlsKey } from '#crypto';
import { LOGIN_HEADER } from '#protocol';
import { VeilClient } from '#sdk';
import { type Daemon, DEV_ORG_PASSPHRASE, getJson, type LocalNetwork, runVeilOk, startDaemon, startLocalNetwork, waitFor } from '#simulations';
import { byteRelay, selfSigned, tlsTrap } from './helpers/relays.ts';

const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-9', legalBasis: 'art-3', handling: 'restricted' } as const;
const ingrid = {
  id: 'it-p-1',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Bergamaschi', given: 'Ingrid', dob: '1983-09-17' },
};
const INGRID = { name: 'Ingrid Bergamaschi', dob: '1983-09-17' };
const ORG_ENV = { VEIL_ORG_PASSPHRASE: DEV_ORG_PASSPHRASE };

describe('trust attacks with every party in its own process', () => {
  let net: LocalNetwork;
  let caPem: string;
  let client: VeilClient;
  const joined: Daemon[] = [];
  const servers: Array<{ close(): unknown }> = [];

  /** A node for `country` admitted by the organisation, whose configured coordinator URL is `url`. */
  async function joinVia(country: string, url: string, records?: object[]): Promise<Daemon> {
    const dir = net.nodeDir(country);
    await runVeilOk(['node', 'init', '--country', country, '--dir', dir, '--bundle', net.bundle, '--coordinator', url, '--port', '0', '--admin-port', '0']);
    if (records) {
      const f = join(net.root, `records-${country}.ndjson`);
      writeFileSync(f, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
      await runVeilOk(['node', 'import', '--dir', dir, f]);
    }
    const cert = join(net.root, `certificate-${country}.json`);
    await runVeilOk(['org', 'admit', '--dir', net.orgDir, '--request', join(dir, 'request.json'), '--out', cert], { env: ORG_ENV });
    await runVeilOk(['node', 'enroll', '--dir', dir, '--cert', cert]);
    const d = await startDaemon(['node', 'start', '--dir', dir], join(dir, 'run.json'));
    joined.push(d);
    return d;
  }

  const connected = async () => ((await getJson(`${net.coordinator.info.url}/v1/health`, caPem)) as { connected: number }).connected;

  beforeAll(async () => {
    await initCrypto();
    net = await startLocalNetwork([{ country: 'FR' }, { country: 'DE' }]);
    await net.settled();
    caPem = readFileSync(join(net.orgDir, 'ca.pem'), 'utf8');
    client = await VeilClient.connect(await net.addAnalyst('FR', 'Process Analyst'));
  });

  afterAll(async () => {
    for (const d of joined) await d.stop();
    for (const s of servers) s.close();
    await net?.stop();
  });

  it('a node process reaches the coordinator process through a byte relay: it works, and the relay saw only ciphertext', async () => {
    const relay = await byteRelay(net.coordinator.info.port);
    servers.push(relay.server);
    const it_ = await joinVia('IT', relay.url, [ingrid]);
    await waitFor('IT connected through the relay', async () => (await connected()) === 3);
    await waitFor('IT published', async () => {
      const h = (await getJson(`${it_.info.url}/v1/health`, caPem)) as { coordinator: string; unpublishedChunks: number };
      return h.coordinator === 'connected' && h.unpublishedChunks === 0;
    });
    const r = await client.query(INGRID, CTX, { targets: ['IT'] });
    expect(r.results[0]?.status).toBe('hit');
    const seen = Buffer.concat(relay.seen).toString('latin1');
    expect(seen.length).toBeGreaterThan(1000);
    for (const plain of ['Bergamaschi', 'BERGAMASCHI', LOGIN_HEADER, 'wanted-person', 'T-2026-9', '"IT"']) expect(seen).not.toContain(plain);
  });

  it('a node process behind a relay presenting a certificate outside the organisation refuses it, says why, and sends it nothing', async () => {
    const key = TlsKey.generate();
    const trap = await tlsTrap(key, selfSigned(key));
    servers.push(trap.server);
    const before = await connected();
    const at = await joinVia('AT', trap.url);
    await waitFor('AT names the untrusted certificate', () => at.logs().includes('untrusted_key'));
    expect(trap.requests).toBe(0);
    expect(await connected()).toBe(before);
  });

  it('a member revoked through the CLI is cut off by the running coordinator, and queries to it fail as unknown_member', async () => {
    const before = await connected();
    await runVeilOk(['org', 'revoke', '--dir', net.orgDir, 'DE'], { env: ORG_ENV });
    await runVeilOk(['coordinator', 'revocations', '--dir', net.coordinatorDir, join(net.orgDir, 'crl.json')]);
    await waitFor('DE disconnected', async () => (await connected()) === before - 1);
    const r = await client.query(INGRID, CTX, { targets: ['DE'] });
    expect(r.results).toEqual([expect.objectContaining({ country: 'DE', status: 'error', code: 'unknown_member' })]);
  });

  it('an analyst revoked through the CLI while its node runs is refused at once; a colleague keeps working', async () => {
    const colleague = await VeilClient.connect(await net.addAnalyst('FR', 'Colleague'));
    await runVeilOk(['node', 'analyst', 'revoke', '--dir', net.nodeDir('FR'), client.credential.analystId]);
    await expect(client.query(INGRID, CTX, { targets: ['IT'] })).rejects.toMatchObject({ code: 'unauthenticated' });
    expect((await colleague.query(INGRID, CTX, { targets: ['IT'] })).results[0]?.status).toBe('hit');
  });
});
