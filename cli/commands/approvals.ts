/**
 * `veil approvals …`: data owners decide other countries' disclosure requests from the command line
 * (list, show, approve, deny), through the node's disclosure desk. A decision is made as a data owner:
 * the account's password (VEIL_OWNER_PASSWORD, piped stdin or a prompt — never the command line) is
 * checked as the approval console checks it (`authenticateOwner`: the same Argon2id hash and the same
 * failed-login throttle, kept in the node's database, with this host as one client address), audited.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { initCrypto } from '#crypto';
import {
  authenticateOwner,
  CLI_ADDRESS,
  DisclosureDesk,
  LoginThrottle,
  loadNodeConfig,
  loadNodeKeys,
  NodeStore,
  nodeAudit,
  nodePaths,
  type OwnerAuthResult,
  parsePolicy,
} from '#node';
import { systemClock } from '#platform';
import { type DisclosureField, VeilError } from '#protocol';
import { out } from '../shared/output.ts';
import { readSecret } from '../shared/read-secret.ts';

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
      out(
        !!o.json,
        list.map(({ record: _r, justification: _j, ...v }) => v),
        () =>
          list.length === 0
            ? '(no requests)'
            : list
                .map(
                  (v) =>
                    `${v.id}  from ${v.requester}  ${v.status.padEnd(8)} ${v.purpose}  basis ${v.legalBasis}  case ${v.caseRef}  class ${v.cls}  fields ${v.fields.join(',')}  ${v.status === 'pending' ? timeLeft(v.deadline) : `by ${v.decidedBy}`}`,
                )
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
    .requiredOption('--owner <account>', 'your data-owner account id (recorded); its password comes from VEIL_OWNER_PASSWORD, stdin, or a prompt')
    .action(async (id: string, o: { dir: string; fields: string; owner: string }) => {
      await initCrypto();
      const as = { id: o.owner, password: await ownerPassword(o.owner) };
      const v = withDesk(o.dir, (d) => d.approve(id, o.fields.split(',').map((f) => f.trim()) as DisclosureField[], o.owner), as);
      console.log(`approved ${v.id}: released ${v.releasedFields?.join(',')} to ${v.requester}`);
    });

  approvals
    .command('deny')
    .description('deny with a reason (sent sealed to the analyst)')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<id>', 'request id')
    .requiredOption('--reason <text>', 'reason')
    .requiredOption('--owner <account>', 'your data-owner account id (recorded); its password comes from VEIL_OWNER_PASSWORD, stdin, or a prompt')
    .action(async (id: string, o: { dir: string; reason: string; owner: string }) => {
      await initCrypto();
      const as = { id: o.owner, password: await ownerPassword(o.owner) };
      const v = withDesk(o.dir, (d) => d.deny(id, o.reason, o.owner), as);
      console.log(`denied ${v.id}`);
    });
}

/** The owner's password, as `veil node owner add` reads one: never from the command line. */
async function ownerPassword(owner: string): Promise<string> {
  return process.env.VEIL_OWNER_PASSWORD ?? (await readSecret(`password of data owner ${owner}: `));
}

/** Runs `fn` on the node's disclosure desk; with `owner`, only once that data owner has authenticated. */
function withDesk<T>(dir: string, fn: (desk: DisclosureDesk) => T, owner?: { id: string; password: string }): T {
  const cfg = loadNodeConfig(dir);
  const keys = loadNodeKeys(dir);
  const store = new NodeStore(nodePaths(dir).db);
  try {
    const audit = nodeAudit(store, keys);
    const clock = systemClock();
    // Decisions are recorded under a data-owner account: the owner must prove it is theirs.
    if (owner !== undefined) {
      const r = authenticateOwner(
        { store, audit, throttle: new LoginThrottle({ store, audit, clock }) },
        { account: owner.id, password: owner.password, peer: 'cli', address: CLI_ADDRESS },
      );
      if (!r.ok) throw ownerAuthError(r);
      audit.append({ kind: 'owner.authenticated', owner: r.owner.id, peer: 'cli' });
    }
    const policy = parsePolicy(readFileSync(join(dir, cfg.policyFile), 'utf8'));
    return fn(new DisclosureDesk({ country: cfg.country, store, keys, audit, policy: { current: policy }, clock }));
  } finally {
    store.close();
  }
}

/** What failed, why, and the fix, for an owner who could not be authenticated. */
function ownerAuthError(r: Exclude<OwnerAuthResult, { ok: true }>): VeilError {
  if (r.why === 'throttled') {
    return new VeilError('rate_limited', `too many failed logins for this account or from this host; try again in ${Math.ceil(r.retryAfterMs / 60_000)} min`);
  }
  return new VeilError('unauthenticated', 'wrong data-owner account id or password, or the account is disabled (see veil node owner list)');
}

/** How long a pending request has before it expires, e.g. `5h left`. */
function timeLeft(deadline: number): string {
  const ms = deadline - Date.now();
  if (ms <= 0) return 'expired';
  const h = Math.floor(ms / 3_600_000);
  return h >= 1 ? `${h}h left` : `${Math.ceil(ms / 60_000)}m left`;
}
