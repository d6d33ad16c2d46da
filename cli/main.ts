/**
 * The `veil` command line. Every subcommand has `--help`. Errors print `error [code]: message` and exit
 * with status 1 (2 for usage errors); `--json` switches output to one JSON document on stdout.
 */
import { Command, Option, CommanderError } from 'commander';
import { initCrypto } from '#crypto';
import { PURPOSES, HANDLING_CODES, DISCLOSURE_FIELDS, BIO_MODALITIES, type QuerySubject, type Purpose, type Handling, type DisclosureField, type BioModality, VeilError, asVeilError } from '#protocol';
import { VeilClient, type QueryResult } from '#sdk';
import {
  initNode,
  importFile,
  startNode,
  addAnalyst,
  rotateKey,
  nodePaths,
  NodeStore,
  loadNodeKeys,
  loadNodeConfig,
  parsePolicy,
  nodeAudit,
  DisclosureDesk,
  addOwnerInDir,
  listOwnersInDir,
  disableOwnerInDir,
  listOwners,
} from '#node';
import { initCoordinatorDir, startCoordinator, admitMember, listMembers, coordinatorPaths, loadCoordinatorKey, CoordinatorStore } from '#coordinator';
import { verifyAudit, systemClock } from '#platform';
import { verifySignature } from '#crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProgressBar } from './progress.ts';

const program = new Command('veil')
  .description('Veil: privacy-preserving federated queries between police bureaus (blind PSI, owner-approved disclosure).')
  .showHelpAfterError()
  .exitOverride();

const out = (json: boolean, value: unknown, text: () => string): void => {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : text() + '\n');
};

async function runUntilSignal(close: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await close();
}

// ------------------------------------------------------------------ coordinator
const coord = program.command('coordinator').description('run and administer the coordinator');

coord
  .command('init')
  .description('create a coordinator directory: config, identity key, database')
  .requiredOption('--dir <dir>', 'coordinator directory')
  .option('--name <name>', 'coordinator name', 'veil-coordinator')
  .option('--port <port>', 'listen port (0 = any free port)', (v) => Number(v), 0)
  .action(async (o: { dir: string; name: string; port: number }) => {
    await initCrypto();
    const cfg = initCoordinatorDir(o.dir, { name: o.name, port: o.port });
    console.log(`coordinator '${cfg.name}' initialised in ${o.dir}`);
  });

coord
  .command('start')
  .description('start the coordinator (runs until SIGINT/SIGTERM)')
  .requiredOption('--dir <dir>', 'coordinator directory')
  .option('--port <port>', 'listen port (overrides config)', (v) => Number(v))
  .option('--host <host>', 'listen address (overrides config)')
  .action(async (o: { dir: string; port?: number; host?: string }) => {
    const h = await startCoordinator(o.dir, { ...(o.port !== undefined ? { port: o.port } : {}), ...(o.host ? { host: o.host } : {}) });
    console.log(`coordinator listening on ${h.url} (nodes connect to ${h.wsUrl})`);
    await runUntilSignal(() => h.close());
  });

coord
  .command('admit')
  .description("admit a member node by its public keys (the node's descriptor.json)")
  .requiredOption('--dir <dir>', 'coordinator directory')
  .argument('<file>', 'descriptor.json written by `veil node init`')
  .action(async (file: string, o: { dir: string }) => {
    const r = await admitMember(o.dir, file);
    console.log(`admitted ${r.country}`);
  });

coord
  .command('members')
  .description('list admitted members')
  .requiredOption('--dir <dir>', 'coordinator directory')
  .option('--json', 'JSON output')
  .action((o: { dir: string; json?: boolean }) => {
    const m = listMembers(o.dir);
    out(!!o.json, m, () => m.map((x) => `${x.country}  admitted ${x.admittedAt}${x.hasDescriptor ? '' : '  (never connected)'}`).join('\n') || '(no members)');
  });

// ------------------------------------------------------------------ node
const node = program.command('node').description("run and administer a country's node");

