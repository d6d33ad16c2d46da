/**
 * `veil node backup FILE` and `veil node restore FILE`: the node directory in one archive sealed under a
 * passphrase (docs/backups.md). The passphrase comes from `VEIL_BACKUP_PASSPHRASE` or a prompt without
 * echo, never from the command line.
 */
import type { Command } from 'commander';
import { backupNode, checkBackupPassphrase, restoreNode } from '#node';
import { out } from '../support/output.ts';
import { readSecret } from '../support/read-secret.ts';

async function passphrase(): Promise<string> {
  return checkBackupPassphrase(process.env.VEIL_BACKUP_PASSPHRASE ?? (await readSecret('backup passphrase: ')));
}

export function registerNodeBackupCommands(node: Command): void {
  node
    .command('backup')
    .description('write a consistent, encrypted backup of the node directory (keys, config, database) while the node runs')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<file>', 'the backup file to create (never overwritten)')
    .option('--json', 'JSON output')
    .action(async (file: string, o: { dir: string; json?: boolean }) => {
      const r = await backupNode(o.dir, file, await passphrase());
      out(!!o.json, r, () => `backup of node ${r.country} written to ${r.file}: ${r.files} files, ${(r.bytes / 1e6).toFixed(1)} MB before encryption`);
    });

  node
    .command('restore')
    .description('restore a node from a backup into a new directory (stop the original first: one identity, one running node)')
    .requiredOption('--dir <dir>', 'the new node directory (must not exist or be empty)')
    .argument('<file>', 'a file written by `veil node backup`')
    .option('--json', 'JSON output')
    .action(async (file: string, o: { dir: string; json?: boolean }) => {
      const r = await restoreNode(file, o.dir, await passphrase());
      out(!!o.json, r, () =>
        [
          `node ${r.country} restored into ${r.dir} from the backup of ${new Date(r.createdAt).toISOString()}: ${r.files} files, audit chain intact (${r.auditEntries} entries)`,
          'Before `veil node start`: make sure the original node is stopped for good, and read docs/backups.md (mail and budgets since the backup).',
        ].join('\n'),
      );
    });
}
