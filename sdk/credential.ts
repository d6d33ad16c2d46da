/**
 * An analyst's credential file, issued by its own node (`veil node analyst add`): the analyst's account
 * id, its Ed25519 signing key (requests to the node are signed envelopes) and its X25519 box key (sealed
 * disclosures are addressed to it), and where its node listens. Keep it like a private key: mode 0600.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SigningKey, BoxKeyPair, fromBase64url } from '#crypto';
import { VeilError } from '#protocol';

export const CredentialFile = z.strictObject({
  v: z.literal(1),
  analystId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  name: z.string().min(1).max(100),
  country: z.string().regex(/^[A-Z]{2}$/),
  nodeUrl: z.string().url().nullable(),
  signingKey: z.string(),
  boxKey: z.string(),
});
export type CredentialFile = z.infer<typeof CredentialFile>;

export interface Credential {
  readonly analystId: string;
  readonly name: string;
  readonly country: string;
  readonly nodeUrl: string | null;
  readonly signing: SigningKey;
  readonly box: BoxKeyPair;
}

export function parseCredential(raw: unknown): Credential {
  const r = CredentialFile.safeParse(raw);
  if (!r.success) throw new VeilError('bad_config', 'credential file is invalid');
  const c = r.data;
  return {
    analystId: c.analystId,
    name: c.name,
    country: c.country,
    nodeUrl: c.nodeUrl,
    signing: SigningKey.fromBytes(fromBase64url(c.signingKey)),
    box: BoxKeyPair.fromBytes(fromBase64url(c.boxKey)),
  };
}

export function loadCredential(path: string): Credential {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new VeilError('bad_config', `cannot read credential file ${path}`);
  }
  return parseCredential(raw);
}
