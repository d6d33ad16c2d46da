/**
 * Crash chaos: a real network of processes (coordinator, nodes FR and DE through the `veil` CLI; FR's
 * process is also the analyst's gateway) runs a seeded workload of queries, disclosure requests and
 * owner approvals (both travel as mail through the coordinator) while SIGKILL hits a random process at a
 * random moment, which is then restarted on its port. Afterwards everything is restarted, given time to
 * deliver, and checked: every disclosure request a node accepted (202 to the analyst) reached the owner
 * exactly once, every approval the owner's CLI confirmed reached the analyst exactly once, and every
 * party's audit chain verifies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initCrypto } from '#crypto';
import { VeilClient } from '#sdk';
import { type Daemon, getJson, type LocalNetwork, runVeil, runVeilOk, sleep, startDaemon, startLocalNetwork, waitFor } from '#simulations';
import { Rng } from '../fuzz/mutate.ts';
import { within } from '../fuzz/ws.ts';

export interface ChaosReport {
  seed: number;
  kills: number;
  killsBy: Record<string, number>;
  queries: { ok: number; failed: number };
  /** Disclosure requests and approvals the system confirmed (202, CLI exit 0). */
  accepted: { requests: number; approvals: number };
  lost: number;
  duplicated: number;
  auditChainsOk: boolean;
  ms: number;
}

const karl = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
};
const CTX = { purpose: 'wanted-person', caseRef: 'C-1', legalBasis: 'art-3', handling: 'restricted' } as const;
const SUBJECT = { name: 'Karl Weber', dob: '1966-06-06' };
const PASSWORD = { env: { VEIL_OWNER_PASSWORD: 'chaos-test-password-1' } };
const OP_MS = 20_000;

type Party = 'coordinator' | 'FR' | 'DE';