node
  .command('init')
  .description('create a node directory: keys, config, policy, database')
  .requiredOption('--country <cc>', 'ISO 3166-1 alpha-2 code of the member country, e.g. FR')
  .requiredOption('--dir <dir>', 'node directory')
  .option('--coordinator <url>', 'coordinator websocket URL, e.g. ws://127.0.0.1:7000/v1/ws')
  .option('--port <port>', 'analyst API port (0 = any free port)', (v) => Number(v), 0)
  .action(async (o: { country: string; dir: string; coordinator?: string; port: number }) => {
    if (!/^[A-Za-z]{2}$/.test(o.country)) throw new VeilError('bad_request', '--country must be a two-letter code');
    const cfg = await initNode(o.dir, { country: o.country, ...(o.coordinator ? { coordinatorUrl: o.coordinator } : {}), port: o.port });
    console.log(`node ${cfg.country} initialised in ${o.dir}`);
    console.log(`hand ${nodePaths(o.dir).descriptor} to the coordinator operator: veil coordinator admit --dir <coord> ${nodePaths(o.dir).descriptor}`);
  });

node
  .command('import')
  .description('import records from NDJSON or CSV (all-or-nothing unless --skip-invalid); see docs/records.md')
  .requiredOption('--dir <dir>', 'node directory')
  .argument('<file>', '.ndjson/.jsonl or .csv file')
  .option('--skip-invalid', 'import the valid lines and report the invalid ones')
  .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['ndjson', 'csv']))
  .option('--json', 'JSON report')
  .action(async (file: string, o: { dir: string; skipInvalid?: boolean; format?: 'ndjson' | 'csv'; json?: boolean }) => {
    const bar = new ProgressBar(!o.json);
    let big = false;
    const r = await importFile(o.dir, file, {
      skipInvalid: !!o.skipInvalid,
      ...(o.format ? { format: o.format } : {}),
      onProgress: (p) => {
        if (p.total > 2000) big = true;
        if (big) bar.update(p.phase, p.done, p.total);
      },
    });
    out(!!o.json, r, () => {
      const lines = r.errors.slice(0, 50).map((e) => `  line ${e.line}: ${e.reason}`);
      if (r.errors.length > 50) lines.push(`  … ${r.invalid - 50} more`);
      const head = r.written
        ? `imported ${file}: ${r.upserted} upserted, ${r.unchanged} unchanged, ${r.deleted} deleted` +
          (r.deleteMissing ? `, ${r.deleteMissing} deletes of unknown ids` : '') +
          `; tags +${r.tagsAdded}/-${r.tagsRemoved} in ${r.chunks} chunk(s)` +
          (r.templates ? `; ${r.templates} biometric template(s), ${r.templatesNormalized} rescaled to unit length` : '') +
          `; ${(r.ms / 1000).toFixed(1)}s`
        : `nothing imported: ${r.invalid} invalid line(s) of ${r.lines} (use --skip-invalid to import the ${r.valid} valid ones)`;
      return [head, ...(r.invalid > 0 && r.written ? [`skipped ${r.invalid} invalid line(s):`] : []), ...lines].join('\n');
    });
    if (!r.written) process.exitCode = 1;
  });

node
  .command('start')
  .description('start the node: dial the coordinator, answer queries, publish the index, serve analysts')
  .requiredOption('--dir <dir>', 'node directory')
  .option('--coordinator <url>', 'coordinator websocket URL (overrides node.json)')
  .option('--port <port>', 'analyst API port (overrides node.json)', (v) => Number(v))
  .action(async (o: { dir: string; coordinator?: string; port?: number }) => {
    const h = await startNode(o.dir, { ...(o.coordinator ? { coordinatorUrl: o.coordinator } : {}), ...(o.port !== undefined ? { port: o.port } : {}) });
    console.log(`node ${h.country} serving analysts on ${h.url}; approval console on ${h.consoleUrl}`);
    await runUntilSignal(() => h.close());
  });

