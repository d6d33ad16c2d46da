/**
 * The one decode path at every trust boundary: size cap → codec → zod strict schema → typed value.
 * A zod failure is reported by path and issue code only: values from a peer never enter an error.
 */
import type { z } from 'zod';
import { decode } from './codec.ts';
import { VeilError } from './errors.ts';

export function decodeWith<S extends z.ZodType>(bytes: Uint8Array, schema: S, maxBytes: number): z.infer<S> {
  return validate(decode(bytes, maxBytes), schema);
}

export function validate<S extends z.ZodType>(value: unknown, schema: S): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first ? `${first.path.map(String).join('.') || '(root)'}: ${first.code}` : 'invalid';
    // A collection or value over its cap is a size error, distinct from a malformed message.
    throw new VeilError(first?.code === 'too_big' ? 'too_large' : 'bad_schema', where);
  }
  return r.data;
}
