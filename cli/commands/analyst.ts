/**
 * `veil analyst …` (also `veil node analyst …`): a node's analyst accounts — add one and write its
 * credential file, list them, revoke one. Revocation takes effect at the node's gateway at once: every
 * request of the account is refused from then on.
 */
import type { Command } from 'commander';
import { out } from '../support/output.ts';

function registerInto(parent: Command, name: string): void {
  const analyst = parent.command(name).description('analyst accounts of a node: add, list, revoke');
  analyst
    .command('add')
    .description('create an analyst account and write its credential file (certificate signed by the node)')
    .argument('<name>', "the analyst's name")
    .requiredOption('--dir <dir>', 'node directory')
    .option('--out <file>', 'where to write the credential (default: DIR/analysts/<id>.cred.json)')
    .option('--node-url <url>', "the node's analyst API URL to put in the credential")
    .option('--days <days>', 'validity of the analyst certificate in days (at most the node certificate’s)', (v) => Number(v))
    .action(async (n: string, o: { dir: string; out?: string; nodeUrl?: string; days?: number }) => {
      const { addAnalyst } = await import('#node');
      const r = await addAnalyst(o.dir, n, {
        ...(o.out ? { out: o.out } : {}),
        ...(o.nodeUrl ? { nodeUrl: o.nodeUrl } : {}),
        ...(o.days ? { days: o.days } : {}),
      });
      console.log(`analyst ${r.analystId} created; credential written to ${r.path} (keep it secret)`);
    });
  analyst
    .command('list')
    .description('list the analyst accounts and whether they are revoked')
    .requiredOption('--dir <dir>', 'node directory')
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; json?: boolean }) => {
      const { listAnalysts } = await import('#node');
      const list = listAnalysts(o.dir);
      out(!!o.json, list, () => list.map((a) => `${a.id}  ${a.name}${a.revoked ? '  (revoked)' : ''}`).join('\n') || '(no analysts)');
    });
  analyst
    .command('revoke')
    .description('revoke an analyst account: its node refuses all its requests from now on')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<id>', 'the analyst account id (see `veil analyst list`)')
    .action(async (id: string, o: { dir: string }) => {
      const [{ revokeAnalyst }, { VeilError }] = await Promise.all([import('#node'), import('#protocol')]);
      const r = await revokeAnalyst(o.dir, id);
      if (!r) throw new VeilError('not_found', `no analyst account '${id}' (see \`veil analyst list --dir ${o.dir}\`)`);
      console.log(`analyst ${id} revoked`);
    });
}

export function registerAnalystCommands(node: Command): void {
  registerInto(node, 'analyst');
}

export function registerTopLevelAnalystCommands(program: Command): void {
  registerInto(program, 'analyst');
}