node
  .command('rotate-key')
  .description('start a new OPRF epoch and republish the whole index under it')
  .requiredOption('--dir <dir>', 'node directory')
  .action(async (o: { dir: string }) => {
    const bar = new ProgressBar(true);
    const r = await rotateKey(o.dir, { onProgress: (d, t) => t > 2000 && bar.update('rotate', d, t) });
    console.log(`epoch ${r.epoch} prepared with ${r.tags} tags; it becomes active when the coordinator acknowledges it`);
  });

node
  .command('status')
  .description('records, tags, epochs and unpublished chunks')
  .requiredOption('--dir <dir>', 'node directory')
  .option('--json', 'JSON output')
  .action((o: { dir: string; json?: boolean }) => {
    const s = new NodeStore(nodePaths(o.dir).db);
    try {
      const epochs = s.records.epochs().map((e) => ({ epoch: e.epoch, state: e.state, tags: s.records.keyCount(e.epoch) }));
      const v = { records: s.records.count(), epochs, outbox: s.records.outboxCount(), analysts: s.analysts.list().length };
      out(!!o.json, v, () =>
        [`records: ${v.records}`, ...epochs.map((e) => `epoch ${e.epoch} (${e.state}): ${e.tags} tags`), `unpublished chunks: ${v.outbox}`, `analysts: ${v.analysts}`].join('\n'),
      );
    } finally {
      s.close();
    }
  });

const owner = node.command('owner').description('data-owner accounts for the approval console');
owner
  .command('add')
  .description('create a data-owner account; the password comes from VEIL_OWNER_PASSWORD, stdin, or a prompt (never the command line)')
  .argument('<name>', "the officer's name")
  .requiredOption('--dir <dir>', 'node directory')
  .action(async (name: string, o: { dir: string }) => {
    const password = process.env.VEIL_OWNER_PASSWORD ?? (await readSecret('password (12+ characters): '));
    const r = await addOwnerInDir(o.dir, name, password);
    console.log(`data owner ${r.id} created; log in to the approval console with this account id`);
  });
owner
  .command('list')
  .description('list data-owner accounts')
  .requiredOption('--dir <dir>', 'node directory')
  .option('--json', 'JSON output')
  .action((o: { dir: string; json?: boolean }) => {
    const l = listOwnersInDir(o.dir);
    out(!!o.json, l, () => l.map((x) => `${x.id}  ${x.name}${x.disabled ? '  (disabled)' : ''}`).join('\n') || '(no data owners)');
  });
owner
  .command('disable')
  .description('disable a data-owner account and end its sessions')
  .argument('<id>', 'account id')
  .requiredOption('--dir <dir>', 'node directory')
  .action(async (id: string, o: { dir: string }) => {
    await disableOwnerInDir(o.dir, id);
    console.log(`data owner ${id} disabled`);
  });

/** Read a secret from a terminal without echo, or the first line of piped stdin. */
async function readSecret(prompt: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw new VeilError('bad_request', 'no password on stdin');
  }
  process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, output: undefined, terminal: true });
  process.stdin.setRawMode?.(true);
  return new Promise((resolve) => {
    let s = '';
    const onData = (b: Buffer) => {
      const ch = b.toString('utf8');
      if (ch === '\r' || ch === '\n' || ch === '\u0004') {
        process.stdin.off('data', onData);
        process.stdin.setRawMode?.(false);
        rl.close();
        process.stderr.write('\n');
        resolve(s);
      } else if (ch === '\u0003') process.exit(130);
      else if (ch === '\u007f') s = s.slice(0, -1);
      else s += ch;
    };
    process.stdin.on('data', onData);
  });
}

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

