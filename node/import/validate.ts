/**
 * Pass 1 of `veil node import`: read the whole file and validate every line (biometric templates
 * included), collecting errors (line number and a value-free reason) and, for each record id, the line
 * of its last valid operation — the one that wins. Nothing is kept of the records themselves, so memory
 * grows with the number of ids, not with the size of the file; pass 2 reads the file again.
 */
import { BIO_MODALITIES, type BioModality, decodeTemplate, describeInvalid, type ImportOp } from '#protocol';
import { type ImportFormat, readImportFile } from './parse.ts';

export const MAX_REPORTED_ERRORS = 1000;

export interface Validation {
  /** Highest line number read. */
  lines: number;
  valid: number;
  invalid: number;
  errors: Array<{ line: number; reason: string }>;
  templatesNormalized: number;
  /** Record id → line of its last valid operation. */
  lastLine: Map<string, number>;
}

export function opId(op: ImportOp): string {
  return op.op === 'delete' ? op.id : op.record.id;
}

/** The templates of an upsert, decoded and checked; throws with a value-free reason. */
export function decodeTemplates(op: ImportOp): { templates: Map<BioModality, Float32Array>; normalized: number } | undefined {
  if (op.op !== 'upsert' || !op.record.biometrics) return undefined;
  const templates = new Map<BioModality, Float32Array>();
  let normalized = 0;
  for (const m of BIO_MODALITIES) {
    const v = op.record.biometrics[m];
    if (v === undefined) continue;
    const t = decodeTemplate(v, m);
    if (t.normalized) normalized++;
    templates.set(m, t.vector);
  }
  return { templates, normalized };
}

export async function validateFile(file: string, opts: { format?: ImportFormat; onLine?: (line: number) => void } = {}): Promise<Validation> {
  const v: Validation = { lines: 0, valid: 0, invalid: 0, errors: [], templatesNormalized: 0, lastLine: new Map() };
  for await (const item of readImportFile(file, opts.format ? { format: opts.format } : {})) {
    v.lines = Math.max(v.lines, item.line);
    let error = item.error;
    if (error === undefined && item.op) {
      try {
        v.templatesNormalized += decodeTemplates(item.op)?.normalized ?? 0;
      } catch (e) {
        error = `biometrics: ${describeInvalid(e, 'invalid template')}`;
      }
    }
    if (error !== undefined || !item.op) {
      v.invalid++;
      if (v.errors.length < MAX_REPORTED_ERRORS) v.errors.push({ line: item.line, reason: error ?? 'invalid' });
    } else {
      v.valid++;
      v.lastLine.set(opId(item.op), item.line);
    }
    opts.onLine?.(item.line);
  }
  return v;
}
