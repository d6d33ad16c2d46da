/**
 * The first hour of an operator with the `veil` command, on a node directory that is not running: help
 * and version, usage and user errors in one or two lines with the fix and a documented exit status
 * (JSON with `--json`), what `node init` writes, the import summary, a node not yet admitted, a config
 * file with a wrong key, analysts listed and revoked, the audit log read with filters. Real `veil`
 * processes (the compiled CLI) on real directories.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import { createLocalPki, REPO_ROOT, runVeil, runVeilOk } from '#simulations';

let root: string;
let dir: string;
let pki: ReturnType<typeof createLocalPki>;

const jsonError = (stdout: string) => (JSON.parse(stdout) as { error: { code: string; message: string; fix?: string; exit: number } }).error;

beforeAll(async () => {
  await initCrypto();
  root = mkdtempSync(join(tmpdir(), 'veil-cli-admin-'));
  dir = join(root, 'de');
  pki = createLocalPki(root);
  await runVeilOk(['node', 'init', '--country', 'DE', '--dir', dir, '--bundle', pki.bundlePath, '--coordinator', 'wss://127.0.0.1:9/v1/ws']);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('veil, before anything runs', () => {
  it('prints help and its version; a usage error exits 2 naming the help to read, as JSON with --json', async () => {
    const help = await runVeil(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['query', 'status', 'approvals', 'audit', 'analyst']) expect(help.stdout).toMatch(new RegExp(`^ {2}${c}\\b`, 'm'));
    const version = await runVeil(['--version']);
    expect(version.stdout).toMatch(/^veil 0\.\d+\.\d+ \(Node\.js v20\./);
    const unknown = await runVeil(['qeury']);
    expect([unknown.code, unknown.stderr.trim().split('\n')]).toEqual([
      2,
      ["error [usage]: unknown command 'qeury'", '(Did you mean query?)', '  fix: see `veil --help`'],
    ]);
    const missing = await runVeil(['query', '--cred', 'x.json', '--legal-basis', 'b', '--json']);
    expect(missing.code).toBe(2);
    expect(jsonError(missing.stdout)).toEqual({
      code: 'usage',
      message: "required option '--case <ref>' not specified",
      fix: 'see `veil query --help`',
      exit: 2,
    });
  });

  it('npx veil in the repository runs this project’s command, not a registry package of that name', async () => {
    const r = spawnSync('npx', ['--no-install', 'veil', '--version'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/^veil 0\.\d+\.\d+ \(Node\.js /)]);
  });

  it('node init fixes both ports, writes a .gitignore that ignores the whole directory; a second init or a bad country code is refused with the fix', async () => {
    const cfg = JSON.parse(readFileSync(join(dir, 'node.json'), 'utf8')) as { port: number; adminPort: number };
    expect(cfg.port).toBeGreaterThan(0);
    expect(cfg.adminPort).toBeGreaterThan(0);
    expect(cfg.adminPort).not.toBe(cfg.port);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8').split('\n')).toContain('*');
    const again = await runVeil(['node', 'init', '--country', 'DE', '--dir', dir, '--bundle', pki.bundlePath]);
    expect([again.code, again.stderr]).toEqual([1, `error [bad_config]: ${dir} already holds a node\n  fix: choose another --dir\n`]);
    const badCountry = await runVeil(['node', 'init', '--country', 'Germany', '--dir', join(root, 'x'), '--bundle', pki.bundlePath]);
    expect([badCountry.code, badCountry.stderr]).toEqual([
      1,
      'error [bad_request]: --country Germany is not a two-letter country code\n  fix: e.g. --country FR\n',
    ]);
  });

  it('imports a CSV and counts its records, not its header; a missing file is a user error naming the path', async () => {
    const csv = join(root, 'people.csv');
    writeFileSync(
      csv,
      'id,kind,dataset,handling,family,given,dob\nde-1,person,wanted-persons,restricted,Weber,Karl,1966-06-06\nde-2,person,wanted-persons,restricted,Roth,Anna,1971-01-02\n',
    );
    const ok = await runVeil(['node', 'import', '--dir', dir, csv]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`imported ${csv}: 2 record(s) read; 2 upserted`);
    const bad = join(root, 'bad.csv');
    writeFileSync(
      bad,
      'id,kind,dataset,handling,family,given,dob\nde-3,person,wanted-persons,restricted,Weber,Karl,1966-13-45\nde-4,person,wanted-persons,restricted,Roth,Anna,1971-01-02\n',
    );
    const r = await runVeil(['node', 'import', '--dir', dir, bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('nothing imported: 1 of the 2 record(s) are invalid (use --skip-invalid to import the 1 valid ones)');
    expect(r.stdout).toMatch(/^ {2}line 2: /m);
    const gone = await runVeil(['node', 'import', '--dir', dir, join(root, 'nowhere.ndjson')]);
    expect([gone.code, gone.stderr]).toEqual([1, `error [bad_request]: ${join(root, 'nowhere.ndjson')}: no such file or directory\n`]);
    expect(gone.stderr).not.toContain('internal');
  });

  it('a node not yet admitted, or with a wrong setting, does not start and says which command or key fixes it', async () => {
    const notAdmitted = await runVeil(['node', 'start', '--dir', dir]);
    expect(notAdmitted.code).toBe(1);
    expect(notAdmitted.stderr).toContain(`veil org admit DE --request ${join(dir, 'request.json')}`);
    expect(notAdmitted.stderr).toContain(`veil node enroll --dir ${dir} --cert FILE`);
    const file = join(root, 'settings.json');
    writeFileSync(file, JSON.stringify({ adminPrt: 7400 }));
    const typo = await runVeil(['node', 'start', '--dir', dir, '--config', file]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(`error [bad_config]: config file ${file}: unknown setting "adminPrt"`);
    expect(typo.stderr).toMatch(/fix: the settings are .*adminPort/);
    writeFileSync(file, JSON.stringify({ adminPort: 'seven' }));
    const wrongType = await runVeil(['node', 'start', '--dir', dir], { env: { VEIL_CONFIG: file } });
    expect(wrongType.stderr).toContain(`config file ${file}: adminPort:`);
    const env = await runVeil(['node', 'start', '--dir', dir], { env: { VEIL_NODE_PORT: 'abc' } });
    expect([env.code, env.stderr.split('\n')[0]]).toEqual([1, 'error [bad_config]: VEIL_NODE_PORT=abc: not a number']);
    // Nothing started: the directory is not locked and holds no status socket.
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('lists and revokes analysts; an unknown id is not_found with the listing command', async () => {
    pki.certifyNode(dir); // the organisation admits the node: it can issue analyst credentials
    const added = await runVeilOk(['node', 'analyst', 'add', 'Claire Martin', '--dir', dir, '--out', join(root, 'claire.cred.json')]);
    const id = /analyst (\S+)/.exec(added)?.[1];
    expect(id).toMatch(/^claire-martin-/);
    const list = JSON.parse(await runVeilOk(['analyst', 'list', '--dir', dir, '--json'])) as Array<{ id: string; revoked: boolean }>;
    expect(list).toEqual([expect.objectContaining({ id, revoked: false })]);
    expect(await runVeilOk(['analyst', 'revoke', id as string, '--dir', dir])).toBe(`analyst ${id} revoked\n`);
    expect(await runVeilOk(['analyst', 'list', '--dir', dir])).toContain(`${id}  Claire Martin  (revoked)`);
    const unknown = await runVeil(['analyst', 'revoke', 'nobody-123456', '--dir', dir]);
    expect([unknown.code, unknown.stderr]).toEqual([1, `error [not_found]: no analyst account 'nobody-123456' (see \`veil analyst list --dir ${dir}\`)\n`]);
  });

  it('reads the audit log newest first, filtered by kind (or kind prefix), time and count', async () => {
    const all = JSON.parse(await runVeilOk(['audit', 'show', '--dir', dir, '--json'])) as Array<{ seq: number; at: string; kind: string }>;
    expect(all.length).toBeGreaterThan(2);
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => b - a));
    const imports = JSON.parse(await runVeilOk(['audit', 'show', '--dir', dir, '--kind', 'records.imported', '--json'])) as typeof all;
    expect(imports.length).toBeGreaterThanOrEqual(1);
    expect(new Set(imports.map((e) => e.kind))).toEqual(new Set(['records.imported']));
    const analysts = JSON.parse(await runVeilOk(['audit', 'show', '--dir', dir, '--kind', 'analyst.', '--limit', '1', '--json'])) as typeof all;
    expect(analysts).toHaveLength(1);
    expect(analysts[0]?.kind).toMatch(/^analyst\./);
    const future = await runVeilOk(['audit', 'show', '--dir', dir, '--since', '2199-01-01']);
    expect(future).toBe('(no audit entries match)\n');
    const text = await runVeilOk(['audit', 'show', '--dir', dir, '--limit', '2']);
    expect(text.trim().split('\n')).toHaveLength(2);
    const unknown = await runVeil(['audit', 'show', '--dir', dir, '--kind', 'nonsense']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error \[bad_request\]: --kind nonsense: no such kind of audit entry\n {2}fix: the kinds are .*records\.imported/);
    const badTime = await runVeil(['audit', 'show', '--dir', dir, '--since', 'yesterday']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('yesterday is not a date or time');
  });
});