// ------------------------------------------------------------------ analyst
program
  .command('query')
  .description('blind query: which member countries hold this person, document or vehicle?')
  .requiredOption('--cred <file>', 'analyst credential file')
  .option('--name <name>', 'full name (any script); needs --dob')
  .option('--dob <date>', 'date of birth (YYYY-MM-DD, DD.MM.YYYY, … or YYYY)')
  .option('--doc <type:country:number>', 'identity document, e.g. passport:FRA:12AB34567')
  .option('--vin <vin>', 'vehicle identification number')
  .option('--targets <list>', 'comma-separated countries to ask (default: all members)')
  .option('--bucket', 'bucket lookups: the coordinator does not learn which tag was looked up or whether it hit')
  .addOption(new Option('--purpose <purpose>', 'purpose of the search').choices([...PURPOSES]).default('criminal-investigation'))
  .addOption(new Option('--case <ref>', 'case reference').env('VEIL_CASE').makeOptionMandatory())
  .addOption(new Option('--legal-basis <code>', 'legal basis code').env('VEIL_LEGAL_BASIS').makeOptionMandatory())
  .addOption(new Option('--handling <code>', 'handling code').choices([...HANDLING_CODES]).default('restricted'))
  .option('--node-url <url>', "override the node URL from the credential")
  .option('--json', 'JSON output')
  .action(async (o: {
    cred: string;
    name?: string;
    dob?: string;
    doc?: string;
    vin?: string;
    targets?: string;
    bucket?: boolean;
    purpose: Purpose;
    case: string;
    legalBasis: string;
    handling: Handling;
    nodeUrl?: string;
    json?: boolean;
  }) => {
    const subject = subjectFrom(o);
    const client = await VeilClient.connect(o.cred, o.nodeUrl ? { nodeUrl: o.nodeUrl } : {});
    const r = await client.query(
      subject,
      { purpose: o.purpose, caseRef: o.case, legalBasis: o.legalBasis, handling: o.handling },
      { mode: o.bucket ? 'bucket' : 'exact', ...(o.targets ? { targets: o.targets.split(',').map((s) => s.trim().toUpperCase()) } : {}) },
    );
    out(!!o.json, r, () => formatQuery(r));
  });

function subjectFrom(o: { name?: string; dob?: string; doc?: string; vin?: string }): QuerySubject {
  const given = [o.name !== undefined || o.dob !== undefined, o.doc !== undefined, o.vin !== undefined].filter(Boolean).length;
  if (given !== 1) throw new VeilError('bad_request', 'give exactly one of --name/--dob, --doc or --vin');
  if (o.doc !== undefined) {
    const [type, country, ...rest] = o.doc.split(':');
    if (!type || !country || rest.length === 0) throw new VeilError('bad_request', '--doc must be TYPE:COUNTRY:NUMBER');
    return { doc: { type, country, number: rest.join(':') } };
  }
  if (o.vin !== undefined) return { vin: o.vin };
  if (!o.name || !o.dob) throw new VeilError('bad_request', '--name needs --dob (and vice versa)');
  return { name: o.name, dob: o.dob };
}

export function formatQuery(r: QueryResult): string {
  const lines = [`query ${r.queryId} (${[...new Set(r.classes)].join(', ')})`];
  for (const c of r.results) {
    const mark = c.status === 'hit' ? 'HIT   ' : c.status === 'no-hit' ? 'no hit' : c.status.toUpperCase().padEnd(6);
    const detail =
      c.status === 'hit'
        ? c.hits.map((h) => `${h.cls} --hit ${c.country}:${h.token}`).join('; ')
        : c.code
          ? `(${c.code})`
          : c.refusedClasses.length
            ? `(not answered for: ${c.refusedClasses.join(', ')})`
            : '';
    lines.push(`  ${c.country}  ${mark}  ${detail}`.trimEnd());
  }
  return lines.join('\n');
}

