/**
 * `npm run demo`: a local Veil network of separate processes — a coordinator and three country nodes
 * (FR, DE, UA) on loopback, random free ports, a temporary directory — with synthetic data, then blind
 * queries by a French analyst through the real `veil query` command, printed as a transcript. Exits 0
 * after shutting everything down.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteCoordinatorStore } from '#coordinator';
import { type LocalNetwork, runVeil, startLocalNetwork, syntheticRecords, toNdjson } from '#simulations';

const say = (s = '') => process.stdout.write(`${s}\n`);
const hr = () => say('─'.repeat(78));

const deSpecial = [
  {
    id: 'de-sltd-1',
    kind: 'document',
    dataset: 'sltd',
    handling: 'restricted',
    documents: [{ type: 'passport', country: 'DEU', number: 'C01X00T47', status: 'stolen' }],
  },
  {
    id: 'de-wp-1',
    kind: 'person',
    dataset: 'wanted-persons',
    handling: 'restricted',
    person: { family: 'Al-Rashid', given: 'Mohammed', dob: '1985-03-14', nationality: 'JOR', sex: 'M' },
  },
  {
    id: 'de-sv-1',
    kind: 'vehicle',
    dataset: 'stolen-vehicles',
    handling: 'official-use',
    vehicle: { vin: 'WVWZZZ1KZ6W000123', make: 'Volkswagen', model: 'Golf', country: 'DEU' },
  },
];
const uaSpecial = [
  {
    id: 'ua-wp-1',
    kind: 'person',
    dataset: 'wanted-persons',
    handling: 'confidential',
    person: { family: 'Иванов', given: 'Владимир', dob: '21.05.1979', nationality: 'UKR', sex: 'M' },
  },
  {
    id: 'ua-sv-1',
    kind: 'vehicle',
    dataset: 'stolen-vehicles',
    handling: 'official-use',
    vehicle: { vin: 'WVWZZZ1KZ6W000123', make: 'Volkswagen', country: 'UKR' },
  },
];

interface Step {
  title: string;
  args: string[];
  explain: string;
  /** What each country must answer: a status, and for a hit the strongest class that met. The demo fails otherwise. */
  expect: Record<string, 'no-hit' | 'refused' | { hit: string }>;
}

