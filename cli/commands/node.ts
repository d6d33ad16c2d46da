/**
 * `veil node …`: create, fill, run and inspect a country's node (init, import, start, rotate-key,
 * status), with its data-owner and analyst accounts as sub-groups.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { CliError } from '../support/errors.ts';
import { out } from '../support/output.ts';
import { ProgressBar } from '../support/progress.ts';

/** What each phase of an import is called on the progress bar. */
const IMPORT_PHASES = { validate: 'checking', index: 'importing', write: 'committing' } as const;

import { runUntilSignal } from '../support/run-until-signal.ts';
import { trustUpdateMessage } from '../support/trust-update.ts';
import { registerAnalystCommands } from './analyst.ts';
import { registerNodeBackupCommands } from './node-backup.ts';
import { registerOwnerCommands } from './owner.ts';
import { withStatusAction } from './status.ts';

/** A TCP port option: an integer 0–65535, else a usage error naming the value. */
function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`${v} is not a port (0–65535)`);
  return n;
}

export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description("run and administer a country's node");

  node
    .command('init')
    .description('create a node directory: keys, config, policy, database, the pinned trust bundle and a certificate request')
    .requiredOption('--country <cc>', 'ISO 3166-1 alpha-2 code of the member country, e.g. FR')
    .requiredOption('--dir <dir>', 'node directory')
    .requiredOption('--bundle <file>', "the organisation's trust bundle (bundle.json, handed over out of band)")
    .option('--coordinator <url>', 'coordinator websocket URL, e.g. wss://127.0.0.1:7000/v1/ws; several, comma-separated, for a replicated coordinator')
    .option('--port <port>', 'analyst API port (default: a free port chosen now and kept; 0 = any free port at each start)', port)
    .option('--admin-port <port>', 'approval console port (default: a free port chosen now and kept)', port)
    .option('--host <host>', 'analyst API address (also named in its TLS certificate)', '127.0.0.1')
    .option('--insecure-dev-transport', 'plain ws:// and http:// (development on one machine only)')
    .action(
      async (o: {
        country: string;
        dir: string;
        bundle: string;
        coordinator?: string;
        port?: number;
        adminPort?: number;
        host: string;
        insecureDevTransport?: boolean;
      }) => {
        if (!/^[A-Za-z]{2}$/.test(o.country))
          throw new CliError('bad_request', `--country ${o.country} is not a two-letter country code`, { hint: 'e.g. --country FR' });
        const { initNode, nodePaths } = await import('#node');
        const cfg = await initNode(o.dir, {
          country: o.country,
          bundle: o.bundle,
          ...(o.coordinator ? { coordinatorUrl: o.coordinator } : {}),
          ...(o.port !== undefined ? { port: o.port } : {}),
          ...(o.adminPort !== undefined ? { adminPort: o.adminPort } : {}),
          host: o.host,
          insecureDevTransport: !!o.insecureDevTransport,
        });
        console.log(`node ${cfg.country} initialised in ${o.dir}; pinned trust bundle with root fingerprint ${cfg.fingerprint}`);
        console.log(
          `Next: the organisation admits it: \`veil org admit ${cfg.country} --dir <org> --request ${nodePaths(o.dir).request}\`, then \`veil node enroll --dir ${o.dir} --cert FILE\`.`,
        );
      },
    );

  node
    .command('enroll')
    .description('install the certificate the organisation issued for this node')
    .requiredOption('--dir <dir>', 'node directory')
    .requiredOption('--cert <file>', 'certificate file from `veil org admit`')
    .action(async (o: { dir: string; cert: string }) => {
      const [{ initCrypto }, { enrollNode }] = await Promise.all([import('#crypto'), import('#node')]);
      await initCrypto();
      const e = enrollNode(o.dir, o.cert);
      console.log(`node ${e.cert.name} enrolled; certificate valid until ${new Date(e.cert.notAfter).toISOString().slice(0, 10)}`);
    });

  node
    .command('trust-update')
    .description('pin a newer organisation bundle: same root, or a root rollover the pinned root signed (applies at the next start)')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<bundle>', 'bundle.json from the organisation')
    .action(async (file: string, o: { dir: string }) => {
      const [{ initCrypto }, { updateNodeBundle, nodePaths }] = await Promise.all([import('#crypto'), import('#node')]);
      await initCrypto();
      const r = updateNodeBundle(o.dir, file);
      console.log(await trustUpdateMessage(r, `have the organisation admit it again (\`veil org admit --request ${nodePaths(o.dir).request}\`)`));
    });

  node
    .command('import')
    .description('import records from NDJSON or CSV (all-or-nothing unless --skip-invalid); see docs/records.md')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<file>', '.ndjson/.jsonl or .csv file')
    .option('--skip-invalid', 'import the valid lines and report the invalid ones')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['ndjson', 'csv']))
    .option('--json', 'JSON report')
    .action(async (file: string, o: { dir: string; skipInvalid?: boolean; format?: 'ndjson' | 'csv'; json?: boolean }) => {
      const { importFile } = await import('#node');
      const bar = new ProgressBar(!o.json);
      let big = false;
      const r = await importFile(o.dir, file, {
        skipInvalid: !!o.skipInvalid,
        ...(o.format ? { format: o.format } : {}),
        onProgress: (p) => {
          if (p.total > 2000) big = true;
          if (big) bar.update(IMPORT_PHASES[p.phase], p.done, p.total, p.phase === 'write' ? '' : p.phase === 'validate' ? ' lines' : ' records');
        },
      });
      out(!!o.json, r, () => {
        const lines = r.errors.slice(0, 50).map((e) => `  line ${e.line}: ${e.reason}`);
        if (r.errors.length > 50) lines.push(`  … ${r.invalid - 50} more`);
        const head = r.written
          ? `imported ${file}: ${r.valid} record(s) read; ${r.upserted} upserted, ${r.unchanged} unchanged, ${r.deleted} deleted` +
            (r.deleteMissing ? `, ${r.deleteMissing} deletes of unknown ids` : '') +
            `; tags +${r.tagsAdded}/-${r.tagsRemoved} in ${r.chunks} chunk(s)` +
            (r.templates ? `; ${r.templates} biometric template(s), ${r.templatesNormalized} rescaled to unit length` : '') +
            `; ${(r.ms / 1000).toFixed(1)}s`
          : `nothing imported: ${r.invalid} of the ${r.valid + r.invalid} record(s) are invalid (use --skip-invalid to import the ${r.valid} valid ones)`;
        return [head, ...(r.invalid > 0 && r.written ? [`skipped ${r.invalid} invalid line(s):`] : []), ...lines].join('\n');
      });
      if (!r.written) process.exitCode = 1;
    });

  node
    .command('start')
    .description('start the node: dial the coordinator, answer queries, publish the index, serve analysts')
    .requiredOption('--dir <dir>', 'node directory')
    .option('--coordinator <url>', 'coordinator websocket URL(s), comma-separated (overrides node.json)')
    .option('--port <port>', 'analyst API port (overrides node.json, the config file and VEIL_NODE_PORT)', port)
    .option('--config <file>', 'optional JSON config file of operator settings (docs/operations.md); also VEIL_CONFIG')
    .action(async (o: { dir: string; coordinator?: string; port?: number; config?: string }) => {
      const { startNode } = await import('#node');
      const file = o.config ?? process.env.VEIL_CONFIG;
      const h = await startNode(o.dir, {
        settings: { ...(file ? { file } : {}), env: process.env },
        ...(o.coordinator ? { coordinatorUrl: o.coordinator } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
      });
      console.log(`node ${h.country} serving analysts on ${h.url}; approval console on ${h.consoleUrl}`);
      await runUntilSignal(h);
    });

  node
    .command('rotate-key')
    .description('start a new OPRF epoch and republish the whole index under it')
    .requiredOption('--dir <dir>', 'node directory')
    .action(async (o: { dir: string }) => {
      const { rotateKey } = await import('#node');
      const bar = new ProgressBar(true);
      const r = await rotateKey(o.dir, { onProgress: (d, t) => t > 2000 && bar.update('rotate', d, t) });
      console.log(`epoch ${r.epoch} prepared with ${r.tags} tags; it becomes active when the coordinator acknowledges it`);
    });

  withStatusAction(node.command('status'));

  registerNodeBackupCommands(node);
  registerOwnerCommands(node);
  registerAnalystCommands(node);
}
