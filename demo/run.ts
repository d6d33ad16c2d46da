/**
 * `npm run demo`: a local Veil network of separate processes — a coordinator and three country nodes
 * (FR, DE, UA) on loopback, random free ports, a temporary directory — with synthetic data, then blind
 * queries by a French analyst through the real `veil query` command, printed as a transcript. Exits 0
 * after shutting everything down.
 */
import { syntheticRecords, toNdjson } from '#simulations';
import { startLocalNetwork, runVeil, type LocalNetwork } from '#simulations';

const say = (s = '') => process.stdout.write(s + '\n');
const hr = () => say('─'.repeat(78));

const deSpecial = [
  { id: 'de-sltd-1', kind: 'document', dataset: 'sltd', handling: 'restricted', documents: [{ type: 'passport', country: 'DEU', number: 'C01X00T47', status: 'stolen' }] },
  { id: 'de-wp-1', kind: 'person', dataset: 'wanted-persons', handling: 'restricted', person: { family: 'Al-Rashid', given: 'Mohammed', dob: '1985-03-14', nationality: 'JOR', sex: 'M' } },
  { id: 'de-sv-1', kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: 'WVWZZZ1KZ6W000123', make: 'Volkswagen', model: 'Golf', country: 'DEU' } },
];
const uaSpecial = [
  { id: 'ua-wp-1', kind: 'person', dataset: 'wanted-persons', handling: 'confidential', person: { family: 'Иванов', given: 'Владимир', dob: '21.05.1979', nationality: 'UKR', sex: 'M' } },
  { id: 'ua-sv-1', kind: 'vehicle', dataset: 'stolen-vehicles', handling: 'official-use', vehicle: { vin: 'WVWZZZ1KZ6W000123', make: 'Volkswagen', country: 'UKR' } },
];

interface Step {
  title: string;
  args: string[];
  explain: string;
}

async function main(): Promise<void> {
  const started = Date.now();
  say('Veil demo: a coordinator and three country nodes (FR, DE, UA), each a separate process on loopback.');
  hr();
  say('Setting up: init, synthetic data import, admission, start …');
  const net: LocalNetwork = await startLocalNetwork([
    { country: 'FR', records: toNdjson(syntheticRecords({ seed: 1, country: 'FR', country3: 'FRA', persons: 1000, vehicles: 200 })) },
    { country: 'DE', records: toNdjson([...syntheticRecords({ seed: 2, country: 'DE', country3: 'DEU', persons: 1500, vehicles: 300 }), ...deSpecial]) },
    {
      country: 'UA',
      records: toNdjson([...syntheticRecords({ seed: 3, country: 'UA', country3: 'UKR', persons: 1500, vehicles: 300 }), ...uaSpecial]),
      // UA answers only searches for wanted persons and terrorism cases.
      policy: {
        v: 1,
        answer: [{ requesters: ['*'], purposes: ['wanted-person', 'counter-terrorism'], classes: ['*'] }],
        budgets: { dailyEvaluations: 100000, perRequester: {} },
      },
    },
  ]);
  let failed = false;
  try {
    say(`  data in ${net.root}`);
    say(`  coordinator ${net.coordinator.info.url}; nodes ${[...net.nodes].map(([c, n]) => `${c} ${n.daemon.info.url}`).join(', ')}`);
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
      },
      {
        title: 'Name across scripts: "Vladimir Ivanov", born 21 May 1979 (Latin spelling, ISO date)',
        args: [...base, '--purpose', 'wanted-person', '--name', 'Vladimir Ivanov', '--dob', '1979-05-21'],
        explain: 'UA holds "Владимир Иванов", 21.05.1979, in Cyrillic: both normalize to the same match key.',
      },
      {
        title: 'Phonetic hit: "Muhamad Alrashid", born 1985 (a different spelling and day)',
        args: [...base, '--purpose', 'wanted-person', '--name', 'Muhamad Alrashid', '--dob', '1985-11-02'],
        explain: 'DE holds "Mohammed Al-Rashid", 1985-03-14: only the weak phonetic + year-of-birth class matches.',
      },
      {
        title: 'Refusal by policy: a stolen vehicle search (purpose stolen-property), bucket lookups',
        args: [...base, '--purpose', 'stolen-property', '--vin', 'WVWZZZ1KZ6W000123', '--bucket'],
        explain: "DE answers and hits; UA's policy answers only wanted-person and counter-terrorism searches, so it refuses.",
      },
      {
        title: 'No hit: "Jean Inconnu", born 1990-01-01',
        args: [...base, '--purpose', 'criminal-investigation', '--name', 'Jean Inconnu', '--dob', '1990-01-01', '--targets', 'DE'],
        explain: 'Nobody holds this person (asked of DE only; UA would refuse this purpose).',
      },
    ];
    for (const [i, s] of steps.entries()) {
      say(`${i + 1}. ${s.title}`);
      say(`   $ veil ${s.args.filter((a) => a !== '--json').map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
      const t0 = performance.now();
      const r = await runVeil(s.args);
      const ms = performance.now() - t0;
      if (r.code !== 0) {
        failed = true;
        say(`   FAILED: ${r.stderr.trim()}`);
        continue;
      }
      const res = JSON.parse(r.stdout) as { queryId: string; classes: string[]; results: Array<{ country: string; status: string; code?: string; hits: Array<{ cls: string; token: string }> }> };
      for (const c of res.results) {
        const detail =
          c.status === 'hit' ? c.hits.map((h) => `${h.cls} (hit token ${h.token.slice(0, 12)}…)`).join(', ') : c.code ? `(${c.code})` : '';
        say(`   ${c.country}: ${c.status.toUpperCase().padEnd(7)} ${detail}`.trimEnd());
      }
      say(`   → ${s.explain}`);
      say(`   (${ms.toFixed(0)} ms including CLI start-up; the analyst learned hit/no-hit per country and class, no identity)`);
      say();
    }
    hr();
    say('What each party saw:');
    say('  FR analyst: per country hit / no hit / refused, with opaque hit tokens; no identity.');
    say('  FR node (gateway): the analyst\'s signed request with blinded elements only; it re-signed and forwarded it.');
    say('  Coordinator: blinded elements it cannot unblind, tags (exact mode) or 2-byte prefixes (bucket mode);');
    say('               its audit log holds query ids, countries, counts and statuses, nothing else.');
    say('  DE / UA nodes: blinded elements to evaluate (never the identifier), purpose and legal basis to apply policy.');
    for (const dir of [net.coordinatorDir, ...[...net.nodes.values()].map((n) => n.dir)]) {
      const v = await runVeil(['audit', 'verify', '--dir', dir]);
      say(`  audit ${dir.split('/').pop()}: ${v.stdout.trim() || v.stderr.trim()}`);
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
