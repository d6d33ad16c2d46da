/**
 * The text form of a blind query's result: one line per asked country with the strength of its hit in
 * words, each hit as the `--hit COUNTRY:TOKEN` argument `veil disclose` takes, and a closing sentence
 * that says what the answer means — also when nothing was found, with how many countries were asked.
 */
import type { CountryResult, QueryResult } from '#sdk';

const STATUS_WORDS: Record<CountryResult['status'], string> = {
  hit: 'HIT',
  'no-hit': 'no hit',
  refused: 'refused',
  unavailable: 'not connected',
  timeout: 'no answer in time',
  error: 'error',
};

export function formatQuery(r: QueryResult): string {
  const lines = [`query ${r.queryId} (keys: ${[...new Set(r.classes)].join(', ')})`];
  for (const c of r.results) {
    const head = `  ${c.country}  ${STATUS_WORDS[c.status]}`;
    if (c.status === 'hit') {
      lines.push(`${head}: ${c.match ? `${c.match.words} (${c.match.strength})` : ''}`.trimEnd());
      for (const h of c.hits) lines.push(`      --hit ${c.country}:${h.token}  ${h.match.words}`);
    } else if (c.code || c.refusedClasses.length) {
      lines.push(`${head} (${c.code ?? `not answered for: ${c.refusedClasses.join(', ')}`})`);
    } else lines.push(head);
  }
  lines.push(summary(r));
  return lines.join('\n');
}

/** One sentence on the whole answer. */
export function summary(r: QueryResult): string {
  const n = r.results.length;
  const countries = (k: number) => `${k} ${k === 1 ? 'country' : 'countries'}`;
  if (n === 0) return 'No country was asked: the network has no other member yet (see `veil status`).';
  const hits = r.results.filter((c) => c.status === 'hit');
  const answered = r.results.filter((c) => c.status === 'hit' || c.status === 'no-hit');
  const silent = r.results.filter((c) => c.status !== 'hit' && c.status !== 'no-hit');
  const unanswered =
    silent.length > 0 ? `; ${countries(silent.length)} did not answer (${silent.map((c) => `${c.country}: ${STATUS_WORDS[c.status]}`).join(', ')})` : '';
  if (hits.length > 0) {
    return `${hits.length} of ${countries(n)} asked ${hits.length === 1 ? 'holds' : 'hold'} a match${unanswered}. To learn who it is, ask the owner: veil disclose --hit COUNTRY:TOKEN …`;
  }
  if (answered.length === 0) return `No answer: none of the ${countries(n)} asked could answer${unanswered}.`;
  return `No hit: none of the ${countries(answered.length)} that answered holds this (${countries(n)} asked${unanswered}).`;
}
