/**
 * The import record: what a national bureau loads into its node (one NDJSON line or CSV row each),
 * and the one place that decides whether a record is acceptable. Described for data owners in
 * docs/records.md.
 *
 * ```
 * VeilRecord = {
 *   id:        1–128 of [A-Za-z0-9._:-]            unique per node; the import is idempotent by id
 *   kind:      'person' | 'document' | 'vehicle'
 *   dataset:   1–64 of [a-z0-9-]                    e.g. 'wanted-persons', 'sltd', 'stolen-vehicles'
 *   handling:  HANDLING_CODES                       travels with the data on disclosure
 *   person?:   { family, given?, aliases?: ≤20, dob?, nationality?, sex?: 'M'|'F'|'X'|'U' }
 *   documents?: ≤20 × { type, country, number, status?: 'stolen'|'lost'|'revoked'|'valid' }
 *   vehicle?:  { vin, plate?, make?, model?, colour?, country? }
 *   biometrics?: { face?, fingerprint? }            number[] or base64 of little-endian float32
 * }
 * ImportOp = { op: 'upsert', record } | { op: 'delete', id }   (an input line's `op` defaults to upsert)
 * ```
 *
 * A person record needs `person` (with `family`) and either `person.dob` or a document; a document
 * record needs at least one document; a vehicle record needs `vehicle.vin`.
 *
 * Strings are trimmed and otherwise stored as given: normalization happens when match keys are
 * derived. But names, dates, document fields, countries and VINs are checked here with the very
 * validators of `./match-keys/`, so a value that could not produce a key is refused at import with a
 * reason, instead of failing later. Reasons name the field and the problem and never repeat a value
 * (values are personal data); an unknown field is named only when its name looks like an identifier.
 */
import { z } from 'zod';
import { describeInvalid } from './errors.ts';
import { isCountryCode, NAME_MAX_CHARS, nameTokens, normalizeDate, normalizeDocNumber, normalizeDocType, normalizeVin } from './match-keys/index.ts';
import { HANDLING_CODES } from './vocabulary.ts';

// ---------------------------------------------------------------------------------------------------
// Registries

export { HANDLING_CODES } from './vocabulary.ts';

export type HandlingCode = (typeof HANDLING_CODES)[number];

/** What each handling code asks of whoever receives the data. */
export const HANDLING_RULES = {
  'official-use': { rank: 0, description: 'for law-enforcement use by the receiving authority' },
  restricted: { rank: 1, description: 'only to officers working the case it was released for' },
  confidential: { rank: 2, description: 'named recipients only; no onward sharing without the owner' },
} as const satisfies Record<HandlingCode, { rank: number; description: string }>;

export const RECORD_KINDS = ['person', 'document', 'vehicle'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const DOCUMENT_STATUSES = ['stolen', 'lost', 'revoked', 'valid'] as const;
export const SEXES = ['M', 'F', 'X', 'U'] as const;
export const IMPORT_OPS = ['upsert', 'delete'] as const;

/** Size caps of the record (characters for strings, items for arrays). */
export const RECORD_LIMITS = {
  id: 128,
  dataset: 64,
  name: NAME_MAX_CHARS,
  aliases: 20,
  documents: 20,
  date: 32,
  country: 3,
  docType: 40,
  docNumber: 64,
  vin: 40,
  plate: 20,
  vehicleText: 64,
  /** Floats per biometric template (face embeddings are 512-d). */
  templateFloats: 2048,
} as const;

// ---------------------------------------------------------------------------------------------------
// Field schemas

/** Accept a string only if a match-key validator accepts it; its (value-free) detail is the reason. */
function validatedBy(fn: (s: string) => unknown) {
  return (s: string, ctx: z.RefinementCtx): void => {
    try {
      fn(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: describeInvalid(e, 'is invalid') });
    }
  };
}

/** A trimmed, non-empty string of at most `max` characters; later checks run only if these pass. */
const text = (max: number) => z.string().trim().min(1, { abort: true }).max(max, { abort: true });

const nameField = text(RECORD_LIMITS.name).superRefine(validatedBy(nameTokens));
const dateField = text(RECORD_LIMITS.date).superRefine(validatedBy(normalizeDate));
const countryField = text(RECORD_LIMITS.country).refine(isCountryCode, {
  error: 'is not an ISO 3166-1 alpha-2 or alpha-3 code',
});

const FLOAT32_MAX = 3.4028234663852886e38;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const template = z.union(
  [
    z.array(z.number().min(-FLOAT32_MAX).max(FLOAT32_MAX)).min(1).max(RECORD_LIMITS.templateFloats),
    text(Math.ceil((RECORD_LIMITS.templateFloats * 4) / 3) + 4)
      .regex(BASE64, { error: 'is not base64', abort: true })
      .refine((s) => base64Length(s) % 4 === 0, { error: 'does not decode to whole float32 values' }),
  ],
  { error: 'must be an array of numbers or a base64 string of float32 values' },
);