program
  .command('bio-match')
  .description('encrypted biometric 1:N search: the probe is encrypted here; nodes return masked encrypted scores')
  .requiredOption('--cred <file>', 'analyst credential file')
  .addOption(new Option('--modality <m>', 'biometric modality').choices([...BIO_MODALITIES]).default('face'))
  .requiredOption('--embedding <file>', 'JSON file with the probe embedding: an array of numbers (face 512, fingerprint 256)')
  .option('--targets <list>', 'comma-separated countries to ask (default: all members)')
  .addOption(new Option('--purpose <purpose>', 'purpose').choices([...PURPOSES]).default('criminal-investigation'))
  .addOption(new Option('--case <ref>', 'case reference').env('VEIL_CASE').makeOptionMandatory())
  .addOption(new Option('--legal-basis <code>', 'legal basis code').env('VEIL_LEGAL_BASIS').makeOptionMandatory())
  .addOption(new Option('--handling <code>', 'handling code').choices([...HANDLING_CODES]).default('restricted'))
  .option('--node-url <url>', 'override the node URL from the credential')
  .option('--json', 'JSON output')
  .action(async (o: { cred: string; modality: BioModality; embedding: string; targets?: string; purpose: Purpose; case: string; legalBasis: string; handling: Handling; nodeUrl?: string; json?: boolean }) => {
    const embedding = readEmbedding(o.embedding);
    const client = await VeilClient.connect(o.cred, o.nodeUrl ? { nodeUrl: o.nodeUrl } : {});
    try {
      const r = await client.bioMatch(o.modality, embedding, { purpose: o.purpose, caseRef: o.case, legalBasis: o.legalBasis, handling: o.handling }, o.targets ? { targets: o.targets.split(',').map((s) => s.trim().toUpperCase()) } : {});
      out(!!o.json, r, () =>
        [
          `biometric query ${r.queryId} (${r.modality})`,
          ...r.results.map((c) => {
            const mark = c.status === 'hit' ? `HIT (${c.hits.length})` : c.status === 'no-hit' ? 'no hit' : c.status.toUpperCase();
            const refs = c.hits.map((h) => `--hit ${c.country}:${h.ref}`).join(' ');
            return `  ${c.country}  ${mark}${c.code ? ` (${c.code})` : ''}${refs ? `  ${refs}` : ''}`;
          }),
        ].join('\n'),
      );
    } finally {
      await client.close();
    }
  });

function readEmbedding(path: string): number[] {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new VeilError('bad_request', `${path} is not a JSON file`);
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) throw new VeilError('bad_request', 'the embedding file must hold a JSON array of numbers');
  return v as number[];
}

const claimOptions = (c: Command) =>
  c
    .option('--name <name>', 'the name you searched for; needs --dob')
    .option('--dob <date>', 'the date of birth you searched for')
    .option('--doc <type:country:number>', 'the document you searched for')
    .option('--vin <vin>', 'the VIN you searched for')
    .option('--embedding <file>', 'for a biometric hit: the probe embedding you searched with (JSON array)');

