/**
 * The analyst's side of disclosure: `veil disclose` asks the owning country to reveal the record behind
 * a hit (the claim of what was searched for travels sealed to the owner), `veil disclosures` follows the
 * requests and shows released records.
 */
import { type Command, Option } from 'commander';
import type { BioModality, DisclosureField, Purpose } from '#protocol';
import { BIO_MODALITIES, DATE_ORDERS, DISCLOSURE_FIELDS, GENDERS, PURPOSES } from '#protocol/vocabulary';
import type { Disclosure } from '#sdk';
import { connectAnalyst } from '../support/analyst.ts';
import { readEmbedding } from '../support/embedding.ts';
import { CliError } from '../support/errors.ts';
import { out } from '../support/output.ts';
import { type SubjectOptions, subjectFrom } from '../support/subject.ts';

/** The options that repeat what was searched for: the owner checks the claim against the record. */
function withClaimOptions(c: Command): Command {
  return c
    .option('--name <name>', 'the name you searched for; needs --dob')
    .option('--dob <date>', 'the date of birth you searched for')
    .addOption(new Option('--sex <sex>', 'the --sex you searched with, if any').choices([...GENDERS]))
    .addOption(new Option('--date-order <order>', 'the --date-order you searched with, if any').choices([...DATE_ORDERS]))
    .option('--doc <type:country:number>', 'the document you searched for')
    .option('--vin <vin>', 'the VIN you searched for')
    .option('--embedding <file>', 'for a biometric hit: the probe embedding you searched with (JSON array)');
}

/** What a request's status means for the analyst waiting on it. */
const STATUS_WORDS: Record<Disclosure['status'], string> = {
  sent: 'sent: waiting in the coordinator’s mailbox for the owner’s node',
  pending: 'with the owner’s data officers',
  approved: 'APPROVED',
  denied: 'DENIED',
  expired: 'expired: no decision before the owner’s deadline',
  rejected: 'rejected by the owner’s node before any officer saw it',
};

export function registerDiscloseCommands(program: Command): void {
  withClaimOptions(
    program
      .command('disclose')
      .description('ask the owning country to reveal the record behind a hit; the claim travels sealed to the owner')
      .requiredOption('--cred <file>', 'analyst credential file')
      .requiredOption('--hit <country:token>', 'the hit, as printed by `veil query` (e.g. DE:AbC…)')
      .addOption(new Option('--purpose <purpose>', 'purpose').choices([...PURPOSES]).default('criminal-investigation'))
      .addOption(new Option('--case <ref>', 'case reference').env('VEIL_CASE').makeOptionMandatory())
      .addOption(new Option('--legal-basis <code>', 'legal basis code').env('VEIL_LEGAL_BASIS').makeOptionMandatory())
      .option('--fields <list>', `fields to request (${DISCLOSURE_FIELDS.join(',')})`, 'name,dob,nationality,documents')
      .requiredOption('--justification <text>', 'why you need the identity (read by the data owner)')
      .addOption(new Option('--modality <m>', 'for a biometric hit: the modality').choices([...BIO_MODALITIES]))
      .option('--node-url <url>', 'override the node URL from the credential')
      .option('--json', 'JSON output'),
  ).action(
    async (
      o: SubjectOptions & {
        cred: string;
        hit: string;
        purpose: Purpose;
        case: string;
        legalBasis: string;
        fields: string;
        justification: string;
        nodeUrl?: string;
        json?: boolean;
        embedding?: string;
        modality?: BioModality;
      },
    ) => {
      const m = /^([A-Z]{2}):(bio:[0-9a-f]{32}:\d+|[A-Za-z0-9_-]+)$/.exec(o.hit);
      const country = m?.[1];
      const token = m?.[2];
      if (country === undefined || token === undefined) {
        throw new CliError('bad_request', `--hit ${o.hit} is not COUNTRY:TOKEN`, {
          hint: 'copy it from `veil query` (or COUNTRY:bio:QUERY:POSITION from `veil bio-match`)',
        });
      }
      const fields = o.fields.split(',').map((f) => f.trim());
      for (const f of fields) {
        if (!(DISCLOSURE_FIELDS as readonly string[]).includes(f))
          throw new CliError('bad_request', `--fields: unknown field ${f}`, { hint: `choose from ${DISCLOSURE_FIELDS.join(',')}` });
      }
      const isBio = token.startsWith('bio:');
      if (isBio && !o.embedding) throw new CliError('bad_request', 'a biometric hit needs --embedding (the probe you searched with)');
      const subject = isBio ? undefined : subjectFrom(o);
      const ctx = { purpose: o.purpose, caseRef: o.case, legalBasis: o.legalBasis };
      const opts = { fields: fields as DisclosureField[], justification: o.justification };
      const r = await connectAnalyst(o, (client) =>
        subject === undefined
          ? client.requestBioDisclosure({ country, ref: token }, o.modality ?? 'face', readEmbedding(o.embedding as string), ctx, opts)
          : client.requestDisclosure({ country, token }, subject, ctx, opts),
      );
      out(!!o.json, r, () =>
        [
          `disclosure request ${r.id} to ${country}: ${STATUS_WORDS[r.status]}.`,
          `${country}'s node checks your claim against its record, then its data officers decide; follow it with: veil disclosures --cred ${o.cred}`,
        ].join('\n'),
      );
    },
  );

  program
    .command('disclosures')
    .description('my disclosure requests: pending, approved (with the released record), denied, expired')
    .requiredOption('--cred <file>', 'analyst credential file')
    .option('--node-url <url>', 'override the node URL from the credential')
    .option('--json', 'JSON output')
    .action(async (o: { cred: string; nodeUrl?: string; json?: boolean }) => {
      const list = await connectAnalyst(o, (client) => client.disclosures());
      out(!!o.json, list, () =>
        list.length === 0
          ? '(no disclosure requests yet: `veil disclose` asks for one)'
          : list
              .map((d) => {
                const head = `${d.id}  to ${d.to}  ${STATUS_WORDS[d.status]}${d.code ? ` (${d.code})` : ''}  asked: ${d.fields.join(',')}  ${new Date(d.createdAt).toISOString().slice(0, 16)}Z`;
                const rel = d.released?.fields
                  ? `\n    released (handling: ${d.released.handling ?? 'n/a'}): ${JSON.stringify(d.released.fields)}`
                  : d.released?.reason
                    ? `\n    reason: ${d.released.reason}`
                    : '';
                return head + rel;
              })
              .join('\n'),
      );
    });
}
