/**
 * `veil audit …` on a node's or the coordinator's directory: `verify` recomputes the audit chain and
 * checkpoints offline; `show` reads the log, newest first, filtered by kind, time and sequence number.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { out } from '../support/output.ts';

/** The directory's store, audit log and signing key, whether it is a node's or the coordinator's. */
async function openAuditDir(dir: string) {
  const [{ existsSync }, coordinator, { initCrypto }, node, { VeilError }] = await Promise.all([
    import('node:fs'),
    import('#coordinator'),
    import('#crypto'),
    import('#node'),
    import('#protocol'),
  ]);
  await initCrypto();
  const isNode = existsSync(node.nodePaths(dir).config);
  const isCoord = existsSync(coordinator.coordinatorPaths(dir).config);
  if (!isNode && !isCoord) {
    throw new VeilError('bad_config', `${dir} is neither a node nor a coordinator directory`, {
      hint: 'give the --dir of `veil node init` or `veil coordinator init`',
    });
  }
  if (isNode) return { store: new node.NodeStore(node.nodePaths(dir).db), publicKey: node.loadNodeKeys(dir).signing.publicKey() };
  return { store: new coordinator.SqliteCoordinatorStore(coordinator.coordinatorPaths(dir).db), publicKey: coordinator.loadCoordinatorKey(dir).publicKey() };
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${v} is not a positive whole number`);
  return n;
}

function time(v: string): number {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`${v} is not a date or time (e.g. 2026-12-07 or 2026-12-07T14:00Z)`);
  return t;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description("a node's or the coordinator's audit log");
  audit
    .command('verify')
    .description("recompute a node's or the coordinator's audit chain and checkpoints; report the first broken link")
    .requiredOption('--dir <dir>', 'node or coordinator directory')
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; json?: boolean }) => {
      const [{ verifySignature }, { verifyAudit }] = await Promise.all([import('#crypto'), import('#platform')]);
      const { store, publicKey } = await openAuditDir(o.dir);
      try {
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

  audit
    .command('show')
    .description('the audit log, newest first: what happened, when, with its details (no personal data is logged)')
    .requiredOption('--dir <dir>', 'node or coordinator directory')
    .option('--kind <kind>', 'only entries of this kind, e.g. query.answered or disclosure.approved (a prefix such as disclosure. works too)')
    .option('--since <time>', 'only entries at or after this time (ISO 8601, e.g. 2026-12-07 or 2026-12-07T14:00Z)', time)
    .option('--until <time>', 'only entries before this time', time)
    .option('--limit <n>', 'at most this many entries (default 50)', positiveInt, 50)
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; kind?: string; since?: number; until?: number; limit: number; json?: boolean }) => {
      const [{ AuditLog, AUDIT_KINDS }, { VeilError }] = await Promise.all([import('#platform'), import('#protocol')]);
      const AUDIT_KIND_NAMES = Object.keys(AUDIT_KINDS);
      const kinds = o.kind === undefined ? undefined : AUDIT_KIND_NAMES.filter((k) => k === o.kind || (o.kind?.endsWith('.') && k.startsWith(o.kind)));
      if (kinds !== undefined && kinds.length === 0) {
        throw new VeilError('bad_request', `--kind ${o.kind}: no such kind of audit entry`, { hint: `the kinds are ${AUDIT_KIND_NAMES.join(', ')}` });
      }
      const { store, publicKey } = await openAuditDir(o.dir);
      try {
        // Read-only use: the signer is never called, since nothing is appended.
        const log = new AuditLog(store.db, {
          signer: {
            publicKey,
            sign: () => {
              throw new VeilError('internal', 'audit show does not write');
            },
          },
        });
        const rows = [];
        let before: number | undefined;
        // Newest first, page by page, until enough entries pass the filters or the log's start is reached.
        for (let page = 0; page < 1000 && rows.length < o.limit; page++) {
          const batch = log.list({ order: 'desc', limit: 1000, ...(before !== undefined ? { beforeSeq: before } : {}) });
          if (batch.length === 0) break;
          for (const r of batch) {
            if (kinds && !kinds.includes(r.entry.kind)) continue;
            if (o.until !== undefined && r.ts >= o.until) continue;
            if (o.since !== undefined && r.ts < o.since) continue;
            rows.push(r);
            if (rows.length >= o.limit) break;
          }
          const last = batch[batch.length - 1];
          if (last === undefined || (o.since !== undefined && last.ts < o.since)) break;
          before = last.seq;
        }
        const shown = rows.map((r) => ({ seq: r.seq, at: new Date(r.ts).toISOString(), ...r.entry }));
        out(!!o.json, shown, () =>
          shown.length === 0
            ? '(no audit entries match)'
            : shown
                .map(({ seq, at, kind, ...rest }) => {
                  const details = Object.entries(rest)
                    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
                    .join(' ');
                  return `${String(seq).padStart(6)}  ${at.slice(0, 19)}Z  ${kind}${details ? `  ${details}` : ''}`;
                })
                .join('\n'),
        );
      } finally {
        await store.close();
      }
    });
}
