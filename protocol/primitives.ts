/**
 * Shared zod building blocks for wire schemas: byte strings of exact or capped length, ids, country
 * codes and the registries every message carries (purpose, legal basis, handling code).
 */
import { z } from 'zod';
import { PURPOSES } from './vocabulary.ts';

const anyBytes = () => z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'must be bytes' });
export const bytes = (len: number) => anyBytes().refine((b) => b.length === len, { message: `must be ${len} bytes` });
export const bytesMax = (max: number, min = 1) => anyBytes().refine((b) => b.length >= min && b.length <= max, { message: `must be ${min}..${max} bytes` });

/** ISO 3166-1 alpha-2 code identifying a member node. */
export const country = z.string().regex(/^[A-Z]{2}$/);
/** 128-bit random identifier, lower-case hex. */
export const id = z.string().regex(/^[0-9a-f]{32}$/);
/** Safe token text: codes, references and account names; never free text. */
export const code = z.string().regex(/^[A-Za-z0-9._:/-]{1,64}$/);
export const ts = z.number().int().nonnegative();
export const epoch = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 31);
export const nonce = bytes(16);

export { PURPOSES } from './vocabulary.ts';
export type Purpose = (typeof PURPOSES)[number];
export const purpose = z.enum(PURPOSES);

/** Case reference: an agency's reference code, not a description. */
export const caseRef = code;
/** Legal basis: a code such as `art-3-rpd` or `mla-2024-17`. */
export const legalBasis = code;