claimOptions(
  program
    .command('disclose')
    .description("ask the owning country to reveal the record behind a hit; the claim travels sealed to the owner")
    .requiredOption('--cred <file>', 'analyst credential file')
    .requiredOption('--hit <country:token>', 'the hit, as printed by `veil query` (e.g. DE:AbC…)')
    .addOption(new Option('--purpose <purpose>', 'purpose').choices([...PURPOSES]).default('criminal-investigation'))
    .addOption(new Option('--case <ref>', 'case reference').env('VEIL_CASE').makeOptionMandatory())
    .addOption(new Option('--legal-basis <code>', 'legal basis code').env('VEIL_LEGAL_BASIS').makeOptionMandatory())
    .option('--fields <list>', `fields to request (${DISCLOSURE_FIELDS.join(',')})`, 'name,dob,nationality,documents')
    .requiredOption('--justification <text>', 'why you need the identity (read by the data owner)')
    .addOption(new Option('--modality <m>', 'for a biometric hit: the modality').choices([...BIO_MODALITIES]))
    .option('--node-url <url>', 'override the node URL from the credential')
    .option('--json', 'JSON output'),
).action(
  async (o: { cred: string; hit: string; purpose: Purpose; case: string; legalBasis: string; fields: string; justification: string; nodeUrl?: string; json?: boolean; name?: string; dob?: string; doc?: string; vin?: string; embedding?: string; modality?: string }) => {
    const m = /^([A-Z]{2}):(bio:[0-9a-f]{32}:\d+|[A-Za-z0-9_-]+)$/.exec(o.hit);
    if (!m) throw new VeilError('bad_request', '--hit must be COUNTRY:TOKEN as printed by veil query (or COUNTRY:bio:QUERY:POSITION from veil bio-match)');
    const fields = o.fields.split(',').map((f) => f.trim());
    for (const f of fields) if (!(DISCLOSURE_FIELDS as readonly string[]).includes(f)) throw new VeilError('bad_request', `unknown field ${f}`);
    const client = await VeilClient.connect(o.cred, o.nodeUrl ? { nodeUrl: o.nodeUrl } : {});
    const ctx = { purpose: o.purpose, caseRef: o.case, legalBasis: o.legalBasis };
    const opts = { fields: fields as DisclosureField[], justification: o.justification };
    let r;
    if (m[2]!.startsWith('bio:')) {
      if (!o.embedding) throw new VeilError('bad_request', 'a biometric hit needs --embedding (the probe you searched with)');
      const modality = (o.modality ?? 'face') as BioModality;
      r = await client.requestBioDisclosure({ country: m[1]!, ref: m[2]! }, modality, readEmbedding(o.embedding), ctx, opts);
    } else {
      r = await client.requestDisclosure({ country: m[1]!, token: m[2]! }, subjectFrom(o), ctx, opts);
    }
    out(!!o.json, r, () => `disclosure request ${r.id} ${r.status} to ${m[1]}; follow it with: veil disclosures --cred ${o.cred}`);
  },
);

program
  .command('disclosures')
  .description('my disclosure requests: pending, approved (with the released record), denied, expired')
  .requiredOption('--cred <file>', 'analyst credential file')
  .option('--node-url <url>', 'override the node URL from the credential')
  .option('--json', 'JSON output')
  .action(async (o: { cred: string; nodeUrl?: string; json?: boolean }) => {
    const client = await VeilClient.connect(o.cred, o.nodeUrl ? { nodeUrl: o.nodeUrl } : {});
    const list = await client.disclosures();
    out(!!o.json, list, () =>
      list.length === 0
        ? '(no disclosure requests)'
        : list
            .map((d) => {
              const head = `${d.id}  ${d.to}  ${d.status.toUpperCase()}${d.code ? ` (${d.code})` : ''}  requested: ${d.fields.join(',')}  ${new Date(d.createdAt).toISOString()}`;
              const rel = d.released?.fields
                ? `\n    released (handling: ${d.released.handling ?? 'n/a'}): ${JSON.stringify(d.released.fields)}`
                : d.released?.reason
                  ? `\n    reason: ${d.released.reason}`
                  : '';
              return head + rel;
            })
            .join('\n'),
    );
  });

// ------------------------------------------------------------------ data owners
const approvals = program.command('approvals').description("data owners: decide other countries' disclosure requests");

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

const timeLeft = (deadline: number) => {
  const ms = deadline - Date.now();
  if (ms <= 0) return 'expired';
  const h = Math.floor(ms / 3_600_000);
  return h >= 1 ? `${h}h left` : `${Math.ceil(ms / 60_000)}m left`;
};

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

// ------------------------------------------------------------------ audit
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
    const store = isNode ? new NodeStore(nodePaths(o.dir).db) : new CoordinatorStore(coordinatorPaths(o.dir).db);
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
      store.close();
    }
  });

// ------------------------------------------------------------------ entry
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    const v = asVeilError(e);
    process.stderr.write(`error [${v.code}]: ${v.message}\n`);
    if (v.code === 'internal' && process.env.VEIL_DEBUG === '1') console.error(e);
    process.exitCode = 1;
  }
}
