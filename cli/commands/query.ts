/**
 * `veil query`: the analyst's blind query — which member countries hold this person, document or
 * vehicle — through the SDK, printed by `formatQuery` or as JSON.
 */
import { type Command, Option } from 'commander';
import { HANDLING_CODES, type Handling, PURPOSES, type Purpose } from '#protocol';
import { VeilClient } from '#sdk';
import { out } from '../shared/output.ts';
import { subjectFrom } from '../shared/subject.ts';
import { parseTargets } from '../shared/targets.ts';
import { formatQuery } from './query-format.ts';

export function registerQueryCommand(program: Command): void {
  program
    .command('query')
    .description('blind query: which member countries hold this person, document or vehicle?')
    .requiredOption('--cred <file>', 'analyst credential file')
    .option('--name <name>', 'full name (any script); needs --dob')
    .option('--dob <date>', 'date of birth (YYYY-MM-DD, DD.MM.YYYY, … or YYYY)')
    .option('--doc <type:country:number>', 'identity document, e.g. passport:FRA:12AB34567')
    .option('--vin <vin>', 'vehicle identification number')
    .option('--targets <list>', 'comma-separated countries to ask (default: all members)')
    .option('--bucket', 'bucket lookups: the coordinator does not learn which tag was looked up or whether it hit')
    .addOption(new Option('--purpose <purpose>', 'purpose of the search').choices([...PURPOSES]).default('criminal-investigation'))
    .addOption(new Option('--case <ref>', 'case reference').env('VEIL_CASE').makeOptionMandatory())
    .addOption(new Option('--legal-basis <code>', 'legal basis code').env('VEIL_LEGAL_BASIS').makeOptionMandatory())
    .addOption(new Option('--handling <code>', 'handling code').choices([...HANDLING_CODES]).default('restricted'))
    .option('--node-url <url>', 'override the node URL from the credential')
    .option('--json', 'JSON output')
    .action(
      async (o: {
        cred: string;
        name?: string;
        dob?: string;
        doc?: string;
        vin?: string;
        targets?: string;
        bucket?: boolean;
        purpose: Purpose;
        case: string;
        legalBasis: string;
        handling: Handling;
        nodeUrl?: string;
        json?: boolean;
      }) => {
        const subject = subjectFrom(o);
        const client = await VeilClient.connect(o.cred, o.nodeUrl ? { nodeUrl: o.nodeUrl } : {});
        const r = await client.query(
          subject,
          { purpose: o.purpose, caseRef: o.case, legalBasis: o.legalBasis, handling: o.handling },
          { mode: o.bucket ? 'bucket' : 'exact', ...(o.targets ? { targets: parseTargets(o.targets) } : {}) },
        );
        out(!!o.json, r, () => formatQuery(r));
      },
    );
}
