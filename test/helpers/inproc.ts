/**
 * A real network started inside the test process: the real coordinator and real nodes (real websockets
 * on loopback, real SQLite files, real crypto), without the start-up cost of separate processes. Used by
 * tests that need to reach inside (e.g. to play an adversary); the CLI tests use separate processes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CoordinatorHandle, initCoordinatorDir, type SqliteCoordinatorStore, startCoordinator } from '#coordinator';
import { addAnalyst, importFile, initNode, type NodeHandle, startNode } from '#node';
import { silentLogger } from '#platform';
import { VeilClient } from '#sdk';
import { createLocalPki, type LocalPki } from '#simulations';

export interface InprocNode {
  country: string;
  records?: Array<Record<string, unknown>>;
  policy?: unknown;
}

export interface Inproc {
  root: string;
  /** The organisation that certified every party (real admission flow, development passphrase). */
  pki: LocalPki;
  coordinator: CoordinatorHandle;
  coordinatorDir: string;
  nodes: Map<string, NodeHandle>;
  dir(country: string): string;
  client(country: string, name?: string): Promise<VeilClient>;
  stop(): Promise<void>;
}

export interface InprocOptions {
  /** Start the coordinator from its prepared directory another way (e.g. a hostile coordinator). */
  startCoordinator?: (dir: string) => Promise<CoordinatorHandle>;
  /** Where the network's directory is made (default: the system's temporary directory). */
  tmpRoot?: string;
}

export async function startInproc(specs: InprocNode[], coordConfig: Record<string, unknown> = {}, opts: InprocOptions = {}): Promise<Inproc> {
  const root = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'veil-test-'));
  const pki = createLocalPki(root);
  const coordinatorDir = join(root, 'coord');
  initCoordinatorDir(coordinatorDir, { bundle: pki.bundlePath, name: 'test-coordinator' });
  pki.certifyCoordinator(coordinatorDir);
  const coordinator = opts.startCoordinator
    ? await opts.startCoordinator(coordinatorDir)
    : await startCoordinator(coordinatorDir, { logger: silentLogger, config: coordConfig });
  const dir = (c: string) => join(root, c);
  const nodes = new Map<string, NodeHandle>();
  for (const s of specs) {
    await initNode(dir(s.country), { port: 0, adminPort: 0, country: s.country, coordinatorUrl: coordinator.wsUrl, bundle: pki.bundlePath });
    pki.certifyNode(dir(s.country));
    if (s.policy) writeFileSync(join(dir(s.country), 'policy.json'), JSON.stringify(s.policy));
    if (s.records) {
      const f = join(root, `${s.country}.ndjson`);
      writeFileSync(f, `${s.records.map((r) => JSON.stringify(r)).join('\n')}\n`);
      const r = await importFile(dir(s.country), f, { workers: 1 });
      if (!r.written) throw new Error(`import failed: ${JSON.stringify(r.errors.slice(0, 3))}`);
    }
  }
  for (const s of specs) nodes.set(s.country, await startNode(dir(s.country), { logger: silentLogger }));
  for (const n of nodes.values()) {
    await n.link.whenReady();
    await n.published();
  }
  // Every node has seen every other node's descriptor.
  const until = Date.now() + 10_000;
  while ([...nodes.values()].some((n) => n.members.all().length < specs.length)) {
    if (Date.now() > until) throw new Error('members not propagated');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    root,
    pki,
    coordinator,
    coordinatorDir,
    nodes,
    dir,
    client: async (country, name = 'Test Analyst') => {
      const n = nodes.get(country)!;
      const { path } = await addAnalyst(dir(country), name, { nodeUrl: n.url });
      return VeilClient.connect(path);
    },
    stop: async () => {
      for (const n of nodes.values()) await n.close();
      await coordinator.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export const CTX = { purpose: 'wanted-person', caseRef: 'T-2026-1', legalBasis: 'art-3', handling: 'restricted' } as const;

/** The in-process coordinator's SQLite store, for tests that read its tables. */
export function coordinatorSqlite(h: CoordinatorHandle): SqliteCoordinatorStore {
  if (!h.sqlite) throw new Error('the coordinator does not run on SQLite');
  return h.sqlite;
}
