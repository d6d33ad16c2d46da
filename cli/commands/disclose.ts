/**
 * The analyst's side of disclosure: `veil disclose` asks the owning country to reveal the record behind
 * a hit (the claim of what was searched travels sealed to the owner), `veil disclosures` follows the
 * requests and shows released records.
 */
import { type Command, Option } from 'commander';
import { BIO_MODALITIES, type BioModality, DISCLOSURE_FIELDS, type DisclosureField, PURPOSES, type Purpose, VeilError } from '#protocol';
import { VeilClient } from '#sdk';
import { readEmbedding } from '../shared/embedding.ts';
import { out } from '../shared/output.ts';
import { subjectFrom } from '../shared/subject.ts';

/** The options that repeat what was searched for: the owner checks the claim against the record. */
function withClaimOptions(c: Command): Command {
  return c
    .option('--name <name>', 'the name you searched for; needs --dob')
    .option('--dob <date>', 'the date of birth you searched for')
    .option('--doc <type:country:number>', 'the document you searched for')
    .option('--vin <vin>', 'the VIN you searched for')
    .option('--embedding <file>', 'for a biometric hit: the probe embedding you searched with (JSON array)');
}

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
    async (o: {
      cred: string;
      hit: string;
      purpose: Purpose;
      case: string;
      legalBasis: string;
      fields: string;
      justification: string;
      nodeUrl?: string;
      json?: boolean;
      name?: string;
      dob?: string;
      doc?: string;
      vin?: string;
      embedding?: string;
      modality?: string;
    }) => {
      const m = /^([A-Z]{2}):(bio:[0-9a-f]{32}:\d+|[A-Za-z0-9_-]+)$/.exec(o.hit);
      const country = m?.[1];
      const token = m?.[2];
      if (country === undefined || token === undefined) {
        throw new VeilError('bad_request', '--hit must be COUNTRY:TOKEN as printed by veil query (or COUNTRY:bio:QUERY:POSITION from veil bio-match)');
      }
      const fields = o.fields.split(',').map((f) => f.trim());
      for (const f of fields) if (!(DISCLOSURE_FIELDS as readonly string[]).includes(f)) throw new VeilError('bad_request', `unknown field ${f}`);
      const client = await VeilClient.connect(o.cred, o.nodeUrl ? { nodeUrl: o.nodeUrl } : {});
      const ctx = { purpose: o.purpose, caseRef: o.case, legalBasis: o.legalBasis };
      const opts = { fields: fields as DisclosureField[], justification: o.justification };
      const isBio = token.startsWith('bio:');
      if (isBio && !o.embedding) throw new VeilError('bad_request', 'a biometric hit needs --embedding (the probe you searched with)');
      const r = isBio
        ? await client.requestBioDisclosure({ country, ref: token }, (o.modality ?? 'face') as BioModality, readEmbedding(o.embedding as string), ctx, opts)
        : await client.requestDisclosure({ country, token }, subjectFrom(o), ctx, opts);
      out(!!o.json, r, () => `disclosure request ${r.id} ${r.status} to ${country}; follow it with: veil disclosures --cred ${o.cred}`);
    },
  );

  program
    .command('disclosures')
    .description('my disclosure requests: pending, approved (with the released record), denied, expired')
    .requiredOption('--cred <file>', 'analyst credential file')
    .option('--node-url <url>', 'override the node URL from the credential')
    .option('--json', 'JSON output')
    .action(async (o: { cred: string; nodeUrl?: string; json?: boolean }) => {
      const client = await VeilClient.connect(o.cred, o.nodeUrl ? { nodeUrl: o.nodeUrl } : {});
      const list = await client.disclosures();
      out(!!o.json, list, () =>
        list.length === 0
          ? '(no disclosure requests)'
          : list
              .map((d) => {
                const head = `${d.id}  ${d.to}  ${d.status.toUpperCase()}${d.code ? ` (${d.code})` : ''}  requested: ${d.fields.join(',')}  ${new Date(d.createdAt).toISOString()}`;
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
