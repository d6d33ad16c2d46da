/**
 * The organisation's PKI for local networks (tests, demo, benchmarks): an organisation created with a
 * fixed development passphrase and libsodium's interactive Argon2id limits (fast; a real organisation
 * uses the moderate ones, see `veil org init`), and helpers that run the real admission flow —
 * certificate request, `admit`, `enroll` — for the coordinator and each node.
 */
import { join } from 'node:path';
import { coordinatorPaths, enrollCoordinator } from '#coordinator';
import { interactiveLimits, randomBytes, SigningKey, TlsKey, toHex } from '#crypto';
import { enrollNode, nodePaths } from '#node';
import { initOrg, type OrgAuthority, openOrg, orgPaths } from '#org';
import { readCertificateRequest, readTrustBundle, writeJsonFile } from '#platform';
import { type Envelope, type MemberRole, signCertificateRequest, type TrustBundle } from '#protocol';

/** Development passphrase of every local test organisation (never for real use). */
export const DEV_ORG_PASSPHRASE = 'development passphrase, not a secret';

export interface LocalPki {
  readonly dir: string;
  readonly bundlePath: string;
  /** The bundle as it is now (it names the coordinator once that is certified). */
  bundle(): TrustBundle;
  authority(): OrgAuthority;
  /** Admit the coordinator from its directory's request and enroll it. */
  certifyCoordinator(coordinatorDir: string, opts?: { days?: number; now?: number }): void;
  /** Admit a node from its directory's request and enroll it. */
  certifyNode(nodeDir: string, opts?: { days?: number; roles?: MemberRole[]; now?: number }): void;
  /** A member identity made without a node directory (for hand-driven adversarial connections). */
  member(country: string, opts?: { days?: number; now?: number }): { signing: SigningKey; tls: TlsKey; certificate: Envelope };
}

/** `opts.existing`: open the organisation a previous call created under `root` instead of making one. */
export function createLocalPki(root: string, org = 'veil-dev', opts: { existing?: boolean } = {}): LocalPki {
  const dir = join(root, 'org');
  if (!opts.existing) initOrg({ dir, org, passphrase: DEV_ORG_PASSPHRASE, limits: interactiveLimits() });
  let auth: OrgAuthority | undefined;
  const authority = () => (auth ??= openOrg(dir, DEV_ORG_PASSPHRASE));
  const certify = (requestFile: string, certFile: string, opts: { days?: number; roles?: MemberRole[]; now?: number }) => {
    const { file } = authority().admit(readCertificateRequest(requestFile), {
      ...(opts.days !== undefined ? { days: opts.days } : {}),
      ...(opts.roles ? { roles: opts.roles } : {}),
      ...(opts.now !== undefined ? { now: opts.now } : {}),
    });
    writeJsonFile(certFile, file);
    return certFile;
  };
  return {
    dir,
    bundlePath: orgPaths(dir).bundle,
    bundle: () => readTrustBundle(orgPaths(dir).bundle),
    authority,
    certifyCoordinator(coordinatorDir, opts = {}) {
      const f = certify(coordinatorPaths(coordinatorDir).request, join(root, `certificate-coordinator-${toHex(randomBytes(4))}.json`), opts);
      enrollCoordinator(coordinatorDir, f, opts.now);
    },
    certifyNode(nodeDir, opts = {}) {
      const f = certify(nodePaths(nodeDir).request, join(root, `certificate-node-${toHex(randomBytes(4))}.json`), opts);
      enrollNode(nodeDir, f, opts.now);
    },
    member(country, opts = {}) {
      const signing = SigningKey.generate();
      const tls = TlsKey.generate();
      const request = signCertificateRequest(signing, {
        role: 'node',
        name: country,
        tlsPub: tls.spki(),
        hosts: { dns: ['localhost'], ip: ['127.0.0.1'] },
        ts: Date.now(),
      });
      const { certificate } = authority().admit(request, {
        ...(opts.days !== undefined ? { days: opts.days } : {}),
        ...(opts.now !== undefined ? { now: opts.now } : {}),
      });
      return { signing, tls, certificate };
    },
  };
}
