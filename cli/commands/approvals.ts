/**
 * `veil approvals …`: data owners decide other countries' disclosure requests from the command line
 * (list, show, approve, deny), through the node's disclosure desk; decisions are recorded under an
 * active data-owner account.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initCrypto } from '#crypto';
import { VeilError, type DisclosureField } from '#protocol';
import { systemClock } from '#platform';
import { NodeStore, nodePaths, loadNodeKeys, loadNodeConfig, parsePolicy, nodeAudit, DisclosureDesk, listOwners } from '#node';
import { out } from '../shared/output.ts';

export function registerApprovalsCommands(program: Command): void {
  const approvals = program.command('approvals').description("data owners: decide other countries' disclosure requests");

  approvals
    .command('list')
    .description('pending requests (or all with --all)')
    .requiredOption('--dir <dir>', 'node directory')
    .option('--all', 'include decided requests')
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; all?: boolean; json?: boolean }) => {
      await initCrypto();
      const list = withDesk(o.dir, (d) => d.list(o.all ? 'all' : 'pending'));
      out(!!o.json, list.map(({ record: _r, justification: _j, ...v }) => v), () =>
        list.length === 0
          ? '(no requests)'
          : list
              .map((v) => `${v.id}  from ${v.requester}  ${v.status.padEnd(8)} ${v.purpose}  basis ${v.legalBasis}  case ${v.caseRef}  class ${v.cls}  fields ${v.fields.join(',')}  ${v.status === 'pending' ? timeLeft(v.deadline) : `by ${v.decidedBy}`}`)
              .join('\n'),
      );
    });

  approvals
    .command('show')
    .description('one request with its justification and the matching record')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<id>', 'request id')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { dir: string; json?: boolean }) => {
      await initCrypto();
      const v = withDesk(o.dir, (d) => d.get(id));
      if (!v) throw new VeilError('not_found', 'no such request');
      out(!!o.json, v, () => JSON.stringify(v, null, 2));
    });

  approvals
    .command('approve')
    .description('approve, releasing the chosen fields sealed to the analyst')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<id>', 'request id')
    .requiredOption('--fields <list>', 'comma-separated subset of the requested fields')
    .requiredOption('--owner <account>', 'your data-owner account id (recorded)')
    .action(async (id: string, o: { dir: string; fields: string; owner: string }) => {
      await initCrypto();
      const v = withDesk(o.dir, (d) => d.approve(id, o.fields.split(',').map((f) => f.trim()) as DisclosureField[], o.owner), o.owner);
      console.log(`approved ${v.id}: released ${v.releasedFields?.join(',')} to ${v.requester}`);
    });

  approvals
    .command('deny')
    .description('deny with a reason (sent sealed to the analyst)')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<id>', 'request id')
    .requiredOption('--reason <text>', 'reason')
    .requiredOption('--owner <account>', 'your data-owner account id (recorded)')
    .action(async (id: string, o: { dir: string; reason: string; owner: string }) => {
      await initCrypto();
      const v = withDesk(o.dir, (d) => d.deny(id, o.reason, o.owner), o.owner);
      console.log(`denied ${v.id}`);
    });
}

/** Runs `fn` on the node's disclosure desk; with `owner`, only for an active data-owner account. */
function withDesk<T>(dir: string, fn: (desk: DisclosureDesk) => T, owner?: string): T {
  const cfg = loadNodeConfig(dir);
  const keys = loadNodeKeys(dir);
  const store = new NodeStore(nodePaths(dir).db);
  try {
    // Decisions are recorded under a data-owner account: it must exist and be active.
    if (owner !== undefined && !listOwners(store).some((x) => x.id === owner && !x.disabled)) {
      throw new VeilError('forbidden', `no active data-owner account '${owner}' (see veil node owner list)`);
    }
    const policy = parsePolicy(readFileSync(join(dir, cfg.policyFile), 'utf8'));
    return fn(new DisclosureDesk({ country: cfg.country, store, keys, audit: nodeAudit(store, keys), policy: { current: policy }, clock: systemClock() }));
  } finally {
    store.close();
  }
}

/** How long a pending request has before it expires, e.g. `5h left`. */
function timeLeft(deadline: number): string {
  const ms = deadline - Date.now();
  if (ms <= 0) return 'expired';
  const h = Math.floor(ms / 3_600_000);
  return h >= 1 ? `${h}h left` : `${Math.ceil(ms / 60_000)}m left`;
}
