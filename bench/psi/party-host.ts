/**
 * A process that hosts parties of the full-network benchmark: `tsx bench/psi/party-host.ts coordinator
 * DIR [PORT]` runs the real coordinator from its prepared directory (on PORT when given, so nodes
 * prepared for it find it again); `… nodes DIR…` runs the real nodes of
 * the given directories side by side in this one process (195 node processes would not fit two cores).
 * When everything has started (and every node has published its index) it prints one JSON line
 * `{"ready":…}`; SIGTERM closes every party and exits.
 */
import { startCoordinator } from '#coordinator';
import { type NodeHandle, startNode } from '#node';
import { silentLogger } from '#platform';

/** How long the nodes of one host may take to publish their indexes (49 nodes on a loaded 2-core machine take minutes). */
const PUBLISH_TIMEOUT_MS = 20 * 60_000;

async function main(argv: string[]): Promise<void> {
  const [role, ...dirs] = argv;
  const closers: Array<() => Promise<void>> = [];
  process.once('SIGTERM', () => {
    void Promise.all(closers.map((c) => c().catch(() => undefined))).then(() => process.exit(0));
  });
  if (role === 'coordinator' && (dirs.length === 1 || dirs.length === 2)) {
    const port = dirs[1] === undefined ? undefined : Number(dirs[1]);
    const c = await startCoordinator(dirs[0]!, { logger: silentLogger, ...(port === undefined ? {} : { port }) });
    closers.push(() => c.close());
    process.stdout.write(`${JSON.stringify({ ready: { url: c.url, wsUrl: c.wsUrl, port: c.port } })}\n`);
    return;
  }
  if (role === 'nodes' && dirs.length > 0) {
    const nodes: NodeHandle[] = [];
    for (const d of dirs) {
      const n = await startNode(d, { logger: silentLogger });
      nodes.push(n);
      closers.push(() => n.close());
    }
    await Promise.all(nodes.map((n) => n.published(PUBLISH_TIMEOUT_MS)));
    process.stdout.write(`${JSON.stringify({ ready: Object.fromEntries(nodes.map((n) => [n.country, n.url])) })}\n`);
    return;
  }
  process.stderr.write('usage: party-host.ts coordinator DIR [PORT] | nodes DIR…\n');
  process.exit(2);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`party-host: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
