/**
 * What an audit entry may hold, and its stored form.
 *
 * Entries hold metadata only — an allow-listed set of fields (`AuditEntrySchema`) whose strings are short
 * codes or opaque ids from a restricted charset — so no name, document number, VIN, embedding, record,
 * case text or key can be written, not even by mistake: anything else is rejected with `bad_request`
 * naming the field, never its value.
 *
 * Stored form: the entry's `kind` in its own column, and every other field as canonical JSON (`data`):
 * keys in ascending code-point order, no whitespace, values strings from the schema's charsets (which
 * need no JSON escaping) or non-negative safe integers. The stored `data` text is what the hash chain
 * hashes; reading an entry back also checks that it is canonical.
 */
import { z } from 'zod';
import { VeilError } from '#protocol';
import { AUDIT_KIND_NAMES } from './kinds.ts';

/** Opaque ids: query/request ids, account ids, peer ids. No spaces, no '@', no non-ASCII. */
const ID_RE = /^[A-Za-z0-9._:/-]{1,64}$/;
/** Codes from a registry: lower case only, so a capitalised name cannot pass as one. */
const CODE_RE = /^[a-z0-9][a-z0-9_.:/-]{0,63}$/;
/** Member country codes: ISO 3166 alpha-2/alpha-3, or a simulated code such as `C042`. */
const COUNTRY_RE = /^[A-Z][A-Z0-9]{1,3}$/;

const id = z.string().regex(ID_RE);
const code = z.string().regex(CODE_RE);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const AuditEntrySchema = z.strictObject({
  kind: z.enum(AUDIT_KIND_NAMES),
  queryId: id.optional(),
  requestId: id.optional(),
  /** The other country involved (requester, target or owner, by kind). */
  country: z.string().regex(COUNTRY_RE).optional(),
  /** A peer that is not a country (e.g. `coordinator`) or a connection id. */
  peer: id.optional(),
  analyst: id.optional(),
  owner: id.optional(),
  /** Match class (`doc`, `name_dob`, `phonetic_yob`, `vehicle`, `face`, ...). */
  cls: code.optional(),
  count: count.optional(),
  status: code.optional(),
  /** An error code (`refused_by_policy`, `over_budget`, ...). */
  code: code.optional(),
  /** A code from the purpose registry; never free text. */
  purpose: id.optional(),
  /** A legal-basis code such as `art-3`; never free text. */
  legalBasis: id.optional(),
  epoch: count.optional(),
  bytes: count.optional(),
  ms: count.optional(),
});

export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Every field but `kind`, in ascending code-point order: the key order of canonical data. */
const DATA_FIELDS = Object.keys(AuditEntrySchema.shape)
  .filter((k) => k !== 'kind')
  .sort();

/** Canonical JSON of an entry's fields other than `kind` (see the module header). */
export function canonicalAuditData(entry: AuditEntry): string {
  const rec = entry as Record<string, unknown>;
  let out = '{';
  for (const k of DATA_FIELDS) {
    const v = rec[k];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(k)}:${JSON.stringify(v)}`;
  }
  return `${out}}`;
}

const SAFE_FIELD_NAME = /^[A-Za-z][A-Za-z0-9]{0,31}$/;

/**
 * Validates an entry; the error names the offending field, never its value. (Field names are
 * our own code's, but an unexpected key is named only if it looks like a field name.)
 */
export function parseAuditEntry(input: unknown): AuditEntry {
  const r = AuditEntrySchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  let field = 'entry';
  if (issue !== undefined) {
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0];
      field = key !== undefined && SAFE_FIELD_NAME.test(key) ? `unknown field "${key}"` : 'an unknown field';
    } else if (typeof issue.path[0] === 'string') {
      field = `field "${issue.path[0]}"`;
    }
  }
  return rejectAuditEntry(field);
}

/** Throws the `bad_request` of an entry outside the allow-list, naming the field only. */
export function rejectAuditEntry(field: string): never {
  throw new VeilError('bad_request', `audit entry: ${field} is not allowed or malformed`);
}

/** Parses a stored row back into an entry; undefined unless it is valid and canonical. */
export function decodeAuditEntry(row: { kind: unknown; data: unknown }): AuditEntry | undefined {
  if (typeof row.kind !== 'string' || typeof row.data !== 'string') return undefined;
  let fields: unknown;
  try {
    fields = JSON.parse(row.data);
  } catch {
    return undefined;
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields) || Object.hasOwn(fields, 'kind')) {
    return undefined;
  }
  const r = AuditEntrySchema.safeParse({ ...fields, kind: row.kind });
  if (!r.success || canonicalAuditData(r.data) !== row.data) return undefined;
  return r.data;
}
