/**
 * `veil org …`: the organisation's certification authority, run offline by its officers — create the
 * root of trust, admit nodes and the coordinator, suspend, reinstate and revoke them, roll the root over.
 * The root passphrase comes from `VEIL_ORG_PASSPHRASE` or a prompt, never from the command line.
 */

import { join } from 'node:path';
import type { Command } from 'commander';
import type { MemberRole } from '#protocol';
import { out } from '../support/output.ts';
import { readSecret } from '../support/read-secret.ts';

/** The layers the organisation's commands use, loaded when one runs (not for `--help`). */
async function load() {
  const [crypto, org, platform, protocol] = await Promise.all([import('#crypto'), import('#org'), import('#platform'), import('#protocol')]);
  await crypto.initCrypto();
  return {
    ...org,
    ...platform,
    VeilError: protocol.VeilError,
    verifyCertificateRequest: protocol.verifyCertificateRequest,
    interactiveLimits: crypto.interactiveLimits,
    moderateLimits: crypto.moderateLimits,
  };
}

async function passphrase(prompt: string, env = 'VEIL_ORG_PASSPHRASE'): Promise<string> {
  return process.env[env] ?? (await readSecret(prompt, env));
}

export function registerOrgCommands(program: Command): void {
  const org = program.command('org').description("the organisation's certification authority (offline): root of trust, admissions, revocations");

  org
    .command('init')
    .description('create the root signing key (encrypted under a passphrase), the TLS CA and the trust bundle every party pins')
    .requiredOption('--dir <dir>', 'organisation directory (keep it offline)')
    .requiredOption('--name <name>', 'organisation name, e.g. ipo')
    .option(
      '--kdf <limits>',
      "Argon2id limits for the root key: 'moderate' (256 MiB, the default) or 'interactive' (64 MiB, about 6x cheaper to open: only for development and test organisations whose passphrase is not secret)",
      'moderate',
    )
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; name: string; kdf: string; json?: boolean }) => {
      const { initOrg, orgPaths, VeilError, interactiveLimits, moderateLimits } = await load();
      if (o.kdf !== 'moderate' && o.kdf !== 'interactive') throw new VeilError('bad_request', "--kdf: 'moderate' or 'interactive'");
      const pw = await passphrase('new root passphrase (12+ characters): ');
      const r = initOrg({ dir: o.dir, org: o.name, passphrase: pw, limits: o.kdf === 'interactive' ? interactiveLimits() : moderateLimits() });
      const bundle = orgPaths(o.dir).bundle;
      out(!!o.json, { ...r, bundle }, () =>
        [
          `organisation '${o.name}' created in ${o.dir}`,
          `trust bundle: ${bundle}`,
          `root fingerprint: ${r.fingerprint}`,
          'Every node and analyst pins this bundle: compare the fingerprint with them by a second channel (phone, in person).',
          `Next: certify the coordinator with \`veil org admit --coordinator --dir ${o.dir} --request <coordinator>/request.json\`.`,
        ].join('\n'),
      );
    });

  org
    .command('admit')
    .description('certify a node (or the coordinator) from its certificate request; writes the certificate file to hand back')
    .requiredOption('--dir <dir>', 'organisation directory')
    .requiredOption('--request <files...>', 'request.json written by `veil node init` or `veil coordinator init` (several nodes at once: repeat)')
    .argument('[country]', 'the country being admitted (checked against the request)')
    .option('--coordinator', 'admit the coordinator (also updates the trust bundle)')
    .option('--out <path>', 'certificate file to write (a directory when several requests are given; default: certificate-<name>.json here)')
    .option('--days <days>', 'validity in days', (v) => Number(v), 365)
    .option('--roles <roles>', 'comma-separated roles: requester,responder', 'requester,responder')
    .option('--json', 'JSON output')
    .action(
      async (
        country: string | undefined,
        o: { dir: string; request: string[]; coordinator?: boolean; out?: string; days: number; roles: string; json?: boolean },
      ) => {
        const { VeilError, readCertificateRequest, verifyCertificateRequest, openOrg, writeJsonFile, orgPaths } = await load();
        if (!Number.isFinite(o.days) || o.days <= 0) throw new VeilError('bad_request', '--days must be a positive number');
        const roles = o.roles.split(',').map((r) => r.trim()) as MemberRole[];
        if (roles.some((r) => r !== 'requester' && r !== 'responder')) throw new VeilError('bad_request', '--roles: requester and/or responder');
        if (country && o.request.length > 1) throw new VeilError('bad_request', 'name a country only when admitting one request');
        // Check every request before certifying any.
        const requests = o.request.map((f) => ({ f, env: readCertificateRequest(f), req: verifyCertificateRequest(readCertificateRequest(f)) }));
        for (const { req } of requests) {
          if (o.coordinator && req.role !== 'coordinator')
            throw new VeilError('bad_request', `the request from ${req.name} is a node’s, not the coordinator’s`);
          if (!o.coordinator && req.role !== 'node') throw new VeilError('bad_request', 'the request is the coordinator’s: add --coordinator');
          if (country && country.toUpperCase() !== req.name) throw new VeilError('bad_request', `the request is from ${req.name}, not ${country}`);
        }
        const auth = openOrg(o.dir, await passphrase('root passphrase: '));
        const done = requests.map(({ env }) => {
          const { cert, file } = auth.admit(env, { days: o.days, roles });
          const path = requests.length > 1 ? join(o.out ?? '.', `certificate-${cert.name}.json`) : (o.out ?? `certificate-${cert.name}.json`);
          writeJsonFile(path, file);
          return { name: cert.name, role: cert.role, serial: cert.serial, notAfter: new Date(cert.notAfter).toISOString(), certificate: path };
        });
        out(!!o.json, done, () =>
          done
            .map((d) =>
              [
                `certified ${d.role} ${d.name} until ${d.notAfter.slice(0, 10)} (serial ${d.serial.slice(0, 8)}…): ${d.certificate}`,
                d.role === 'coordinator'
                  ? `The trust bundle now names this coordinator: hand ${orgPaths(o.dir).bundle} to every node; install the certificate with \`veil coordinator enroll --cert ${d.certificate}\`.`
                  : `Hand ${d.certificate} to ${d.name}, who installs it with \`veil node enroll --dir <node> --cert ${d.certificate}\`.`,
              ].join('\n'),
            )
            .join('\n'),
        );
      },
    );

  for (const [name, status, what] of [
    ['suspend', 'suspended', 'suspend a member (reinstate undoes it)'],
    ['reinstate', 'good', 'lift a suspension'],
    ['revoke', 'revoked', 'revoke a member for good (it must be admitted again with a new key)'],
  ] as const) {
    org
      .command(name)
      .description(`${what}; writes a new signed revocation list for the coordinator to distribute`)
      .requiredOption('--dir <dir>', 'organisation directory')
      .argument('<country>', 'member country code')
      .option('--json', 'JSON output')
      .action(async (country: string, o: { dir: string; json?: boolean }) => {
        const { openOrg, orgPaths } = await load();
        const auth = openOrg(o.dir, await passphrase('root passphrase: '));
        const f = auth.setStatus('node', country.toUpperCase(), status);
        const path = orgPaths(o.dir).crl;
        out(
          !!o.json,
          { country: country.toUpperCase(), status, seq: f.seq, revocations: path },
          () =>
            `${country.toUpperCase()}: ${status} (revocation list #${f.seq} written to ${path}); hand it to the coordinator: \`veil coordinator revocations --dir <coord> ${path}\``,
        );
      });
  }

  org
    .command('rollover')
    .description('replace the root key; the new bundle carries a statement signed by the old root (every member is admitted again)')
    .requiredOption('--dir <dir>', 'organisation directory')
    .option('--json', 'JSON output')
    .action(async (o: { dir: string; json?: boolean }) => {
      const { openOrg, orgPaths } = await load();
      const auth = openOrg(o.dir, await passphrase('current root passphrase: '));
      const next = await passphrase('new root passphrase (12+ characters): ', 'VEIL_ORG_NEW_PASSPHRASE');
      const r = auth.rollover(next);
      out(!!o.json, r, () => `new root fingerprint: ${r.fingerprint}; distribute ${orgPaths(o.dir).bundle} and admit every member again`);
    });
}
