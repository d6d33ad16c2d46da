/**
 * `veil status --dir DIR`: a node at a glance — whether it runs (and its pid), its coordinator link
 * (and why it is down, with the fix), the members online (asked of the coordinator), index epochs,
 * unpublished chunks and unsent mail, requests waiting for its data owners, and today's evaluation
 * budgets left per requesting country. `veil node status` is the same command.
 */
import type { Command } from 'commander';
import type { NodeStatus } from '#node';
import { out } from '../support/output.ts';

export function registerStatusCommand(program: Command): void {
  withStatusAction(program.command('status'));
}

/** The options and action of `status`, shared by `veil status` and `veil node status`. */
export function withStatusAction(c: Command): Command {
  return c
    .description('a node at a glance: running, coordinator link, members online, epochs, pending mail and approvals, budgets left')
    .requiredOption('--dir <dir>', 'node directory')
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; json?: boolean }) => {
      const [{ nodeStatus }, { existsSync }, { join }, { VeilError }] = await Promise.all([
        import('#node'),
        import('node:fs'),
        import('node:path'),
        import('#protocol'),
      ]);
      if (!existsSync(join(o.dir, 'node.json'))) {
        throw new VeilError('bad_config', `${o.dir} is not a node directory (no node.json)`, { hint: 'create one with `veil node init`' });
      }
      const s = await nodeStatus(o.dir);
      out(!!o.json, s, () => formatStatus(s));
    });
}

export function formatStatus(s: NodeStatus): string {
  const lines = [`node ${s.country} (${s.dir})`];
  if (!s.running) {
    lines.push(`  process      not running (start it with \`veil node start --dir ${s.dir}\`)`);
    lines.push(`  coordinator  ${s.coordinatorUrl ?? '(none set)'}`);
  } else {
    lines.push(`  process      running, pid ${s.running.pid}, since ${s.running.since}`);
    const l = s.live;
    if (!l) lines.push(`  coordinator  ${s.coordinatorUrl ?? '?'} (the node did not report its link: ${s.liveError ?? 'unknown'})`);
    else {
      lines.push(`  analyst API  ${l.url}`, `  console      ${l.consoleUrl}`);
      const c = l.coordinator;
      lines.push(
        c.connected
          ? `  coordinator  ${c.url}: connected`
          : `  coordinator  ${c.url}: NOT connected${c.attempts ? ` (${c.attempts} failed attempt(s))` : ''}${c.reason ? `\n               ${c.reason}` : ''}`,
      );
      lines.push(
        `  members      ${l.members.length ? l.members.join(', ') : '(none known yet)'}`,
        `  online now   ${l.online === null ? '(unknown: not connected)' : l.online.length ? l.online.join(', ') : '(none)'}`,
      );
    }
  }
  lines.push(`  records      ${s.records}`);
  for (const e of s.epochs) lines.push(`  epoch ${e.epoch}      ${e.state}, ${e.tags} tags`);
  lines.push(
    `  to publish   ${s.unpublishedChunks} index chunk(s); ${s.unsentMail} mail item(s) unsent`,
    `  approvals    ${s.pendingApprovals} pending${s.pendingApprovals ? ` (\`veil approvals list --dir ${s.dir}\`)` : ''}`,
    `  analysts     ${s.analysts} active`,
  );
  const b = s.budgets;
  lines.push(
    `  budgets      ${b.day} (UTC): ${b.defaultLimit} evaluations a day per country by default` +
      (b.byCountry.length
        ? `\n${b.byCountry.map((u) => `               ${u.country}: ${u.used} used, ${u.left} left of ${u.limit}`).join('\n')}`
        : '; none used today'),
  );
  return lines.join('\n');
}
