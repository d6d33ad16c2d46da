/**
 * The text form of a blind query's result: one line per asked country, with each hit printed as the
 * `--hit COUNTRY:TOKEN` argument `veil disclose` takes.
 */
import type { QueryResult } from '#sdk';

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
