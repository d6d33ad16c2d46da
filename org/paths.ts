/**
 * The organisation's directory (mode 0700), kept offline by the organisation's certification officers:
 * `root.key.json` (0600, the root signing key encrypted under a passphrase), `bundle.json` (the trust
 * bundle every node and SDK pins), `ca.pem` (the TLS CA certificate, also inside the bundle),
 * `state.json` (issued certificates and member statuses) and `crl.json` (the latest signed revocation
 * list, to hand to the coordinator for distribution).
 */
import { join } from 'node:path';

export const orgPaths = (dir: string) => ({
  rootKey: join(dir, 'root.key.json'),
  bundle: join(dir, 'bundle.json'),
  ca: join(dir, 'ca.pem'),
  state: join(dir, 'state.json'),
  crl: join(dir, 'crl.json'),
});
