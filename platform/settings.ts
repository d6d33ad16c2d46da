/**
 * The settings of a running service, in layers where each overrides the one before: the directory's
 * own config (`node.json`, `coordinator.json`, written by `init`), an optional config file (`--config
 * FILE` or `VEIL_CONFIG`) holding any of the operator's settings, environment variables, and last the
 * command line's flags (applied by the caller). Every layer is checked by the same zod schema; an
 * error names the file and key, or the variable, that is wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { VeilError } from '#protocol';

/** One setting an operator may change: its environment variable and how to read a string as its value. */
export interface SettingSpec {
  readonly env: string;
  readonly kind: 'string' | 'number' | 'boolean';
}

export type SettingSpecs<K extends string> = Readonly<Record<K, SettingSpec>>;

export interface SettingSources {
  /** The optional config file (absent: only the directory's config and the environment). */
  readonly file?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `base` with the config file's and the environment's values of `specs`' keys applied, validated. */
export function layerSettings<T extends Record<string, unknown>, K extends keyof T & string>(
  schema: z.ZodType<T> & { shape: Record<string, z.ZodType> },
  base: T,
  specs: SettingSpecs<K>,
  sources: SettingSources,
): T {
  const out: Record<string, unknown> = { ...base };
  if (sources.file !== undefined) Object.assign(out, readSettingsFile(schema, specs, sources.file));
  for (const [key, spec] of Object.entries(specs) as Array<[K, SettingSpec]>) {
    const raw = sources.env?.[spec.env];
    if (raw === undefined || raw === '') continue;
    out[key] = check(schema, key, fromString(raw, spec, spec.env), `${spec.env}=${raw}`);
  }
  const r = schema.safeParse(out);
  if (!r.success) throw new VeilError('bad_config', `settings: ${issue(r.error)}`);
  return r.data;
}

function readSettingsFile<K extends string>(schema: { shape: Record<string, z.ZodType> }, specs: SettingSpecs<K>, file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new VeilError('bad_config', `config file ${file} not found`, { hint: 'check --config or VEIL_CONFIG' });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new VeilError('bad_config', `config file ${file} is not valid JSON`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new VeilError('bad_config', `config file ${file} must hold a JSON object`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(specs, key)) {
      throw new VeilError('bad_config', `config file ${file}: unknown setting "${key}"`, { hint: `the settings are ${Object.keys(specs).join(', ')}` });
    }
    out[key] = check(schema, key, value, `config file ${file}: ${key}`);
  }
  return out;
}

function check(schema: { shape: Record<string, z.ZodType> }, key: string, value: unknown, where: string): unknown {
  const field = schema.shape[key];
  if (!field) throw new VeilError('internal', `no setting ${key}`);
  const r = field.safeParse(value);
  if (!r.success) throw new VeilError('bad_config', `${where}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

function fromString(raw: string, spec: SettingSpec, name: string): unknown {
  if (spec.kind === 'string') return raw;
  if (spec.kind === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new VeilError('bad_config', `${name}=${raw}: not a number`);
    return n;
  }
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new VeilError('bad_config', `${name}=${raw}: give true or false`);
}

function issue(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'invalid';
}
