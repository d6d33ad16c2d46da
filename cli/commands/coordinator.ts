/** `veil coordinator …`: create, run and administer the coordinator (init, start, admit, members). */
import type { Command } from 'commander';
import { initCrypto } from '#crypto';
import { initCoordinatorDir, startCoordinator, admitMember, listMembers } from '#coordinator';
import { out } from '../shared/output.ts';
import { runUntilSignal } from '../shared/run-until-signal.ts';

export function registerCoordinatorCommands(program: Command): void {
  const coord = program.command('coordinator').description('run and administer the coordinator');

  coord
    .command('init')
    .description('create a coordinator directory: config, identity key, database')
    .requiredOption('--dir <dir>', 'coordinator directory')
    .option('--name <name>', 'coordinator name', 'veil-coordinator')
    .option('--port <port>', 'listen port (0 = any free port)', (v) => Number(v), 0)
    .action(async (o: { dir: string; name: string; port: number }) => {
      await initCrypto();
      const cfg = initCoordinatorDir(o.dir, { name: o.name, port: o.port });
      console.log(`coordinator '${cfg.name}' initialised in ${o.dir}`);
    });

  coord
    .command('start')
    .description('start the coordinator (runs until SIGINT/SIGTERM)')
    .requiredOption('--dir <dir>', 'coordinator directory')
    .option('--port <port>', 'listen port (overrides config)', (v) => Number(v))
    .option('--host <host>', 'listen address (overrides config)')
    .action(async (o: { dir: string; port?: number; host?: string }) => {
      const h = await startCoordinator(o.dir, { ...(o.port !== undefined ? { port: o.port } : {}), ...(o.host ? { host: o.host } : {}) });
      console.log(`coordinator listening on ${h.url} (nodes connect to ${h.wsUrl})`);
      await runUntilSignal(() => h.close());
    });

  coord
    .command('admit')
    .description("admit a member node by its public keys (the node's descriptor.json)")
    .requiredOption('--dir <dir>', 'coordinator directory')
    .argument('<file>', 'descriptor.json written by `veil node init`')
    .action(async (file: string, o: { dir: string }) => {
      const r = await admitMember(o.dir, file);
      console.log(`admitted ${r.country}`);
    });

  coord
    .command('members')
    .description('list admitted members')
    .requiredOption('--dir <dir>', 'coordinator directory')
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; json?: boolean }) => {
      const m = await listMembers(o.dir);
      out(!!o.json, m, () => m.map((x) => `${x.country}  admitted ${x.admittedAt}${x.hasDescriptor ? '' : '  (never connected)'}`).join('\n') || '(no members)');
    });
}