async function main(): Promise<void> {
  const started = Date.now();
  say('Veil demo: a coordinator and three country nodes (FR, DE, UA), each a separate process on loopback.');
  hr();
  say('Setting up: init, synthetic data import, admission, start …');
  const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
  const net: LocalNetwork = await startLocalNetwork(
    [
      { country: 'FR', records: toNdjson(syntheticRecords({ seed: 1, country: 'FR', country3: 'FRA', persons: 200, vehicles: 50 })) },
      {
        country: 'DE',
        records: toNdjson([...syntheticRecords({ seed: 2, country: 'DE', country3: 'DEU', persons: 300, vehicles: 75 }), ...deSpecial]),
        // DE releases the vehicle details of stolen vehicles without an officer; everything else waits.
        policy: {
          v: 1,
          answer: [{ requesters: ['*'], purposes: ['*'], classes: ['*'] }],
          budgets: { dailyEvaluations: 100000, perRequester: {} },
          disclosure: {
            deadlineHours: 48,
            autoApprove: [{ datasets: ['stolen-vehicles'], requesters: ['*'], purposes: ['*'], fields: ['vehicle', 'dataset'] }],
          },
        },
      },
      {
        country: 'UA',
        records: toNdjson([...syntheticRecords({ seed: 3, country: 'UA', country3: 'UKR', persons: 300, vehicles: 75 }), ...uaSpecial]),
        // UA answers only searches for wanted persons and terrorism cases.
        policy: {
          v: 1,
          answer: [{ requesters: ['*'], purposes: ['wanted-person', 'counter-terrorism'], classes: ['*'] }],
          budgets: { dailyEvaluations: 100000, perRequester: {} },
        },
      },
    ],
    { onStep: (what) => say(`  [${since(started)}] ${what}`) },
  );
  let failed = false;
  try {
    say(`  data in ${net.root}`);
    say(`  coordinator ${net.coordinator.info.url}; nodes ${[...net.nodes].map(([c, n]) => `${c} ${n.daemon.info.url}`).join(', ')}`);
    say(`  [${since(started)}] waiting for every node to connect and publish its index`);
    await net.settled();
    say('  all three nodes connected and their PSI indexes published (tags + opaque hit tokens only).');
    const cred = await net.addAnalyst('FR', 'Claire Analyst');
    say(`  analyst credential issued by the FR node: ${cred}`);
    hr();

    const base = ['query', '--cred', cred, '--case', 'FR-2026-0042', '--legal-basis', 'art-3-rpd', '--json'];
    const steps: Step[] = [
      {
        title: 'Exact document hit: is German passport C01X00T47 known anywhere?',
        args: [...base, '--purpose', 'wanted-person', '--doc', 'passport:DEU:C01X00T47'],
        explain: 'DE holds it in its stolen/lost travel documents dataset.',
        expect: { DE: { hit: 'doc' }, UA: 'no-hit' },
      },
      {
        title: 'Name across scripts: "Vladimir Ivanov", born 21 May 1979 (Latin spelling, ISO date)',
        args: [...base, '--purpose', 'wanted-person', '--name', 'Vladimir Ivanov', '--dob', '1979-05-21'],
        explain: 'UA holds "Владимир Иванов", 21.05.1979, in Cyrillic: both normalize to the same match key.',
        expect: { DE: 'no-hit', UA: { hit: 'name_dob' } },
      },
      {
        title: 'Another spelling, only the year known: "Muhamad Al Rashid", born 1985',
        args: [...base, '--purpose', 'wanted-person', '--name', 'Muhamad Al Rashid', '--dob', '1985'],
        explain:
          'DE holds "Mohammed Al-Rashid", born 1985-03-14: Muhamad and Mohammed are romanisations of one Arabic name, the article Al is spaced or hyphenated; with only a year the hit is weaker.',
        expect: { DE: { hit: 'name_yob' }, UA: 'no-hit' },
      },
      {
        title: 'A wrong day is not a hit: "Muhamad Al Rashid", born 1985-11-02',
        args: [...base, '--purpose', 'wanted-person', '--name', 'Muhamad Al Rashid', '--dob', '1985-11-02'],
        explain: 'A full date of birth must meet the record’s; searching with the year alone (--dob 1985, step 3) finds it.',
        expect: { DE: 'no-hit', UA: 'no-hit' },
      },
      {
        title: 'Refusal by policy: a stolen vehicle search (purpose stolen-property), bucket lookups',
        args: [...base, '--purpose', 'stolen-property', '--vin', 'WVWZZZ1KZ6W000123', '--bucket'],
        explain: "DE answers and hits; UA's policy answers only wanted-person and counter-terrorism searches, so it refuses.",
        expect: { DE: { hit: 'vehicle' }, UA: 'refused' },
      },
      {
        title: 'No hit: "Jean Inconnu", born 1990-01-01',
        args: [...base, '--purpose', 'criminal-investigation', '--name', 'Jean Inconnu', '--dob', '1990-01-01', '--targets', 'DE'],
        explain: 'Nobody holds this person (asked of DE only; UA would refuse this purpose).',
        expect: { DE: 'no-hit' },
      },
    ];
    // The six searches go out side by side (as an analyst's tool would send them); their answers are
    // shown one by one. Each time below is that search's own, CLI start-up included.
    const timed = await Promise.all(
      steps.map(async (s) => {
        const t0 = performance.now();
        const r = await runVeil(s.args);
        return { r, ms: performance.now() - t0 };
      }),
    );
    /** Full hit tokens by country, per step, for the disclosure requests below. */
    const tokens: Array<Map<string, string>> = [];
    for (const [i, s] of steps.entries()) {
      tokens[i] = new Map();
      say(`${i + 1}. ${s.title}`);
      say(
        `   $ veil ${s.args
          .filter((a) => a !== '--json')
          .map((a) => (/\s/.test(a) ? JSON.stringify(a) : a))
          .join(' ')}`,
      );
      const { r, ms } = timed[i]!;
      if (r.code !== 0) {
        failed = true;
        say(`   FAILED: ${r.stderr.trim()}`);
        continue;
      }
      const res = JSON.parse(r.stdout) as {
        queryId: string;
        classes: string[];
        results: Array<{
          country: string;
          status: string;
          code?: string;
          hits: Array<{ cls: string; token: string }>;
          match?: { cls: string; strength: string; words: string };
        }>;
      };
      for (const c of res.results) {
        const h = c.hits.find((x) => x.cls !== 'phonetic_yob') ?? c.hits[0];
        if (c.status === 'hit' && h) tokens[i]?.set(c.country, h.token);
        const detail =
          c.status === 'hit' && c.match ? `${c.match.words} (${c.match.strength}; hit token ${c.hits[0]?.token.slice(0, 12)}…)` : c.code ? `(${c.code})` : '';
        say(`   ${c.country}: ${c.status.toUpperCase().padEnd(7)} ${detail}`.trimEnd());
      }
      // Each country's answer in one word (`hit:name_yob`, `no-hit`, `refused`), against the expectation.
      const word = (e: Step['expect'][string]) => (typeof e === 'string' ? e : `hit:${e.hit}`);
      const got = res.results.map((c) => `${c.country}=${c.status === 'hit' ? `hit:${c.match?.cls}` : c.status}`).sort();
      const want = Object.entries(s.expect)
        .map(([c, e]) => `${c}=${word(e)}`)
        .sort();
      if (got.join(' ') !== want.join(' ')) {
        failed = true;
        say(`   UNEXPECTED: expected ${want.join(' ')}, got ${got.join(' ')}`);
      }
      say(`   → ${s.explain}`);
      say(`   (${ms.toFixed(0)} ms including CLI start-up; the analyst learned hit/no-hit per country and class, no identity)`);
      say();
    }
    hr();
    say("Disclosure: identity only on the owning country's approval.");
    const hits = new Map<string, string>();
    // The hit tokens of steps 1, 2 and 5 name the records asked for. Independent steps run side by side
    // (the analyst's three requests; the two owners' accounts, then their decisions): the demo waits for
    // the network, not for itself.
    for (const [key, step, country] of [
      ['passport', 0, 'DE'],
      ['ivanov', 1, 'UA'],
      ['vin', 4, 'DE'],
    ] as const) {
      const token = tokens[step]?.get(country);
      if (token) hits.set(key, `${country}:${token}`);
    }
    const disclose = async (key: string, claim: string[], fields: string, why: string, purpose = 'wanted-person') => {
      const r = await runVeil([
        'disclose',
        '--cred',
        cred,
        '--hit',
        hits.get(key)!,
        ...claim,
        '--purpose',
        purpose,
        '--case',
        'FR-2026-0042',
        '--legal-basis',
        'art-3-rpd',
        '--fields',
        fields,
        '--justification',
        why,
        '--json',
      ]);
      if (r.code !== 0) throw new Error(`disclose failed: ${r.stderr}`);
      return (JSON.parse(r.stdout) as { id: string }).id;
    };
    const [pass, ivan, vin] = await Promise.all([
      disclose('passport', ['--doc', 'passport:DEU:C01X00T47'], 'documents,dataset,name', 'Passport presented at CDG by a traveller under investigation.'),
      disclose(
        'ivanov',
        ['--name', 'Vladimir Ivanov', '--dob', '1979-05-21'],
        'name,dob,nationality',
        'Match in an organised-crime case; needs identity confirmation.',
      ),
      disclose('vin', ['--vin', 'WVWZZZ1KZ6W000123'], 'vehicle,name', 'Vehicle stopped at the border.', 'stolen-property'),
    ]);
    say(`  FR analyst sent three requests (claim and justification sealed to each owner): ${[pass, ivan, vin].map((x) => x.slice(0, 8)).join(', ')}`);
    const asOwner = { env: { VEIL_OWNER_PASSWORD: 'demo-password-not-for-production' } };
    const ownerId = async (c: string, name: string) => {
      const r = await runVeil(['node', 'owner', 'add', name, '--dir', net.nodeDir(c)], asOwner);
      return /data owner (\S+) created/.exec(r.stdout)?.[1] ?? 'unknown';
    };
    const pendingAt = async (c: string) =>
      JSON.parse((await runVeil(['approvals', 'list', '--dir', net.nodeDir(c), '--all', '--json'])).stdout) as Array<{
        id: string;
        status: string;
        decidedBy: string | null;
        requester: string;
        purpose: string;
        legalBasis: string;
        fields: string[];
      }>;
    const wait = async (f: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await f()); i++) await new Promise((r) => setTimeout(r, 100));
    };
    // The owners' accounts are made while the requests travel.
    const owners = Promise.all([ownerId('DE', 'Petra Vogel'), ownerId('UA', 'Olena Shevchenko')]);
    let seen: Record<string, Awaited<ReturnType<typeof pendingAt>>> = {};
    await wait(async () => {
      const [de, ua] = await Promise.all([pendingAt('DE'), pendingAt('UA')]);
      seen = { DE: de, UA: ua };
      return de.length >= 2 && ua.length >= 1;
    });
    for (const c of ['DE', 'UA']) {
      for (const p of seen[c] ?? []) {
        say(
          `  ${c} data owner sees request ${p.id.slice(0, 8)} from ${p.requester}: purpose ${p.purpose}, basis ${p.legalBasis}, fields ${p.fields.join(',')} → ${p.status}${p.decidedBy ? ` (by ${p.decidedBy})` : ''}`,
        );
      }
    }
    const [deOwner, uaOwner] = await owners;
    say(`  data-owner accounts: ${deOwner} at DE, ${uaOwner} at UA (they could equally decide in the approval console)`);
    say(`  $ veil approvals approve <id> --dir node-DE --fields documents,dataset --owner ${deOwner}   (name withheld)`);
    say(`  $ veil approvals deny <id> --dir node-UA --reason "…" --owner ${uaOwner}`);
    await Promise.all([
      runVeil(['approvals', 'approve', pass, '--dir', net.nodeDir('DE'), '--fields', 'documents,dataset', '--owner', deOwner], asOwner),
      runVeil(
        [
          'approvals',
          'deny',
          ivan,
          '--dir',
          net.nodeDir('UA'),
          '--reason',
          'Not within the legal basis cited; contact our bureau through MLA.',
          '--owner',
          uaOwner,
        ],
        asOwner,
      ),
    ]);
    let outcome: Array<{ id: string; status: string; released?: { fields?: Record<string, unknown> } }> = [];
    await wait(async () => {
      outcome = JSON.parse((await runVeil(['disclosures', '--cred', cred, '--json'])).stdout) as typeof outcome;
      return outcome.length === 3 && outcome.every((d) => d.status !== 'sent' && d.status !== 'pending');
    });
    say('  $ veil disclosures --cred <FR analyst>');
    const list = await runVeil(['disclosures', '--cred', cred]);
    for (const line of list.stdout.trim().split('\n')) say(`    ${line}`);
    const byId = new Map(outcome.map((d) => [d.id, d]));
    const okDisclosure =
      byId.get(pass)?.status === 'approved' &&
      JSON.stringify(Object.keys(byId.get(pass)?.released?.fields ?? {}).sort()) === JSON.stringify(['dataset', 'documents']) &&
      byId.get(ivan)?.status === 'denied' &&
      byId.get(vin)?.status === 'approved' &&
      JSON.stringify(Object.keys(byId.get(vin)?.released?.fields ?? {})) === JSON.stringify(['vehicle']);
    if (!okDisclosure) {
      failed = true;
      say('  FAILED: disclosures did not end as expected');
    }
    say("  → one approved with a field subset (name withheld), one denied with a reason, one auto-approved by DE's policy (vehicle only).");
    hr();
    say('What each party saw:');
    say('  FR analyst: hit / no hit / refused per country with opaque tokens; then only the fields each owner released.');
    say('  FR node (gateway): blinded elements, tags, request metadata; the released records stay sealed to the analyst.');
    const coordDb = join(net.coordinatorDir, 'coordinator.db');
    say('  Coordinator: blinded elements, tags or 2-byte prefixes, and mailbox metadata; never an identifier,');
    say('               a claim, a justification or a released field. Its own database shows it:');
    const cs = new SqliteCoordinatorStore(coordDb);
    try {
      const mail = await cs.mailboxes.counts();
      const kinds = cs.db.prepare('SELECT kind, COUNT(*) AS n FROM audit_log GROUP BY kind ORDER BY kind').all() as Array<{ kind: string; n: number }>;
      say(`    mailbox: ${mail.delivered} delivered (ciphertexts deleted), ${mail.pending} pending`);
      say(`    audit entries by kind: ${kinds.map((k) => `${k.kind}×${k.n}`).join(', ')}`);
    } finally {
      await cs.close();
    }
    const secrets = ['C01X00T47', 'Ivanov', 'Иванов', 'Rashid', 'WVWZZZ1KZ6W000123', 'Passport presented', 'Not within the legal basis'];
    const files = [coordDb, `${coordDb}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
    const found = secrets.filter((x) => files.some((b) => b.includes(Buffer.from(x, 'utf8'))));
    say(
      `    searched its SQLite files for ${secrets.length} identifiers and texts of this demo: ${found.length === 0 ? 'none present' : `FOUND ${found.join(', ')}`}`,
    );
    if (found.length > 0) failed = true;
    // Control: the same search does find them where they belong (DE holds the record and the request).
    const deDb = join(net.nodeDir('DE'), 'node.db');
    const deFiles = [deDb, `${deDb}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
    const atDe = secrets.filter((x) => deFiles.some((b) => b.includes(Buffer.from(x, 'utf8'))));
    say(`    (control: the same search in DE's own database finds ${atDe.join(', ')})`);
    say('  DE / UA nodes: blinded elements to evaluate; for disclosures, the sealed claim (checked against the record) and justification.');
    const dirs = [net.coordinatorDir, ...[...net.nodes.values()].map((n) => n.dir)];
    const verified = await Promise.all(dirs.map((dir) => runVeil(['audit', 'verify', '--dir', dir])));
    for (const [i, v] of verified.entries()) {
      say(`  audit ${dirs[i]?.split('/').pop()}: ${v.stdout.trim() || v.stderr.trim()}`);
      if (v.code !== 0) failed = true;
    }
  } finally {
    await net.stop();
  }
  hr();
  say(`Network shut down cleanly after ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  if (failed) {
    say('Some steps FAILED (see above).');
    process.exitCode = 1;
  }
}

await main();
