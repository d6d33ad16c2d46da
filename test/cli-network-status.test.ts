/**
 * Nodes and the analyst's command explain themselves on a real network of processes (coordinator, FR
 * and DE through the CLI): `veil status` with the members online, a second process on a node directory
 * (and on the coordinator's) refused with the first's pid, a port in use naming the listener and the setting, a config file's
 * console port, a node whose coordinator is unreachable retrying with the reason and its analysts told
 * so (exit 3), an empty answer in words with the number of countries asked, the requester's own country
 * in --targets refused, hit strength in words, --date-order and --sex passed to the match keys.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCrypto } from '#crypto';
import {
  type Daemon,
  DEV_ORG_PASSPHRASE,
  getJson,
  type LocalNetwork,
  REPO_ROOT,
  runVeil,
  runVeilOk,
  startDaemon,
  startLocalNetwork,
  waitFor,
} from '#simulations';

const nd = (rs: object[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;
const ivanov = {
  id: 'de-p-1',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'restricted',
  person: { family: 'Иванов', given: 'Владимир', dob: '1979-05-03', sex: 'M' },
};
const Q = ['--case', 'T-2026-9', '--legal-basis', 'art-3', '--purpose', 'wanted-person'];
interface Status {
  running: { pid: number } | null;
  live: {
    pid: number;
    consoleUrl: string;
    coordinator: { connected: boolean; attempts: number; reason?: string };
    online: string[] | null;
    members: string[];
  } | null;
}

describe('nodes and queries that explain themselves', () => {
  let net: LocalNetwork;
  let cred: string;
  const extra: Daemon[] = [];
  let scratch: string;

  beforeAll(async () => {
    await initCrypto();
    scratch = mkdtempSync(join(tmpdir(), 'veil-status-'));
    // The README's walk-through data (docs/examples/network/), with one more record at DE.
    const examples = join(REPO_ROOT, 'docs', 'examples', 'network');
    net = await startLocalNetwork([
      { country: 'FR', records: readFileSync(join(examples, 'fr.csv'), 'utf8'), recordsExt: 'csv' },
      { country: 'DE', records: readFileSync(join(examples, 'de.ndjson'), 'utf8') + nd([ivanov]) },
    ]);
    await net.settled();
    cred = await net.addAnalyst('FR', 'Claire Test');
  });

  afterAll(async () => {
    for (const d of extra) await d.stop();
    await net?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const connectedCount = async () =>
    ((await getJson(`${net.coordinator.info.url}/v1/health`, readFileSync(join(net.orgDir, 'ca.pem'), 'utf8'))) as { connected: number }).connected;
  const query = (args: string[], c = cred) => runVeil(['query', '--cred', c, ...Q, ...args]);

  it('veil status shows the process, the coordinator link and the members online', async () => {
    const s = JSON.parse(await runVeilOk(['status', '--dir', net.nodeDir('FR'), '--json'])) as Status;
    expect(s.running?.pid).toBe(net.nodes.get('FR')?.daemon.proc.pid);
    expect(s.live?.coordinator).toMatchObject({ connected: true, attempts: 0 });
    expect(s.live?.online?.sort()).toEqual(['DE', 'FR']);
    expect(s.live?.members).toEqual(expect.arrayContaining(['DE', 'FR']));
    const text = await runVeilOk(['status', '--dir', net.nodeDir('DE')]);
    expect(text).toMatch(/coordinator {2}wss:\/\/\S+: connected/);
    expect(text).toMatch(/online now {3}DE, FR/);
    expect(text).toMatch(/records {6}5\n/);
  });

  it('a second process on a running node directory is refused, naming the first one’s pid', async () => {
    const pid = net.nodes.get('DE')?.daemon.proc.pid;
    const r = await runVeil(['node', 'start', '--dir', net.nodeDir('DE')]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      `error [conflict]: ${net.nodeDir('DE')} is in use by process ${pid} (a node started ${r.stderr.match(/started (\S+)\)/)?.[1]})`,
    );
    expect(r.stderr).toContain(`fix: stop that process first (kill ${pid})`);
    // The running node was not disturbed.
    const s = JSON.parse(await runVeilOk(['status', '--dir', net.nodeDir('DE'), '--json'])) as Status;
    expect(s.live?.coordinator.connected).toBe(true);
    // The coordinator's directory likewise; a wrong setting in the environment names the variable.
    const coord = await runVeil(['coordinator', 'start', '--dir', net.coordinatorDir]);
    expect(coord.code).toBe(1);
    expect(coord.stderr.split('\n')[0]).toContain(
      `error [conflict]: ${net.coordinatorDir} is in use by process ${net.coordinator.proc.pid} (a coordinator started`,
    );
    const env = await runVeil(['coordinator', 'start', '--dir', net.coordinatorDir], { env: { VEIL_COORDINATOR_PORT: 'seventy' } });
    expect([env.code, env.stderr]).toEqual([1, 'error [bad_config]: VEIL_COORDINATOR_PORT=seventy: not a number\n']);
    expect(await connectedCount()).toBe(2);
  });

  it('a port in use names the listener and the setting; a config file moves the console to a fixed port', async () => {
    const de = net.nodes.get('DE');
    await de?.daemon.stop();
    const stopped = await runVeilOk(['status', '--dir', net.nodeDir('DE')]);
    expect(stopped).toContain('not running (start it with `veil node start --dir');
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const busyPort = (busy.address() as { port: number }).port;
    try {
      const r = await runVeil(['node', 'start', '--dir', net.nodeDir('DE'), '--port', String(busyPort)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `error [bad_config]: the node's analyst API cannot listen on 127.0.0.1:${busyPort}: the port is in use by another program\n` +
          '  fix: choose another port: --port at start, "port" in node.json or a config file, or VEIL_NODE_PORT\n',
      );
    } finally {
      busy.close();
    }
    const file = join(scratch, 'de.json');
    const consolePort = 20_000 + Math.floor(Math.random() * 10_000);
    writeFileSync(file, JSON.stringify({ adminPort: consolePort }));
    const daemon = await startDaemon(['node', 'start', '--dir', net.nodeDir('DE'), '--config', file], join(net.nodeDir('DE'), 'run.json'));
    extra.push(daemon);
    if (de) net.nodes.set('DE', { dir: de.dir, daemon });
    await net.settled();
    const s = JSON.parse(await runVeilOk(['status', '--dir', net.nodeDir('DE'), '--json'])) as Status;
    expect(s.live?.consoleUrl).toBe(`https://127.0.0.1:${consolePort}`);
  });

  it('a node whose coordinator is unreachable retries, logging why and the fix; its analysts are told so (exit 3)', async () => {
    const dir = join(scratch, 'it');
    await runVeilOk([
      'node',
      'init',
      '--country',
      'IT',
      '--dir',
      dir,
      '--bundle',
      net.bundle,
      '--coordinator',
      'wss://127.0.0.1:9/v1/ws',
      '--port',
      '0',
      '--admin-port',
      '0',
    ]);
    const cert = join(scratch, 'it-cert.json');
    const env = { VEIL_ORG_PASSPHRASE: DEV_ORG_PASSPHRASE };
    await runVeilOk(['org', 'admit', 'IT', '--dir', net.orgDir, '--request', join(dir, 'request.json'), '--out', cert], { env });
    await runVeilOk(['node', 'enroll', '--dir', dir, '--cert', cert]);
    const lonely = await startDaemon(['node', 'start', '--dir', dir], join(dir, 'run.json'));
    extra.push(lonely);
    await waitFor('two failed attempts logged', () => (lonely.logs().match(/coordinator link down: the coordinator is unreachable/g) ?? []).length >= 2);
    expect(lonely.logs()).toMatch(/is it running \(`veil coordinator start`\) and is coordinatorUrl in node.json right\?; retrying/);
    const s = JSON.parse(await runVeilOk(['status', '--dir', dir, '--json'])) as Status;
    expect(s.live?.coordinator.connected).toBe(false);
    expect(s.live?.coordinator.attempts).toBeGreaterThanOrEqual(2);
    expect(s.live?.coordinator.reason).toContain('the coordinator is unreachable');
    expect(s.live?.online).toBeNull();
    const itCred = join(scratch, 'it.cred.json');
    await runVeilOk(['node', 'analyst', 'add', 'Marco Test', '--dir', dir, '--out', itCred]);
    const r = await query(['--doc', 'passport:ITA:YA1234567', '--json'], itCred);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: 'unavailable',
        message: 'your node is running but is not connected to the coordinator',
        fix: 'it reconnects by itself; `veil status --dir <node dir>` on its host says why it is not connected',
        exit: 3,
      },
    });
    await lonely.stop();
  });

  it('answers the README walk-through’s query with a hit in words, and its other examples too', async () => {
    const r = await query(['--name', 'Vladimir Ivanov', '--dob', '1979-05-21']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}DE {2}HIT: full name and date of birth \(strong\)$/m);
    expect(r.stdout).toMatch(/^1 of 1 country asked holds a match\. To learn who it is, ask the owner: veil disclose --hit COUNTRY:TOKEN …$/m);
    expect((await query(['--name', 'Muhamad Al Rashid', '--dob', '1985'])).stdout).toMatch(/DE {2}HIT: full name, same year of birth \(fair\)/);
    expect((await query(['--doc', 'passport:DEU:C01X00T47'])).stdout).toMatch(/DE {2}HIT: document number \(exact\)/);
    const deCred = await net.addAnalyst('DE', 'Dieter Test');
    expect((await query(['--name', 'Jürgen Schmidt', '--dob', '1966-11-04'], deCred)).stdout).toMatch(/FR {2}HIT: full name and date of birth/);
  });

  it('states an empty answer in words with the number of countries asked; the own country in --targets is refused', async () => {
    const none = await query(['--name', 'Jean Inconnu', '--dob', '1990-01-01']);
    expect(none.code).toBe(0);
    expect(none.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^query [0-9a-f]{32} \(keys: /),
      '  DE  no hit',
      'No hit: none of the 1 country that answered holds this (1 country asked).',
    ]);
    const own = await query(['--doc', 'passport:DEU:C01X00T47', '--targets', 'fr,DE']);
    expect(own.code).toBe(1);
    expect(own.stderr).toBe(
      "error [bad_request]: the targets include FR, the analyst's own country: Veil asks other member countries only\n  fix: leave FR out (DE)\n",
    );
  });

  it('says how strong a hit is, reads --date-order, keeps --sex apart, and names --dob in a date error', async () => {
    const full = await query(['--name', 'Vladimir Ivanov', '--dob', '1979-05-03']);
    expect(full.stdout).toMatch(/^ {2}DE {2}HIT: full name and date of birth \(strong\)$/m);
    const json = JSON.parse((await query(['--name', 'Vladimir Ivanov', '--dob', '1979', '--json'])).stdout) as {
      results: Array<{ country: string; match?: { cls: string; words: string; classes: string[] } }>;
    };
    expect(json.results[0]?.match).toMatchObject({ cls: 'name_yob', words: 'full name, same year of birth' });
    expect(json.results[0]?.match?.classes).toContain('name_yob');
    // 05/03/1979 is 3 May (the record's date) read month first, 5 March read day first: asked both ways,
    // the hit says which reading met; --date-order asks one.
    const both = await query(['--name', 'Vladimir Ivanov', '--dob', '05/03/1979']);
    expect(both.stdout).toMatch(/^ {2}DE {2}HIT: full name and date of birth \(date read month first\) \(strong\)$/m);
    const dmy = await query(['--name', 'Vladimir Ivanov', '--dob', '05/03/1979', '--date-order', 'dmy']);
    expect(dmy.stdout).toMatch(/^ {2}DE {2}no hit$/m);
    const mdy = await query(['--name', 'Vladimir Ivanov', '--dob', '05/03/1979', '--date-order', 'mdy']);
    expect(mdy.stdout).toMatch(/^ {2}DE {2}HIT: full name and date of birth \(strong\)$/m);
    // The record is a man's: the same name asked as a woman's does not meet it (--sex reaches the keys).
    const feminine = await query(['--name', 'Vladimir Ivanov', '--dob', '1979-05-03', '--sex', 'F']);
    expect(feminine.stdout).toMatch(/^ {2}DE {2}no hit$/m);
    const masculine = await query(['--name', 'Vladimir Ivanov', '--dob', '1979-05-03', '--sex', 'M']);
    expect(masculine.stdout).toMatch(/^ {2}DE {2}HIT: /m);
    const bad = await query(['--name', 'Vladimir Ivanov', '--dob', '31/31/1979']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error \[bad_request\]: --dob: .*accepted forms: /);
    const flag = await query(['--name', 'Vladimir Ivanov', '--dob', '1979', '--sex', 'X']);
    expect([flag.code, flag.stderr.split('\n')[0]]).toEqual([2, "error [usage]: option '--sex <sex>' argument 'X' is invalid. Allowed choices are M, F."]);
    expect(readFileSync(join(net.nodeDir('DE'), '.gitignore'), 'utf8')).toContain('*');
  });
});
