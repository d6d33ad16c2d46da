/**
 * Durability with real processes (docs/design.md §6): the coordinator is killed with SIGKILL while a
 * disclosure request waits in its mailbox; the owning node is offline when the request is made; the
 * analyst's node is offline when the decision is made. Nothing is lost, nothing is duplicated.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { VeilClient } from '#sdk';
import { type Daemon, getJson, type LocalNetwork, runVeil, runVeilOk, startDaemon, startLocalNetwork, waitFor } from '#simulations';

const nd = (rs: object[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;
const karl = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
};
const CTX = { purpose: 'wanted-person', caseRef: 'T-9', legalBasis: 'art-3', handling: 'restricted' } as const;

let caPem = '';

async function health(url: string): Promise<{ coordinator: string; unsentMail: number } | undefined> {
  try {
    return (await getJson(`${url}/v1/health`, caPem)) as { coordinator: string; unsentMail: number };
  } catch {
    return undefined;
  }
}

describe('durability across crashes and offline nodes', () => {
  let net: LocalNetwork;
  let coordinator: Daemon;
  const extra: Daemon[] = [];

  afterAll(async () => {
    for (const d of extra) await d.stop();
    await net?.stop();
  });

  it('delivers a request exactly once through a coordinator SIGKILL and offline nodes', async () => {
    await initCrypto();
    net = await startLocalNetwork([{ country: 'FR' }, { country: 'DE', records: nd([karl]) }]);
    caPem = readFileSync(join(net.orgDir, 'ca.pem'), 'utf8');
    coordinator = net.coordinator;
    await net.settled();
    const cred = await net.addAnalyst('FR', 'Durable Analyst');
    const client = await VeilClient.connect(cred);
    const subject = { name: 'Karl Weber', dob: '1966-06-06' };
    const r = await client.query(subject, CTX);
    const hit = r.results.find((x) => x.country === 'DE')!.hits.find((h) => h.cls === 'name_dob')!;

    // 1. The owning node goes offline; the request is made and lands in the coordinator's mailbox.
    await net.nodes.get('DE')!.daemon.stop();
    const req = await client.requestDisclosure({ country: 'DE', token: hit.token }, subject, CTX, {
      fields: ['name', 'dob'],
      justification: 'Durability test.',
    });
    const fr = net.nodes.get('FR')!.daemon;
    await waitFor('FR handed the request to the coordinator', async () => (await health(fr.info.url))?.unsentMail === 0);

    // 2. The coordinator dies hard before it could deliver, and comes back on the same port.
    coordinator.proc.kill('SIGKILL');
    await waitFor('coordinator dead', () => coordinator.proc.exitCode !== null || coordinator.proc.signalCode !== null);
    coordinator = await startDaemon(
      ['coordinator', 'start', '--dir', net.coordinatorDir, '--port', String(net.coordinator.info.port)],
      join(net.coordinatorDir, 'run.json'),
    );
    extra.push(coordinator);
    // The surviving node reconnects by itself (backoff) and logs in again.
    await waitFor('FR reconnected', async () => (await health(fr.info.url))?.coordinator === 'connected');

    // 3. The owning node returns and receives the request, once.
    const de = await startDaemon(['node', 'start', '--dir', net.nodeDir('DE')], join(net.nodeDir('DE'), 'run.json'));
    extra.push(de);
    const pendingAtDe = async () =>
      JSON.parse(await runVeilOk(['approvals', 'list', '--dir', net.nodeDir('DE'), '--all', '--json'])) as Array<{
        id: string;
        requestId: string;
        status: string;
      }>;
    await waitFor('DE received the request', async () => (await pendingAtDe()).some((p) => p.requestId === req.id));

    // 4. The analyst's node goes offline; the owner approves meanwhile.
    await fr.stop();
    const added = await runVeilOk(['node', 'owner', 'add', 'Owner Seven', '--dir', net.nodeDir('DE')], {
      env: { VEIL_OWNER_PASSWORD: 'durability-test-password' },
    });
    const ownerId = /data owner (\S+) created/.exec(added)![1]!;
    const asOwner = { env: { VEIL_OWNER_PASSWORD: 'durability-test-password' } };
    const refused = await runVeil(['approvals', 'approve', req.id, '--dir', net.nodeDir('DE'), '--fields', 'name', '--owner', 'nobody-000000'], asOwner);
    expect(refused.code).toBe(4); // refused: exit status 4
    expect(refused.stderr).toContain('error [unauthenticated]');
    await runVeilOk(['approvals', 'approve', req.id, '--dir', net.nodeDir('DE'), '--fields', 'name', '--owner', ownerId], asOwner);
    await waitFor('DE handed the decision to the coordinator', async () => (await health(de.info.url))?.unsentMail === 0);

    // 5. The analyst's node returns and the decision reaches the analyst, once.
    const fr2 = await startDaemon(['node', 'start', '--dir', net.nodeDir('FR')], join(net.nodeDir('FR'), 'run.json'));
    extra.push(fr2);
    const client2 = await VeilClient.connect(cred, { nodeUrl: fr2.info.url });
    await waitFor('decision delivered', async () => (await client2.disclosures()).some((d) => d.id === req.id && d.status === 'approved'));

    const mine = await client2.disclosures();
    expect(mine.filter((d) => d.id === req.id)).toHaveLength(1);
    expect(mine.find((d) => d.id === req.id)!.released?.fields).toEqual({ name: { family: 'Weber', given: 'Karl' } });
    expect((await pendingAtDe()).filter((p) => p.requestId === req.id)).toEqual([expect.objectContaining({ status: 'approved' })]);
    // The coordinator holds no undelivered mail and no ciphertext of delivered mail.
    const members = await runVeilOk(['audit', 'verify', '--dir', net.coordinatorDir]);
    expect(members).toContain('intact');
  });
});
