/**
 * A real local Veil network of separate processes, driven through the `veil` CLI exactly as operators
 * would: an organisation that certifies everyone (`veil org …`, development passphrase), a coordinator
 * and N country nodes on loopback with ports chosen by the OS, each with its own directory and SQLite
 * file under one temporary folder, talking TLS inside the organisation's PKI. Used by the demo,
 * integration tests and benchmarks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_ORG_PASSPHRASE } from './pki.ts';

/** The repository: one folder up from this module's, or two when it runs compiled from dist/. */
export const REPO_ROOT = ((here) => (basename(dirname(here)) === 'dist' ? join(here, '..', '..') : join(here, '..')))(dirname(fileURLToPath(import.meta.url)));
/** The `veil` command, running the compiled CLI (dist/, built by `npm install` / `npm run build`). */
export const VEIL_BIN = join(REPO_ROOT, 'bin', 'veil');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run one `veil …` command to completion. */
export function runVeil(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [VEIL_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, VEIL_LOG_LEVEL: process.env.VEIL_LOG_LEVEL ?? 'warn', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`veil ${args.slice(0, 2).join(' ')} timed out`));
    }, opts.timeoutMs ?? HANG_MS);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export async function runVeilOk(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
  const r = await runVeil(args, opts);
  if (r.code !== 0) throw new Error(`veil ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

export interface Daemon {
  readonly proc: ChildProcess;
  readonly info: { url: string; port: number; wsUrl?: string; consoleUrl?: string };
  /** stderr collected so far (structured logs: metadata only). */
  logs(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Start a long-running `veil … start` and wait for the run file it writes once listening. */
export async function startDaemon(args: string[], runFile: string, opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Daemon> {
  if (existsSync(runFile)) rmSync(runFile);
  const proc = spawn(process.execPath, [VEIL_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, VEIL_LOG_LEVEL: process.env.VEIL_LOG_LEVEL ?? 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout!.on('data', () => {});
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const until = Date.now() + (opts.timeoutMs ?? HANG_MS);
  while (!existsSync(runFile)) {
    if (proc.exitCode !== null) throw new Error(`veil ${args.slice(0, 2).join(' ')} exited early: ${err.trim().slice(-500)}`);
    if (Date.now() > until) {
      proc.kill('SIGKILL');
      throw new Error(`veil ${args.slice(0, 2).join(' ')} did not start`);
    }
    await sleep(50);
  }
  const info = JSON.parse(readFileSync(runFile, 'utf8')) as Daemon['info'];
  return {
    proc,
    info,
    logs: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/**
 * How long a helper here waits before it calls a run hung: far beyond any loaded machine, so no test
 * or run depends on a wall-clock limit for its outcome; it only turns a hang into a named failure.
 */
export const HANG_MS = 600_000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = HANG_MS): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export interface NodeSpec {
  country: string;
  /** NDJSON (or CSV) text to import before start. */
  records?: string;
  recordsExt?: 'ndjson' | 'csv';
  /** policy.json contents, replacing the default. */
  policy?: unknown;
  /** Settings merged into node.json before the node starts (e.g. `shutdownGraceMs`). */
  config?: Record<string, unknown>;
}

export interface LocalNetworkOptions {
  root?: string;
  keep?: boolean;
  /** Environment of every daemon (e.g. `VEIL_METRICS_TOKEN`, `VEIL_LOG_LEVEL`). */
  env?: Record<string, string>;
  /** Settings merged into coordinator.json before the coordinator starts (e.g. `queryDeadlineMs`). */
  coordinatorConfig?: Record<string, unknown>;
  /** Told each set-up step as it starts (the demo prints them: set-up is not silent). */
  onStep?: (what: string) => void;
}

/** Merge `patch` into the JSON file at `path`. */
function patchJson(path: string, patch: Record<string, unknown> | undefined): void {
  if (!patch) return;
  writeFileSync(path, `${JSON.stringify({ ...(JSON.parse(readFileSync(path, 'utf8')) as object), ...patch }, null, 2)}\n`);
}

export interface LocalNetwork {
  readonly root: string;
  /** The organisation's directory (root key under the development passphrase) and its trust bundle. */
  readonly orgDir: string;
  readonly bundle: string;
  readonly coordinator: Daemon;
  readonly coordinatorDir: string;
  readonly nodes: Map<string, { dir: string; daemon: Daemon }>;
  nodeDir(country: string): string;
  /** Issue an analyst credential at a node; returns the credential path. */
  addAnalyst(country: string, name: string): Promise<string>;
  /** Wait until every node is connected and has published its outbox. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** GET a JSON document over HTTPS trusting only `caPem` (the organisation's CA), or plain HTTP. */
export function getJson(url: string, caPem: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onRes = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    };
    const req = url.startsWith('https:') ? httpsGet(url, { ca: caPem }, onRes) : httpGet(url, onRes);
    req.on('error', reject);
  });
}

export async function startLocalNetwork(specs: NodeSpec[], opts: LocalNetworkOptions = {}): Promise<LocalNetwork> {
  const step = opts.onStep ?? (() => {});
  const root = opts.root ?? mkdtempSync(join(tmpdir(), 'veil-net-'));
  const env = { VEIL_ORG_PASSPHRASE: DEV_ORG_PASSPHRASE };
  const orgDir = join(root, 'org');
  const bundle = join(orgDir, 'bundle.json');
  step('organisation: root key, TLS CA and trust bundle (veil org init)');
  // The development passphrase is public: a memory-hard KDF at moderate limits would protect nothing.
  await runVeilOk(['org', 'init', '--dir', orgDir, '--name', 'veil-dev', '--kdf', 'interactive'], { env });
  const coordinatorDir = join(root, 'coordinator');
  // Ports are chosen by the OS at each start (0): a port picked in advance could be taken meanwhile by
  // another program (other networks of parallel tests).
  step('coordinator: init, certified by the organisation');
  await runVeilOk(['coordinator', 'init', '--dir', coordinatorDir, '--bundle', bundle]);
  const coordCert = join(root, 'certificate-coordinator.json');
  await runVeilOk(['org', 'admit', '--coordinator', '--dir', orgDir, '--request', join(coordinatorDir, 'request.json'), '--out', coordCert], { env });
  patchJson(join(coordinatorDir, 'coordinator.json'), opts.coordinatorConfig);
  const daemonEnv = opts.env ? { env: opts.env } : {};
  const nodes = new Map<string, { dir: string; daemon: Daemon }>();
  const nodeDir = (c: string) => join(root, `node-${c}`);
  // The coordinator enrolls and starts while the nodes initialise and import (the bundle they pin is
  // complete once the coordinator is admitted); the nodes learn its URL, chosen by the OS, afterwards.
  step(`coordinator enrolls and starts, while nodes ${specs.map((s) => s.country).join(', ')} init and import their records`);
  const [coordStart, nodesReady] = await Promise.allSettled([
    (async () => {
      await runVeilOk(['coordinator', 'enroll', '--dir', coordinatorDir, '--cert', coordCert]);
      return startDaemon(['coordinator', 'start', '--dir', coordinatorDir], join(coordinatorDir, 'run.json'), daemonEnv);
    })(),
    Promise.all(
      specs.map(async (s) => {
        const dir = nodeDir(s.country);
        await runVeilOk(['node', 'init', '--country', s.country, '--dir', dir, '--bundle', bundle, '--port', '0', '--admin-port', '0']);
        if (s.policy) writeFileSync(join(dir, 'policy.json'), JSON.stringify(s.policy, null, 2));
        patchJson(join(dir, 'node.json'), s.config);
        if (s.records) {
          const f = join(root, `records-${s.country}.${s.recordsExt ?? 'ndjson'}`);
          writeFileSync(f, s.records);
          await runVeilOk(['node', 'import', '--dir', dir, f]);
        }
      }),
    ),
  ]);
  if (coordStart.status === 'rejected') throw coordStart.reason;
  const coordinator = coordStart.value;
  const wsUrl = coordinator.info.wsUrl as string;
  const caPem = readFileSync(join(orgDir, 'ca.pem'), 'utf8');
  try {
    if (nodesReady.status === 'rejected') throw nodesReady.reason;
    for (const s of specs) patchJson(join(nodeDir(s.country), 'node.json'), { coordinatorUrl: wsUrl });
    // The organisation admits every node in one sitting; each node installs its certificate.
    if (specs.length > 0) {
      step('the organisation admits every node in one sitting; each enrolls its certificate');
      const requests = specs.flatMap((s) => ['--request', join(nodeDir(s.country), 'request.json')]);
      await runVeilOk(['org', 'admit', '--dir', orgDir, ...requests, '--out', specs.length > 1 ? root : join(root, `certificate-${specs[0]?.country}.json`)], {
        env,
      });
      await Promise.all(specs.map((s) => runVeilOk(['node', 'enroll', '--dir', nodeDir(s.country), '--cert', join(root, `certificate-${s.country}.json`)])));
    }
    step('nodes start and connect to the coordinator');
    const t0 = performance.now();
    // Every start runs to its end before a failure is reported, so the cleanup below stops every node.
    const started = await Promise.allSettled(
      specs.map(async (s) => {
        const dir = nodeDir(s.country);
        nodes.set(s.country, { dir, daemon: await startDaemon(['node', 'start', '--dir', dir], join(dir, 'run.json'), daemonEnv) });
      }),
    );
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    if (specs.length > 0) step(`nodes serving ${((performance.now() - t0) / 1000).toFixed(1)} s after \`veil node start\``);
  } catch (e) {
    await Promise.all([...nodes.values()].map((n) => n.daemon.stop()));
    await coordinator.stop();
    throw e;
  }
  const coord = coordinator;
  const net: LocalNetwork = {
    root,
    orgDir,
    bundle,
    coordinator: coord,
    coordinatorDir,
    nodes,
    nodeDir,
    addAnalyst: async (country, name) => {
      const outFile = join(root, `${country}-${name.replace(/\W+/g, '-')}.cred.json`);
      await runVeilOk(['node', 'analyst', 'add', name, '--dir', nodeDir(country), '--out', outFile]);
      return outFile;
    },
    settled: async (timeoutMs = HANG_MS) => {
      await waitFor(
        'nodes connected and published',
        async () => {
          const h = (await getJson(`${coord.info.url}/v1/health`, caPem)) as { connected: number };
          if (h.connected < specs.length) return false;
          for (const n of nodes.values()) {
            const st = (await getJson(`${n.daemon.info.url}/v1/health`, caPem)) as { coordinator: string; unpublishedChunks: number };
            if (st.coordinator !== 'connected' || st.unpublishedChunks > 0) return false;
          }
          return true;
        },
        timeoutMs,
      );
    },
    stop: async () => {
      await Promise.all([...nodes.values()].map((n) => n.daemon.stop()));
      await coord.stop();
      if (!opts.keep) rmSync(root, { recursive: true, force: true });
    },
  };
  return net;
}