export async function runChaos(opts: { kills: number; seed: number; log?: (s: string) => void }): Promise<ChaosReport> {
  await initCrypto();
  const log = opts.log ?? (() => {});
  const rng = new Rng(opts.seed);
  const started = performance.now();
  const net: LocalNetwork = await startLocalNetwork([{ country: 'FR' }, { country: 'DE', records: `${JSON.stringify(karl)}\n` }]);
  const caPem = readFileSync(join(net.orgDir, 'ca.pem'), 'utf8');
  const daemons: Record<Party, Daemon> = { coordinator: net.coordinator, FR: net.nodes.get('FR')!.daemon, DE: net.nodes.get('DE')!.daemon };
  const dirs: Record<Party, string> = { coordinator: net.coordinatorDir, FR: net.nodeDir('FR'), DE: net.nodeDir('DE') };
  const extra: Daemon[] = [];
  const report: ChaosReport = {
    seed: opts.seed,
    kills: 0,
    killsBy: {},
    queries: { ok: 0, failed: 0 },
    accepted: { requests: 0, approvals: 0 },
    lost: 0,
    duplicated: 0,
    auditChainsOk: false,
    ms: 0,
  };
  const restart = async (p: Party): Promise<void> => {
    const args = p === 'coordinator' ? ['coordinator', 'start', '--dir', dirs[p]] : ['node', 'start', '--dir', dirs[p]];
    const d = await startDaemon([...args, '--port', String(daemons[p].info.port)], join(dirs[p], 'run.json'));
    daemons[p] = d;
    extra.push(d);
  };
  try {
    await net.settled();
    const cred = await net.addAnalyst('FR', 'Chaos Analyst');
    const added = await runVeilOk(['node', 'owner', 'add', 'Chaos Owner', '--dir', dirs.DE], PASSWORD);
    const ownerId = /data owner (\S+) created/.exec(added)?.[1] ?? '';
    const client = await VeilClient.connect(cred);
    const first = await client.query(SUBJECT, CTX);
    const token = first.results.find((x) => x.country === 'DE')?.hits[0]?.token;
    if (!token) throw new Error('no hit to request disclosure of');

    const requested = new Set<string>();
    const approved = new Set<string>();
    let stop = false;
    const pendingAtDe = async (): Promise<Array<{ requestId: string; status: string }>> =>
      JSON.parse(await runVeilOk(['approvals', 'list', '--dir', dirs.DE, '--all', '--json'])) as Array<{ requestId: string; status: string }>;

    const workload = async (): Promise<void> => {
      while (!stop) {
        const r = rng.int(10);
        try {
          if (r < 5) {
            const q = await within(client.query(SUBJECT, CTX), OP_MS);
            if (q === false) throw new Error('query timed out');
            report.queries.ok++;
          } else if (r < 8) {
            const d = await within(client.requestDisclosure({ country: 'DE', token }, SUBJECT, CTX, { fields: ['name'], justification: 'Chaos test.' }), OP_MS);
            if (d !== false) requested.add(d.id);
          } else {
            const pending = (await pendingAtDe()).filter((p) => p.status === 'pending' && !approved.has(p.requestId));
            const pick = pending[0];
            if (pick) {
              const res = await runVeil(['approvals', 'approve', pick.requestId, '--dir', dirs.DE, '--fields', 'name', '--owner', ownerId], PASSWORD);
              if (res.code === 0) approved.add(pick.requestId);
            }
          }
        } catch {
          if (r < 5) report.queries.failed++;
          await sleep(200);
        }
      }
    };

    const chaos = async (): Promise<void> => {
      const parties: Party[] = ['coordinator', 'FR', 'DE'];
      for (let k = 0; k < opts.kills; k++) {
        await sleep(500 + rng.int(2500));
        const p = rng.pick(parties);
        daemons[p].proc.kill('SIGKILL');
        await waitFor(`${p} dead`, () => daemons[p].proc.exitCode !== null || daemons[p].proc.signalCode !== null);
        report.kills++;
        report.killsBy[p] = (report.killsBy[p] ?? 0) + 1;
        log(`kill ${k + 1}/${opts.kills}: ${p}`);
        await sleep(rng.int(1000));
        await restart(p);
      }
      stop = true;
    };
    await Promise.all([workload(), chaos()]);
    report.accepted = { requests: requested.size, approvals: approved.size };

    // Everything up: let the mail drain, then count what arrived where.
    const health = async (url: string) => (await getJson(`${url}/v1/health`, caPem)) as { coordinator: string; unsentMail: number };
    await waitFor(
      'mail drained',
      async () => {
        try {
          const [fr, de] = [await health(daemons.FR.info.url), await health(daemons.DE.info.url)];
          return fr.coordinator === 'connected' && de.coordinator === 'connected' && fr.unsentMail === 0 && de.unsentMail === 0;
        } catch {
          return false;
        }
      },
      120_000,
    );
    const analyst = await VeilClient.connect(cred, { nodeUrl: daemons.FR.info.url });
    const count = <T>(xs: T[], f: (x: T) => string) => xs.reduce((m, x) => m.set(f(x), (m.get(f(x)) ?? 0) + 1), new Map<string, number>());
    let atDe = new Map<string, number>();
    let decided = new Map<string, number>();
    await waitFor(
      'accepted work delivered',
      async () => {
        atDe = count(await pendingAtDe(), (p) => p.requestId);
        const mine = await analyst.disclosures();
        decided = count(
          mine.filter((d) => d.status === 'approved'),
          (d) => d.id,
        );
        return [...requested].every((id) => atDe.has(id)) && [...approved].every((id) => decided.has(id));
      },
      120_000,
    ).catch(() => undefined);
    for (const id of requested) if (!atDe.has(id)) report.lost++;
    for (const id of approved) if (!decided.has(id)) report.lost++;
    for (const n of [...atDe.values(), ...decided.values()]) if (n > 1) report.duplicated += n - 1;
    await analyst.close();
    await client.close();

    // Stop cleanly, then verify every audit chain.
    for (const p of ['FR', 'DE', 'coordinator'] as const) await daemons[p].stop();
    const verified = await Promise.all(Object.values(dirs).map((d) => runVeil(['audit', 'verify', '--dir', d])));
    report.auditChainsOk = verified.every((v) => v.code === 0 && v.stdout.includes('intact'));
  } finally {
    for (const d of extra) await d.stop().catch(() => undefined);
    await net.stop();
    report.ms = Math.round(performance.now() - started);
  }
  return report;
}