function base64Length(s: string): number {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

export const PersonSchema = z.strictObject({
  family: nameField,
  given: nameField.optional(),
  aliases: z.array(nameField).max(RECORD_LIMITS.aliases).optional(),
  dob: dateField.optional(),
  nationality: countryField.optional(),
  sex: z.enum(SEXES).optional(),
});

export const DocumentSchema = z.strictObject({
  type: text(RECORD_LIMITS.docType).superRefine(validatedBy(normalizeDocType)),
  country: countryField,
  number: text(RECORD_LIMITS.docNumber).superRefine(validatedBy(normalizeDocNumber)),
  status: z.enum(DOCUMENT_STATUSES).optional(),
});

export const VehicleSchema = z.strictObject({
  vin: text(RECORD_LIMITS.vin).superRefine(validatedBy(normalizeVin)),
  plate: text(RECORD_LIMITS.plate).optional(),
  make: text(RECORD_LIMITS.vehicleText).optional(),
  model: text(RECORD_LIMITS.vehicleText).optional(),
  colour: text(RECORD_LIMITS.vehicleText).optional(),
  country: countryField.optional(),
});

export const BiometricsSchema = z.strictObject({
  face: template.optional(),
  fingerprint: template.optional(),
});

const recordId = text(RECORD_LIMITS.id).regex(/^[A-Za-z0-9._:-]+$/, { error: 'may contain only letters, digits and . _ : -' });

export const VeilRecordSchema = z
  .strictObject({
    id: recordId,
    kind: z.enum(RECORD_KINDS),
    dataset: text(RECORD_LIMITS.dataset).regex(/^[a-z0-9-]+$/, { error: 'may contain only lower-case letters, digits and -' }),
    handling: z.enum(HANDLING_CODES),
    person: PersonSchema.optional(),
    documents: z.array(DocumentSchema).max(RECORD_LIMITS.documents).optional(),
    vehicle: VehicleSchema.optional(),
    biometrics: BiometricsSchema.optional(),
  })
  .superRefine((r, ctx) => {
    const docs = r.documents?.length ?? 0;
    switch (r.kind) {
      case 'person':
        if (r.person === undefined) ctx.addIssue({ code: 'custom', path: ['person'], message: 'is required for a person record' });
        else if (r.person.dob === undefined && docs === 0) {
          ctx.addIssue({ code: 'custom', path: ['person', 'dob'], message: 'a person record needs a date of birth or a document' });
        }
        return;
      case 'document':
        if (docs === 0) ctx.addIssue({ code: 'custom', path: ['documents'], message: 'a document record needs at least one document' });
        return;
      case 'vehicle':
        if (r.vehicle === undefined) ctx.addIssue({ code: 'custom', path: ['vehicle'], message: 'is required for a vehicle record' });
        return;
      default: {
        const never: never = r.kind;
        throw new Error(`unhandled record kind ${String(never)}`);
      }
    }
  });

export type VeilRecord = z.infer<typeof VeilRecordSchema>;
export type PersonRecord = z.infer<typeof PersonSchema>;
export type DocumentEntry = z.infer<typeof DocumentSchema>;
export type VehicleEntry = z.infer<typeof VehicleSchema>;
export type Biometrics = z.infer<typeof BiometricsSchema>;

export const DeleteOpSchema = z.strictObject({ op: z.literal('delete'), id: recordId });

export type ImportOp = { op: 'upsert'; record: VeilRecord } | { op: 'delete'; id: string };

// ---------------------------------------------------------------------------------------------------
// Parsing with value-free reasons

export type ParseRecordResult = { ok: true; record: ImportOp } | { ok: false; reason: string };

/** At most this many problems are listed in one reason. */
const MAX_REASONS = 3;

/**
 * Validate one import line (already decoded from JSON or built from a CSV row). `op` may be absent
 * (upsert), `'upsert'` (the rest is a VeilRecord) or `'delete'` (then only `id` is allowed).
 * The reason names fields and problems, never values.
 */
export function parseRecord(obj: unknown): ParseRecordResult {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { ok: false, reason: 'record: expected an object' };
  const { op, ...rest } = obj as Record<string, unknown>;
  if (op === 'delete') {
    const r = DeleteOpSchema.safeParse(obj, { reportInput: true });
    if (!r.success) {
      if (Object.keys(rest).some((k) => k !== 'id')) return { ok: false, reason: 'a delete line may carry only op and id' };
      return { ok: false, reason: describeIssues(r.error.issues) };
    }
    return { ok: true, record: { op: 'delete', id: r.data.id } };
  }
  if (op !== undefined && op !== 'upsert') return { ok: false, reason: 'op: must be upsert or delete' };
  const r = VeilRecordSchema.safeParse(rest, { reportInput: true });
  if (!r.success) return { ok: false, reason: describeIssues(r.error.issues) };
  return { ok: true, record: { op: 'upsert', record: r.data } };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, MAX_REASONS).map(describeIssue);
  if (issues.length > MAX_REASONS) parts.push(`and ${issues.length - MAX_REASONS} more`);
  return parts.join('; ');
}

/** One issue as `path: problem`, built from the issue's code and bounds only, never its input. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  const unit = (origin: string) => (origin === 'array' ? 'items' : origin === 'string' ? 'characters' : '');
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `${where}: is required` : `${where}: expected ${issue.expected}`;
    case 'too_big':
      if (issue.origin === 'number') return `${where}: is out of range`;
      return `${where}: must have at most ${issue.maximum} ${unit(issue.origin)}`.trimEnd();
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return `${where}: must not be empty`;
      if (issue.origin === 'number') return `${where}: is out of range`;
      return `${where}: must have at least ${issue.minimum} ${unit(issue.origin)}`.trimEnd();
    case 'invalid_value':
      if (issue.input === undefined) return `${where}: is required`;
      return `${where}: must be one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(safeKey).join(', ')}`;
    case 'invalid_union':
    case 'invalid_format':
    case 'custom':
      // messages of these codes are written in this file (or come from VeilError details)
      return `${where}: ${issue.message}`;
    default:
      return `${where}: is invalid`;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? 'record' : out;
}

/** A field name from the input is shown only if it looks like an identifier. */
function safeKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]{0,31}$/.test(k) ? `"${k}"` : '(unprintable name)';
}
