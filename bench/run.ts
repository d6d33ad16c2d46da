/**
 * `npm run bench -- <psi|bio|all> [--full] [--quick]`: Veil's benchmarks. Nothing here asserts a
 * timing; every figure is printed beside its baseline and target and written to `bench/results/`.
 *
 * - `psi`: OPRF throughput, index build rate, end-to-end blind queries with 10 nodes, coordinator
 *   fan-out to 195 members (bench/psi.ts, docs/benchmarks.md). `--quick` runs smaller counts (a smoke
 *   test, figures are noisier); `--full` adds the end-to-end run with every party as its own process.
 * - `bio`: encrypted biometric search (bench/bio.ts), `--full` for the large gallery sizes.
 * - `sim`: `veil sim run` at 195 countries against 5 (bench/sim.ts), `--full` for the scale target.
 * - `import`: 10^6 synthetic records imported into a node and published to a coordinator, records/s
 *   (bench/import.ts); `--quick` imports 50,000.
 * - `failover`: SIGKILL of the leading instance of a replicated coordinator on PostgreSQL, time until
 *   queries are answered again (bench/failover.ts); `--quick` runs one round.
 */
import { runPsiBench } from './psi.ts';

const USAGE = 'usage: npm run bench -- <psi|bio|names|network|import|failover|sim|all> [--full] [--quick] [--targets=N (network only)]';

async function runBio(full: boolean): Promise<void> {
  // Loaded on demand: the biometric benchmark is developed separately and must not break `psi`.
  let mod: { runBioBench?: (opts: { full: boolean }) => Promise<unknown> };
  try {
    mod = (await import('./bio.ts')) as typeof mod;
  } catch (e) {
    throw new Error(`bench/bio.ts could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof mod.runBioBench !== 'function') throw new Error('bench/bio.ts does not export runBioBench');
  await mod.runBioBench({ full });
}

async function main(argv: string[]): Promise<number> {
  const targetsArg = argv.find((a) => a.startsWith('--targets='));
  const targets = targetsArg ? Number(targetsArg.slice('--targets='.length)) : undefined;
  if (targets !== undefined && !(Number.isInteger(targets) && targets >= 1 && targets <= 194)) {
    console.error(`--targets must be a whole number from 1 to 194 (got ${targetsArg})`);
    return 2;
  }
  const flags = new Set(argv.filter((a) => a.startsWith('--') && a !== targetsArg));
  const words = argv.filter((a) => !a.startsWith('--'));
  const unknown = [...flags].filter((f) => !['--full', '--quick', '--help'].includes(f));
  if (flags.has('--help') || unknown.length > 0 || words.length > 1) {
    console.error(USAGE);
    return flags.has('--help') ? 0 : 2;
  }
  const which = words[0] ?? 'psi';
  const full = flags.has('--full');
  const quick = flags.has('--quick');
  switch (which) {
    case 'psi':
      await runPsiBench({ quick, full });
      return 0;
    case 'bio':
      await runBio(full);
      return 0;
    case 'network':
      await (await import('./network.ts')).runNetworkBench({ quick, ...(targets ? { targets } : {}) });
      return 0;
    case 'names':
      await (await import('./names.ts')).runNamesBench({ quick });
      return 0;
    case 'sim':
      await (await import('./sim.ts')).runSimBench({ quick, full });
      return 0;
    case 'import':
      await (await import('./import.ts')).runImportBench({ quick });
      return 0;
    case 'failover':
      await (await import('./failover.ts')).runFailoverBench({ quick });
      return 0;
    case 'all':
      await runPsiBench({ quick, full });
      await runBio(full);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
