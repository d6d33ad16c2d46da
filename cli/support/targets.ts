/** `--targets FR,de, it`: the member countries to ask, as upper-case codes. */
import { CliError } from './errors.ts';

export function parseTargets(list: string): string[] {
  const targets = [...new Set(list.split(',').map((s) => s.trim().toUpperCase()))].filter((s) => s !== '');
  for (const t of targets) if (!/^[A-Z]{2}$/.test(t)) throw new CliError('bad_request', `--targets: ${t} is not a two-letter country code`);
  if (targets.length === 0) throw new CliError('bad_request', '--targets names no country');
  return targets;
}
