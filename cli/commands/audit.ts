/** `veil audit verify`: recompute a node's or the coordinator's audit chain and checkpoints offline. */

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { coordinatorPaths, loadCoordinatorKey, SqliteCoordinatorStore } from '#coordinator';
import { initCrypto, verifySignature } from '#crypto';
import { loadNodeKeys, NodeStore, nodePaths } from '#node';
import { verifyAudit } from '#platform';
import { VeilError } from '#protocol';
import { out } from '../shared/output.ts';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('audit logs');
  audit
    .command('verify')
    .description("recompute a node's or the coordinator's audit chain and checkpoints; report the first broken link")
    .requiredOption('--dir <dir>', 'node or coordinator directory')
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; json?: boolean }) => {
      await initCrypto();
      const isNode = existsSync(nodePaths(o.dir).config);
      const isCoord = existsSync(coordinatorPaths(o.dir).config);
      if (!isNode && !isCoord) throw new VeilError('bad_config', `${o.dir} is neither a node nor a coordinator directory`);
      const store = isNode ? new NodeStore(nodePaths(o.dir).db) : new SqliteCoordinatorStore(coordinatorPaths(o.dir).db);
      try {
        const publicKey = isNode ? loadNodeKeys(o.dir).signing.publicKey() : loadCoordinatorKey(o.dir).publicKey();
        const r = verifyAudit(store.db, { publicKey, verify: verifySignature });
        out(!!o.json, r, () =>
          r.ok
            ? `audit log intact: ${r.entries} entries, ${r.checkpoints} signed checkpoints`
            : `audit log BROKEN at entry ${r.firstBroken?.seq}: ${r.firstBroken?.reason} (${r.firstBroken?.detail})`,
        );
        if (!r.ok) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
