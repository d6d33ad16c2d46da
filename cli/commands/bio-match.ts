/**
 * `veil bio-match`: the analyst's encrypted biometric 1:N search. The probe is encrypted on this
 * machine; nodes return masked encrypted scores, and only hits are printed.
 */
import { type Command, Option } from 'commander';
import type { BioModality, Handling, Purpose } from '#protocol';
import { BIO_MODALITIES, HANDLING_CODES, PURPOSES } from '#protocol/vocabulary';
import { connectAnalyst } from '../support/analyst.ts';
import { readEmbedding } from '../support/embedding.ts';
import { out } from '../support/output.ts';
import { parseTargets } from '../support/targets.ts';

export function registerBioMatchCommand(program: Command): void {
  program
    .command('bio-match')
    .description('encrypted biometric 1:N search: the probe is encrypted here; nodes return masked encrypted scores')
    .requiredOption('--cred <file>', 'analyst credential file')
    .addOption(new Option('--modality <m>', 'biometric modality').choices([...BIO_MODALITIES]).default('face'))
    .requiredOption('--embedding <file>', 'JSON file with the probe embedding: an array of numbers (face 512, fingerprint 256)')
    .option('--targets <list>', 'comma-separated countries to ask (default: all members)')
    .addOption(new Option('--purpose <purpose>', 'purpose').choices([...PURPOSES]).default('criminal-investigation'))
    .addOption(new Option('--case <ref>', 'case reference').env('VEIL_CASE').makeOptionMandatory())
    .addOption(new Option('--legal-basis <code>', 'legal basis code').env('VEIL_LEGAL_BASIS').makeOptionMandatory())
    .addOption(new Option('--handling <code>', 'handling code').choices([...HANDLING_CODES]).default('restricted'))
    .option('--node-url <url>', 'override the node URL from the credential')
    .option('--json', 'JSON output')
    .action(
      async (o: {
        cred: string;
        modality: BioModality;
        embedding: string;
        targets?: string;
        purpose: Purpose;
        case: string;
        legalBasis: string;
        handling: Handling;
        nodeUrl?: string;
        json?: boolean;
      }) => {
        const embedding = readEmbedding(o.embedding);
        const targets = o.targets ? parseTargets(o.targets) : undefined;
        const r = await connectAnalyst(o, (client) =>
          client.bioMatch(
            o.modality,
            embedding,
            { purpose: o.purpose, caseRef: o.case, legalBasis: o.legalBasis, handling: o.handling },
            targets ? { targets } : {},
          ),
        );
        const hits = r.results.filter((c) => c.status === 'hit').length;
        out(!!o.json, r, () =>
          [
            `biometric query ${r.queryId} (${r.modality})`,
            ...r.results.map((c) => {
              const mark = c.status === 'hit' ? `HIT (${c.hits.length})` : c.status === 'no-hit' ? 'no hit' : c.status.toUpperCase();
              const refs = c.hits.map((h) => `--hit ${c.country}:${h.ref}`).join(' ');
              return `  ${c.country}  ${mark}${c.code ? ` (${c.code})` : ''}${refs ? `  ${refs}` : ''}`;
            }),
            r.results.length === 0
              ? 'No country was asked: the network has no other member yet.'
              : hits > 0
                ? `${hits} of the ${r.results.length} countries asked hold a matching template.`
                : `No hit: none of the ${r.results.length} countries asked holds a matching template.`,
          ].join('\n'),
        );
      },
    );
}
