/**
 * Key ids: the `kid` of a signed envelope names the party whose key signed it, as `role:name`.
 *
 * | role          | name                      | example       |
 * |---------------|---------------------------|---------------|
 * | `node`        | the member's country code | `node:FR`     |
 * | `analyst`     | the analyst's account id  | `analyst:a1b2`|
 * | `coordinator` | the coordinator's name    | `coordinator:veil` |
 * | `org`         | the organisation's name   | `org:veil`    |
 *
 * Every key id is built and read here and nowhere else.
 */
import { z } from 'zod';
import { VeilError } from './errors.ts';

export const KEY_ROLES = ['node', 'analyst', 'coordinator', 'org'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

const KID_RE = /^(node|analyst|coordinator|org):([A-Za-z0-9._-]{1,64})$/;

/** Schema of a key id on the wire. */
export const kid = z.string().regex(KID_RE);

export const keyId = {
  node: (country: string): string => `node:${country}`,
  analyst: (analystId: string): string => `analyst:${analystId}`,
  coordinator: (name: string): string => `coordinator:${name}`,
  org: (name: string): string => `org:${name}`,
} as const satisfies Record<KeyRole, (name: string) => string>;

/** Split a key id into its role and name; a malformed id is `bad_request`. */
export function parseKeyId(id: string): { role: KeyRole; name: string } {
  const m = KID_RE.exec(id);
  if (!m) throw new VeilError('bad_request', 'malformed key id');
  return { role: m[1] as KeyRole, name: m[2]! };
}

/** The name in a key id of the given role, or undefined if the id has another role or is malformed. */
export function keyIdName(id: string, role: KeyRole): string | undefined {
  const m = KID_RE.exec(id);
  return m && m[1] === role ? m[2] : undefined;
}
