/**
 * Keys and certificates change over a network's life without cutting anyone off (real network on
 * loopback, real TLS, real files): a node's certificate renewed before it expires, and the organisation's
 * root rolled over — every party takes the new bundle only because the old root signed the rollover,
 * is admitted again under the new root, and the network answers as before, while a member still holding
 * an old-root certificate is refused. A bundle from another organisation is never pinned.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorPaths, enrollCoordinator, loadRevocations, startCoordinator, updateCoordinatorBundle } from '#coordinator';
import { initCrypto, interactiveLimits } from '#crypto';
import { enrollNode, loadNodeCertificate, nodePaths, startNode, updateNodeBundle } from '#node';
import { openOrg, orgPaths } from '#org';
import { readCertificateRequest, readTrustBundle, silentLogger, writeJsonFile } from '#platform';
import { errorCodeOf } from '#protocol';
import { createLocalPki } from '#simulations';
import { CTX, type Inproc, startInproc } from './helpers/inproc.ts';
import { RawNode } from './helpers/raw-node.ts';

const person = { id: 'de-1', kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' } };
const KARL = { name: 'Karl Weber', dob: '1966-06-06' };
const NEW_PASSPHRASE = 'the rolled-over root passphrase, not a secret either';

describe('renewal and root rollover on a running network', () => {
  let net: Inproc;

  beforeAll(async () => {
    await initCrypto();
    net = await startInproc([{ country: 'FR' }, { country: 'DE', records: [person] }]);
  });

  afterAll(async () => {
    await net?.stop();
  });

  async function restartNode(country: string): Promise<void> {
    await net.nodes.get(country)!.close();
    const n = await startNode(net.dir(country), { logger: silentLogger });
    net.nodes.set(country, n);
    await n.link.whenReady();
  }

  it('renews a node certificate before expiry: re-admitted from its request, enrolled, restarted, answering', async () => {
    const before = loadNodeCertificate(net.dir('DE')).cert;
    const { file } = net.pki.authority().admit(readCertificateRequest(nodePaths(net.dir('DE')).request), { days: 730 });
    const f = join(net.root, 'de-renewed.json');
    writeJsonFile(f, file);
    enrollNode(net.dir('DE'), f);
    await restartNode('DE');
    const after = loadNodeCertificate(net.dir('DE')).cert;
    expect(after.serial).not.toBe(before.serial);
    expect(after.notAfter).toBeGreaterThan(before.notAfter);
    const client = await net.client('FR');
    const r = await client.query(KARL, CTX, { targets: ['DE'] });
    expect(r.results[0]).toMatchObject({ country: 'DE', status: 'hit' });
  });

  it('refuses to pin a bundle from another organisation and leaves the pinned one untouched', () => {
    const pinned = readFileSync(nodePaths(net.dir('FR')).bundle, 'utf8');
    const other = createLocalPki(join(net.root, 'other-org'), 'veil-dev');
    expect(errorCodeOf(catching(() => updateNodeBundle(net.dir('FR'), other.bundlePath)))).toBe('untrusted_key');
    expect(readFileSync(nodePaths(net.dir('FR')).bundle, 'utf8')).toBe(pinned);
  });

  it('rolls the root over: every party re-pins and is re-admitted; the network answers; old-root certificates are refused', async () => {
    // A revocation list under the old root is held by every party before the rollover.
    const oldMember = net.pki.member('RO');
    const crl = join(net.root, 'crl-old-root.json');
    writeFileSync(crl, JSON.stringify(net.pki.authority().setStatus('node', 'RO', 'suspended')));
    await loadRevocations(net.coordinatorDir, crl);

    net.pki.authority().rollover(NEW_PASSPHRASE, Date.now(), interactiveLimits());
    const org = openOrg(net.pki.dir, NEW_PASSPHRASE);
    const orgBundle = orgPaths(net.pki.dir).bundle;
    const admit = (request: string, out: string): string => {
      writeJsonFile(out, org.admit(readCertificateRequest(request)).file);
      return out;
    };

    // The coordinator first: its new certificate goes into the bundle the nodes then take.
    expect(updateCoordinatorBundle(net.coordinatorDir, orgBundle).rolledOver).toBe(true);
    enrollCoordinator(net.coordinatorDir, admit(coordinatorPaths(net.coordinatorDir).request, join(net.root, 'coord-new-root.json')));
    // The rollover republished every status under the new root; the old list no longer verifies.
    expect(await loadRevocations(net.coordinatorDir, orgPaths(net.pki.dir).crl)).toMatchObject({ applied: true });
    const port = net.coordinator.port;
    await net.coordinator.close();
    net.coordinator = await startCoordinator(net.coordinatorDir, { port, logger: silentLogger });
    for (const country of ['FR', 'DE']) {
      expect(updateNodeBundle(net.dir(country), orgBundle).rolledOver).toBe(true);
      enrollNode(net.dir(country), admit(nodePaths(net.dir(country)).request, join(net.root, `${country}-new-root.json`)));
      await restartNode(country);
    }

    const client = await net.client('FR', 'Analyst after the rollover');
    await waitForMember(client, 'DE');
    const r = await client.query(KARL, CTX, { targets: ['DE'] });
    expect(r.results[0]).toMatchObject({ country: 'DE', status: 'hit' });

    for (const n of net.nodes.values()) expect(n.members.revocations.status('node', 'RO')).toBe('suspended');
    const stale = await RawNode.connect(net.coordinator.wsUrl, 'RO', oldMember, { caPem: readTrustBundle(orgBundle).caPem });
    expect(stale.refused).toEqual({ status: 401, code: 'untrusted_key' });
  });
});

function catching(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

async function waitForMember(client: { members(refresh?: boolean): Promise<Array<{ country: string }>> }, country: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await client.members(true)).some((m) => m.country === country)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`member ${country} never appeared`);
}
