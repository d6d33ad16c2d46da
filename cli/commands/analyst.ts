/** `veil node analyst …`: the analyst accounts of a node and their credential files (add). */
import type { Command } from 'commander';
import { addAnalyst } from '#node';

export function registerAnalystCommands(node: Command): void {
  const analyst = node.command('analyst').description('analyst accounts of this node');
  analyst
    .command('add')
    .description('create an analyst account and write its credential file')
    .argument('<name>', "the analyst's name")
    .requiredOption('--dir <dir>', 'node directory')
    .option('--out <file>', 'where to write the credential (default: DIR/analysts/<id>.cred.json)')
    .option('--node-url <url>', "the node's analyst API URL to put in the credential")
    .action(async (name: string, o: { dir: string; out?: string; nodeUrl?: string }) => {
      const r = await addAnalyst(o.dir, name, { ...(o.out ? { out: o.out } : {}), ...(o.nodeUrl ? { nodeUrl: o.nodeUrl } : {}) });
      console.log(`analyst ${r.analystId} created; credential written to ${r.path} (keep it secret)`);
    });
}
