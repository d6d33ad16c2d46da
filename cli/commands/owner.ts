/**
 * `veil node owner …`: the data-owner accounts that log in to the approval console (add, list,
 * disable). Passwords are read as secrets, never taken from the command line.
 */
import type { Command } from 'commander';
import { out } from '../support/output.ts';
import { readSecret } from '../support/read-secret.ts';

export function registerOwnerCommands(node: Command): void {
  const owner = node.command('owner').description('data-owner accounts for the approval console');
  owner
    .command('add')
    .description('create a data-owner account; the password comes from VEIL_OWNER_PASSWORD, stdin, or a prompt (never the command line)')
    .argument('<name>', "the officer's name")
    .requiredOption('--dir <dir>', 'node directory')
    .action(async (name: string, o: { dir: string }) => {
      const password = process.env.VEIL_OWNER_PASSWORD ?? (await readSecret('password (12+ characters): '));
      const { addOwnerInDir } = await import('#node');
      const r = await addOwnerInDir(o.dir, name, password);
      console.log(`data owner ${r.id} created; log in to the approval console with this account id`);
    });
  owner
    .command('list')
    .description('list data-owner accounts')
    .requiredOption('--dir <dir>', 'node directory')
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; json?: boolean }) => {
      const { listOwnersInDir } = await import('#node');
      const l = listOwnersInDir(o.dir);
      out(!!o.json, l, () => l.map((x) => `${x.id}  ${x.name}${x.disabled ? '  (disabled)' : ''}`).join('\n') || '(no data owners)');
    });
  owner
    .command('disable')
    .description('disable a data-owner account and end its sessions')
    .argument('<id>', 'account id')
    .requiredOption('--dir <dir>', 'node directory')
    .action(async (id: string, o: { dir: string }) => {
      const { disableOwnerInDir } = await import('#node');
      await disableOwnerInDir(o.dir, id);
      console.log(`data owner ${id} disabled`);
    });
}
