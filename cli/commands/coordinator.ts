/** `veil coordinator …`: create, enroll, run and administer the coordinator (init, enroll, start, revocations, members). */
import type { Command } from 'commander';
import { out } from '../support/output.ts';
import { runUntilSignal } from '../support/run-until-signal.ts';
import { trustUpdateMessage } from '../support/trust-update.ts';

export function registerCoordinatorCommands(program: Command): void {
  const coord = program.command('coordinator').description('run and administer the coordinator');

  coord
    .command('init')
    .description('create a coordinator directory: config, keys, the pinned trust bundle and a certificate request for the organisation')
    .requiredOption('--dir <dir>', 'coordinator directory')
    .requiredOption('--bundle <file>', "the organisation's trust bundle (bundle.json from `veil org init`)")
    .option('--name <name>', 'coordinator name', 'veil-coordinator')
    .option('--port <port>', 'listen port (0 = any free port)', (v) => Number(v), 0)
    .option('--host <host>', 'listen address (also named in its TLS certificate)', '127.0.0.1')
    .option('--insecure-dev-transport', 'plain ws:// and http:// (development on one machine only)')
    .option(
      '--postgres <url>',
      'keep state in PostgreSQL (postgres://user@host:port/db; password from PGPASSWORD) instead of SQLite: several instances on one database run active/standby',
    )
    .action(async (o: { dir: string; bundle: string; name: string; port: number; host: string; insecureDevTransport?: boolean; postgres?: string }) => {
      const [{ initCrypto }, { initCoordinatorDir }] = await Promise.all([import('#crypto'), import('#coordinator')]);
      await initCrypto();
      const r = initCoordinatorDir(o.dir, {
        name: o.name,
        port: o.port,
        host: o.host,
        bundle: o.bundle,
        insecureDevTransport: !!o.insecureDevTransport,
        ...(o.postgres ? { postgresUrl: o.postgres } : {}),
      });
      console.log(`coordinator '${r.config.name}' initialised in ${o.dir}; pinned trust bundle with root fingerprint ${r.fingerprint}`);
      console.log(
        `Next: the organisation certifies it: \`veil org admit --coordinator --dir <org> --request ${r.request}\`, then \`veil coordinator enroll --dir ${o.dir} --cert FILE\`.`,
      );
    });

  coord
    .command('enroll')
    .description('install the certificate the organisation issued for this coordinator')
    .requiredOption('--dir <dir>', 'coordinator directory')
    .requiredOption('--cert <file>', 'certificate file from `veil org admit --coordinator`')
    .action(async (o: { dir: string; cert: string }) => {
      const [{ initCrypto }, { enrollCoordinator }] = await Promise.all([import('#crypto'), import('#coordinator')]);
      await initCrypto();
      const e = enrollCoordinator(o.dir, o.cert);
      console.log(`coordinator ${e.cert.name} enrolled; certificate valid until ${new Date(e.cert.notAfter).toISOString().slice(0, 10)}`);
    });

  coord
    .command('trust-update')
    .description('pin a newer organisation bundle: same root, or a root rollover the pinned root signed (applies at the next start)')
    .requiredOption('--dir <dir>', 'coordinator directory')
    .argument('<bundle>', 'bundle.json from the organisation')
    .action(async (file: string, o: { dir: string }) => {
      const [{ initCrypto }, { updateCoordinatorBundle, coordinatorPaths }] = await Promise.all([import('#crypto'), import('#coordinator')]);
      await initCrypto();
      const r = updateCoordinatorBundle(o.dir, file);
      console.log(
        await trustUpdateMessage(r, `have the organisation admit it again (\`veil org admit --coordinator --request ${coordinatorPaths(o.dir).request}\`)`),
      );
    });

  coord
    .command('start')
    .description('start the coordinator (runs until SIGINT/SIGTERM)')
    .requiredOption('--dir <dir>', 'coordinator directory')
    .option('--port <port>', 'listen port (overrides coordinator.json, the config file and VEIL_COORDINATOR_PORT)', (v) => Number(v))
    .option('--host <host>', 'listen address (overrides coordinator.json, the config file and VEIL_COORDINATOR_HOST)')
    .option('--config <file>', 'optional JSON config file of operator settings (README: Settings); also VEIL_CONFIG')
    .action(async (o: { dir: string; port?: number; host?: string; config?: string }) => {
      const { startCoordinator } = await import('#coordinator');
      const file = o.config ?? process.env.VEIL_CONFIG;
      const h = await startCoordinator(o.dir, {
        settings: { ...(file ? { file } : {}), env: process.env },
        ...(o.port !== undefined ? { port: o.port } : {}),
        ...(o.host ? { host: o.host } : {}),
      });
      console.log(`coordinator listening on ${h.url} (nodes connect to ${h.wsUrl})${h.leading ? '' : '; standby until it holds the lease'}`);
      void h.leaseLost.then(() => process.exit(75)); // fenced: the supervisor restarts it as a standby
      await runUntilSignal(h);
    });

  coord
    .command('revocations')
    .description("hand the coordinator the organisation's latest revocation list; a running coordinator applies and distributes it within a second")
    .requiredOption('--dir <dir>', 'coordinator directory')
    .argument('<file>', 'crl.json written by `veil org suspend|reinstate|revoke`')
    .action(async (file: string, o: { dir: string }) => {
      const { loadRevocations } = await import('#coordinator');
      const r = await loadRevocations(o.dir, file);
      console.log(
        r.applied
          ? `revocation list #${r.seq} stored; a running coordinator distributes it within a second`
          : `the coordinator already holds list #${r.seq} or newer: nothing changed`,
      );
    });

  coord
    .command('members')
    .description('list the members that have logged in with a valid certificate')
    .requiredOption('--dir <dir>', 'coordinator directory')
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; json?: boolean }) => {
      const { listMembers } = await import('#coordinator');
      const m = await listMembers(o.dir);
      out(
        !!o.json,
        m,
        () =>
          m.map((x) => `${x.country}  first login ${x.admittedAt}${x.hasDescriptor ? '' : '  (no descriptor yet)'}`).join('\n') ||
          '(no members have logged in yet)',
      );
    });
}
