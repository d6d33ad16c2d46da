/**
 * `veil approvals …`: data owners decide other countries' disclosure requests from the command line
 * (list, show, approve, deny), through the node's disclosure desk. Requests are named by their id or
 * any unique prefix of it (at least four characters), as `list` prints them. A decision is made as a
 * data owner: the account's password (VEIL_OWNER_PASSWORD, piped stdin or a prompt — never the command
 * line) is checked as the approval console checks it (`authenticateOwner`: the same Argon2id hash and
 * the same failed-login throttle, kept in the node's database, with this host as one client address),
 * audited.
 */
import type { Command } from 'commander';
import type { DisclosureDesk, DisclosureView, OwnerAuthResult } from '#node';
import { DISCLOSURE_FIELDS } from '#protocol/vocabulary';
import { out } from '../support/output.ts';
import { readSecret } from '../support/read-secret.ts';
import { table } from '../support/table.ts';
import { formatRequest, shortId, timeLeft } from './approvals-format.ts';

export function registerApprovalsCommands(program: Command): void {
  const approvals = program.command('approvals').description("data owners: decide other countries' disclosure requests");

  approvals
    .command('list')
    .description('pending requests (or all with --all); ids may be shortened to any unique prefix')
    .requiredOption('--dir <dir>', 'node directory')
    .option('--all', 'include decided requests')
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; all?: boolean; json?: boolean }) => {
      const list = await withDesk(o.dir, (d) => d.list(o.all ? 'all' : 'pending'));
      out(
        !!o.json,
        list.map(({ record: _r, justification: _j, ...v }) => v),
        () =>
          list.length === 0
            ? o.all
              ? '(no disclosure requests yet)'
              : '(no pending requests; `--all` shows decided ones)'
            : table(
                ['ID', 'FROM', 'STATUS', 'PURPOSE', 'CASE', 'MATCH', 'FIELDS', 'DEADLINE / DECIDED BY'],
                list.map((v) => [
                  shortId(v.id),
                  v.requester,
                  v.status,
                  v.purpose,
                  v.caseRef,
                  v.cls,
                  v.fields.join(','),
                  v.status === 'pending' ? timeLeft(v.deadline) : (v.decidedBy ?? ''),
                ]),
              ),
      );
    });

  approvals
    .command('show')
    .description('one request: who asks, why, how it matched, and your record')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<id>', 'request id, or a unique prefix of it')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { dir: string; json?: boolean }) => {
      const v = await withDesk(o.dir, (d) => d.get(id));
      if (!v) throw await notFound(id, o.dir);
      out(!!o.json, v, () => formatRequest(v, o.dir));
    });

  approvals
    .command('approve')
    .description('approve, releasing the chosen fields sealed to the analyst')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<id>', 'request id, or a unique prefix of it')
    .requiredOption('--fields <list>', `comma-separated subset of the requested fields (${DISCLOSURE_FIELDS.join(', ')})`)
    .requiredOption('--owner <account>', 'your data-owner account id (recorded); its password comes from VEIL_OWNER_PASSWORD, stdin, or a prompt')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { dir: string; fields: string; owner: string; json?: boolean }) => {
      const as = { id: o.owner, password: await ownerPassword(o.owner) };
      const fields = o.fields.split(',').map((f) => f.trim()) as DisclosureView['fields'];
      const v = await withDesk(o.dir, (d) => d.approve(id, fields, o.owner), as);
      out(!!o.json, v, () => `approved ${shortId(v.id)}: ${v.releasedFields?.join(', ')} released to ${v.requester}, sealed to the analyst`);
    });

  approvals
    .command('deny')
    .description('deny with a reason (sent sealed to the analyst)')
    .requiredOption('--dir <dir>', 'node directory')
    .argument('<id>', 'request id, or a unique prefix of it')
    .requiredOption('--reason <text>', 'reason')
    .requiredOption('--owner <account>', 'your data-owner account id (recorded); its password comes from VEIL_OWNER_PASSWORD, stdin, or a prompt')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { dir: string; reason: string; owner: string; json?: boolean }) => {
      const as = { id: o.owner, password: await ownerPassword(o.owner) };
      const v = await withDesk(o.dir, (d) => d.deny(id, o.reason, o.owner), as);
      out(!!o.json, v, () => `denied ${shortId(v.id)}; the reason goes to ${v.requester}, sealed to the analyst`);
    });
}

/** The owner's password, as `veil node owner add` reads one: never from the command line. */
async function ownerPassword(owner: string): Promise<string> {
  return process.env.VEIL_OWNER_PASSWORD ?? (await readSecret(`password of data owner ${owner}: `));
}

async function notFound(id: string, dir: string): Promise<Error> {
  const { VeilError } = await import('#protocol');
  return new VeilError('not_found', `no disclosure request ${id} at this node`, { hint: `the ids are in \`veil approvals list --all --dir ${dir}\`` });
}

/** Runs `fn` on the node's disclosure desk; with `owner`, only once that data owner has authenticated. */
async function withDesk<T>(dir: string, fn: (desk: DisclosureDesk) => T, owner?: { id: string; password: string }): Promise<T> {
  const [{ initCrypto }, node, { systemClock }, { readFileSync }, { join }] = await Promise.all([
    import('#crypto'),
    import('#node'),
    import('#platform'),
    import('node:fs'),
    import('node:path'),
  ]);
  await initCrypto();
  const cfg = node.loadNodeConfig(dir);
  const keys = node.loadNodeKeys(dir);
  const store = new node.NodeStore(node.nodePaths(dir).db);
  try {
    const audit = node.nodeAudit(store, keys);
    const clock = systemClock();
    // Decisions are recorded under a data-owner account: the owner must prove it is theirs.
    if (owner !== undefined) {
      const r = node.authenticateOwner(
        { store, audit, throttle: new node.LoginThrottle({ store, audit, clock }) },
        { account: owner.id, password: owner.password, peer: 'cli', address: node.CLI_ADDRESS },
      );
      if (!r.ok) throw await ownerAuthError(r, dir);
      audit.append({ kind: 'owner.authenticated', owner: r.owner.id, peer: 'cli' });
    }
    const policy = node.parsePolicy(readFileSync(join(dir, cfg.policyFile), 'utf8'));
    return fn(new node.DisclosureDesk({ country: cfg.country, store, keys, audit, policy: { current: policy }, clock }));
  } finally {
    store.close();
  }
}

/** What failed, why, and the fix, for an owner who could not be authenticated. */
async function ownerAuthError(r: Exclude<OwnerAuthResult, { ok: true }>, dir: string): Promise<Error> {
  const { VeilError } = await import('#protocol');
  if (r.why === 'throttled') {
    return new VeilError('rate_limited', 'too many failed logins for this account or from this host', {
      hint: `try again in ${Math.ceil(r.retryAfterMs / 60_000)} min`,
    });
  }
  return new VeilError('unauthenticated', 'wrong data-owner account id or password, or the account is disabled', {
    hint: `the accounts are in \`veil node owner list --dir ${dir}\``,
  });
}
