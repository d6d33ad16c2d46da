/**
 * A replicated coordinator with real processes (docs/high-availability.md): two coordinator instances,
 * each with its own name, keys and organisation-issued certificate, share one real PostgreSQL server
 * started here; three nodes know both URLs. The active instance is killed with SIGKILL while analysts
 * query and disclosure mail is on its way. The standby takes the lease, the nodes fail over, and:
 * every query an analyst sent gets a full answer, each target evaluates each query once; each
 * disclosure request reaches its owner once and each decision its analyst once; the PSI index the
 * coordinator held is still there (hits without republishing). The failover time is measured by
 * `npm run bench -- failover`, not here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresCoordinatorStore } from '#coordinator';
import { initCrypto } from '#crypto';
import { DEFAULT_POLICY, NodeStore, nodePaths } from '#node';
import { startThrowawayPostgres, type ThrowawayPostgres } from '#platform';
import { type QueryResult, VeilClient } from '#sdk';
import { type Daemon, DEV_ORG_PASSPHRASE, getJson, runVeilOk, startDaemon, syntheticRecords, waitFor } from '#simulations';

const nd = (rs: object[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;
const CTX = { purpose: 'wanted-person', caseRef: 'T-HA-1', legalBasis: 'art-3', handling: 'restricted' } as const;
const karl = {
  id: 'de-karl',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
};
const anna = {
  id: 'it-anna',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Rossi', given: 'Anna', dob: '1980-01-02' },
};
const env = { VEIL_ORG_PASSPHRASE: DEV_ORG_PASSPHRASE };
const OWNER = { env: { VEIL_OWNER_PASSWORD: 'failover-test-password' } };

describe('replicated coordinator: SIGKILL of the active instance', () => {
  const root = mkdtempSync(join(tmpdir(), 'veil-ha-'));
  const daemons: Daemon[] = [];
  let pg: ThrowawayPostgres | undefined;

  afterAll(async () => {
    for (const d of daemons) await d.stop();
    await pg?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('fails over to the standby: nothing accepted is lost or duplicated', async () => {
    await initCrypto();
    pg = await startThrowawayPostgres();
    const url = await pg.createDatabase('veil_ha');
    const orgDir = join(root, 'org');
    const bundle = join(orgDir, 'bundle.json');
    await runVeilOk(['org', 'init', '--dir', orgDir, '--name', 'veil-ha', '--kdf', 'interactive'], { env });
    const coordDir = (n: string) => join(root, `coord-${n}`);
    for (const n of ['a', 'b']) {
      await runVeilOk(['coordinator', 'init', '--dir', coordDir(n), '--bundle', bundle, '--name', `coord-${n}`, '--postgres', url]);
      const cert = join(root, `cert-coord-${n}.json`);
      await runVeilOk(['org', 'admit', '--coordinator', '--dir', orgDir, '--request', join(coordDir(n), 'request.json'), '--out', cert], { env });
      await runVeilOk(['coordinator', 'enroll', '--dir', coordDir(n), '--cert', cert]);
    }
    // The bundle handed to nodes names both instances.
    expect((JSON.parse(readFileSync(bundle, 'utf8')) as { coordinators: string[] }).coordinators).toHaveLength(2);

    const observer = await PostgresCoordinatorStore.open(url);
    const leader = async () => (await observer.db.one<{ holder: string; term: number }>('SELECT holder, term FROM coordinator_leader'))?.holder;
    try {
      const a = await startDaemon(['coordinator', 'start', '--dir', coordDir('a')], join(coordDir('a'), 'run.json'));
      daemons.push(a);
      await waitFor('coord-a leads', async () => (await leader()) === 'coord-a');
      const b = await startDaemon(['coordinator', 'start', '--dir', coordDir('b')], join(coordDir('b'), 'run.json'));
      daemons.push(b);
      const urls = [a.info.wsUrl, b.info.wsUrl].join(',');

      const caPem = readFileSync(join(orgDir, 'ca.pem'), 'utf8');
      const nodeDir = (c: string) => join(root, `node-${c}`);
      const FAST = { perSecond: 1000, burst: 1000 };
      const records: Record<string, object[]> = {
        FR: [],
        DE: [...syntheticRecords({ seed: 31, country: 'DE', country3: 'DEU', persons: 20, vehicles: 2 }), karl],
        IT: [...syntheticRecords({ seed: 32, country: 'IT', country3: 'ITA', persons: 20, vehicles: 2 }), anna],
      };
      for (const [c, rs] of Object.entries(records)) {
        await runVeilOk(['node', 'init', '--country', c, '--dir', nodeDir(c), '--bundle', bundle, '--coordinator', urls, '--port', '0', '--admin-port', '0']);
        // The workload's two analysts' worth of queries may outrun FR's default per-analyst gateway bucket.
        if (c === 'FR')
          writeFileSync(
            join(nodeDir(c), 'policy.json'),
            JSON.stringify({ ...DEFAULT_POLICY, gateway: { ...DEFAULT_POLICY.gateway, queries: { perAnalyst: FAST, perCountry: FAST } } }),
          );
        if (rs.length > 0) {
          writeFileSync(join(root, `${c}.ndjson`), nd(rs));
          await runVeilOk(['node', 'import', '--dir', nodeDir(c), join(root, `${c}.ndjson`)]);
        }
      }
      await runVeilOk(
        ['org', 'admit', '--dir', orgDir, ...Object.keys(records).flatMap((c) => ['--request', join(nodeDir(c), 'request.json')]), '--out', root],
        { env },
      );
      const nodes = new Map<string, Daemon>();
      for (const c of Object.keys(records)) {
        await runVeilOk(['node', 'enroll', '--dir', nodeDir(c), '--cert', join(root, `certificate-${c}.json`)]);
        const d = await startDaemon(['node', 'start', '--dir', nodeDir(c)], join(nodeDir(c), 'run.json'));
        daemons.push(d);
        nodes.set(c, d);
      }
      const health = async (c: string) => {
        try {
          return (await getJson(`${nodes.get(c)?.info.url}/v1/health`, caPem)) as { coordinator: string; unpublishedChunks: number; unsentMail: number };
        } catch {
          return undefined;
        }
      };
      const allConnected = async () => {
        for (const c of nodes.keys()) if ((await health(c))?.coordinator !== 'connected') return false;
        return true;
      };
      await waitFor('nodes connected and published', async () => {
        for (const c of nodes.keys()) {
          const h = await health(c);
          if (h?.coordinator !== 'connected' || h.unpublishedChunks > 0) return false;
        }
        return true;
      });

      const cred = join(root, 'fr-analyst.cred.json');
      await runVeilOk(['node', 'analyst', 'add', 'Ha Analyst', '--dir', nodeDir('FR'), '--out', cred]);
      const client = await VeilClient.connect(cred);
      const added = await runVeilOk(['node', 'owner', 'add', 'Owner Ha', '--dir', nodeDir('DE')], OWNER);
      const ownerId = /data owner (\S+) created/.exec(added)?.[1] ?? '';
      const karlQ = { name: 'Karl Weber', dob: '1966-06-06' };
      const hitOf = (r: QueryResult) => r.results.find((x) => x.country === 'DE')?.hits.find((h) => h.cls === 'name_dob');
      const karlHit = hitOf(await client.query(karlQ, CTX));
      if (!karlHit) throw new Error('no hit for Karl at DE');
      const pendingAtDe = async () =>
        JSON.parse(await runVeilOk(['approvals', 'list', '--dir', nodeDir('DE'), '--all', '--json'])) as Array<{
          id: string;
          requestId: string;
          status: string;
        }>;

      // One disclosure request delivered before the kill.
      const d1 = await client.requestDisclosure({ country: 'DE', token: karlHit.token }, karlQ, CTX, { fields: ['name'], justification: 'HA test one.' });
      await waitFor('DE received the first request', async () => (await pendingAtDe()).some((p) => p.requestId === d1.id));

      // The workload: two analysts' worth of queries in a row, still running when the active instance dies.
      const subjects = [karlQ, { name: 'Anna Rossi', dob: '1980-01-02' }, { name: 'Nobody Known', dob: '1999-09-09' }];
      const results: QueryResult[] = [];
      const errors: unknown[] = [];
      let done = 0;
      const worker = async (w: number) => {
        for (let i = 0; i < 14; i++) {
          try {
            results.push(await client.query(subjects[(i + w) % subjects.length] as typeof karlQ, CTX));
          } catch (e) {
            errors.push(e);
          }
          done++;
        }
      };
      const workload = Promise.all([worker(0), worker(1)]);
      await waitFor('the workload is under way', () => done >= 6);

      // SIGKILL the active instance, and at the same moment send a second disclosure request.
      a.proc.kill('SIGKILL');
      const d2 = client.requestDisclosure({ country: 'DE', token: karlHit.token }, karlQ, CTX, { fields: ['name', 'dob'], justification: 'HA test two.' });
      await waitFor('every node reconnected', allConnected);
      await waitFor('coord-b leads', async () => (await leader()) === 'coord-b');
      const d2r = await d2;
      await workload;
      // Once every node is back with the new leader, answers are full again (retried while a target's
      // directory entry or session is still settling).
      let firstQueryAfter = await client.query(karlQ, CTX);
      await waitFor(
        'a full answer after the failover',
        async () => {
          firstQueryAfter = await client.query(karlQ, CTX);
          return ['DE', 'IT'].every((c) => ['hit', 'no-hit'].includes(firstQueryAfter.results.find((x) => x.country === c)?.status ?? ''));
        },
        30_000,
      );

      // Queries: every one the analysts sent got a full answer; no target evaluated any twice.
      // While its own link is down, the analyst's node refuses new queries at once (`unavailable`): never
      // accepted, so nothing to lose. Every query it accepted came back answered.
      expect(errors.every((e) => (e as { code?: string }).code === 'unavailable')).toBe(true);
      expect(results.length + errors.length).toBe(28);
      expect(results.length).toBeGreaterThan(6);
      // A query fanned out by the new leader before a target has reconnected to it reports that target
      // `unavailable` (or `timeout`): an honest partial answer, never a no-hit in place of a hit. Once
      // the nodes are back, answers are full.
      const statusOf = (r: QueryResult, c: string) => r.results.find((x) => x.country === c)?.status;
      for (const r of results) {
        for (const c of ['DE', 'IT']) expect(['hit', 'no-hit', 'unavailable', 'timeout']).toContain(statusOf(r, c));
      }
      for (const c of ['DE', 'IT']) expect(['hit', 'no-hit']).toContain(statusOf(firstQueryAfter, c));
      const full = results.filter((r) => ['DE', 'IT'].every((c) => ['hit', 'no-hit'].includes(statusOf(r, c) ?? '')));
      expect(full.length).toBeGreaterThan(0);
      // The index the coordinator held survived: hits keep coming without any republishing.
      expect(hitOf(firstQueryAfter)).toBeDefined();
      expect(results.filter((r) => hitOf(r)).length).toBeGreaterThan(0);
      for (const c of ['DE', 'IT']) {
        const store = new NodeStore(nodePaths(nodeDir(c)).db);
        try {
          const served = store.db
            .prepare<[], { data: string }>("SELECT data FROM audit_log WHERE kind = 'eval.served'")
            .all()
            .map((r) => (JSON.parse(r.data) as { queryId: string }).queryId);
          expect(new Set(served).size).toBe(served.length);
          for (const r of results) if (['hit', 'no-hit'].includes(statusOf(r, c) ?? '')) expect(served).toContain(r.queryId);
        } finally {
          store.close();
        }
      }

      // Mail: each request reached its owner once; each decision reaches the analyst once.
      await waitFor('DE received the second request', async () => (await pendingAtDe()).some((p) => p.requestId === d2r.id));
      for (const d of [d1, d2r]) {
        const atDe = (await pendingAtDe()).filter((p) => p.requestId === d.id);
        expect(atDe).toHaveLength(1);
        await runVeilOk(['approvals', 'approve', atDe[0]?.id ?? '', '--dir', nodeDir('DE'), '--fields', 'name', '--owner', ownerId], OWNER);
      }
      await waitFor('both decisions delivered', async () => (await client.disclosures()).filter((d) => d.status === 'approved').length === 2);
      const mine = await client.disclosures();
      for (const d of [d1, d2r]) expect(mine.filter((x) => x.id === d.id)).toEqual([expect.objectContaining({ status: 'approved' })]);
      expect((await pendingAtDe()).map((p) => p.status)).toEqual(['approved', 'approved']);

      // The shared audit log records both leaderships, on one unbroken chain.
      const rows = await observer.db.query<{ seq: number; kind: string }>('SELECT seq, kind FROM audit_log ORDER BY seq');
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      expect(rows.filter((r) => r.kind === 'coordinator.leading')).toHaveLength(2);
      await client.close();
    } finally {
      await observer.close();
    }
  });
});
