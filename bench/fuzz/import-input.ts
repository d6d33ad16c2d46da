/**
 * The import entry under fuzz: files of one to three mutated records (the JSON structure mutated, or
 * the line's bytes damaged), as NDJSON or CSV, imported into a real node directory. A file is answered
 * when the import returns its report or refuses with a typed error; anything else thrown is `untyped`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importFile } from '#node';
import { asVeilError, VeilError } from '#protocol';
import { mutateBytes, mutateTree, type Rng } from './mutate.ts';
import { ANSWER_MS, answerOrHang, type Outcome } from './ws.ts';

export const IMPORT_SEED = {
  id: 'fz-1',
  kind: 'person',
  dataset: 'wanted-persons',
  handling: 'confidential',
  person: { family: 'Weber', given: 'Karl', dob: '1966-06-06' },
};

function line(rng: Rng): string {
  if (rng.chance(0.3)) return Buffer.from(mutateBytes(Buffer.from(JSON.stringify(IMPORT_SEED)), rng)).toString('utf8');
  let v: unknown = IMPORT_SEED;
  for (let i = 0, n = 1 + rng.int(3); i < n; i++) v = mutateTree(v, rng);
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return '{';
  }
}

export async function importInput(rng: Rng, dir: string, scratch: string, n: number): Promise<Outcome> {
  const csv = rng.chance(0.15);
  const file = join(scratch, `fuzz-${n}.${csv ? 'csv' : 'ndjson'}`);
  const lines = Array.from({ length: 1 + rng.int(3) }, () => line(rng));
  const text = csv ? `id,kind,dataset,handling,family,given,dob\n${lines.map((l) => l.replace(/[{}"]/g, '')).join('\n')}\n` : `${lines.join('\n')}\n`;
  writeFileSync(file, text);
  const run = importFile(dir, file, { workers: 1, skipInvalid: rng.chance(0.5), format: csv ? 'csv' : 'ndjson' }).then(
    (r): Outcome => ({ code: r.written ? 'ok' : 'invalid_import' }),
    (e: unknown): Outcome => ({ code: e instanceof VeilError ? asVeilError(e).code : 'untyped' }),
  );
  // An import is a file job, not a frame: it gets more time than a frame before it counts as a hang.
  return answerOrHang(run, 5 * ANSWER_MS);
}
