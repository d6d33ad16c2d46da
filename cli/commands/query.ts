/**
 * `veil query`: the analyst's blind query — which member countries hold this person, document or
 * vehicle — through the SDK, printed by `formatQuery` (the strength of each hit in words) or as JSON
 * (every hit with the classes that met, its strength and words).
 */
import { type Command, Option } from 'commander';
import type { Handling, Purpose } from '#protocol';
import { DATE_ORDERS, GENDERS, HANDLING_CODES, PURPOSES } from '#protocol/vocabulary';
import { connectAnalyst } from '../support/analyst.ts';
import { out } from '../support/output.ts';
import { type SubjectOptions, subjectFrom } from '../support/subject.ts';
import { parseTargets } from '../support/targets.ts';
import { formatQuery } from './query-format.ts';

export function registerQueryCommand(program: Command): void {
  program
    .command('query')
    .description('blind query: which member countries hold this person, document or vehicle?')
    .requiredOption('--cred <file>', 'analyst credential file')
    .option('--name <name>', 'full name (any script); needs --dob')
    .option('--dob <date>', 'date of birth: YYYY-MM-DD, DD.MM.YYYY, MM/DD/YYYY (with --date-order mdy), YYYY-MM or YYYY')
    .addOption(new Option('--sex <sex>', "the person's sex, if known: keeps Ivanov and Ivanova (and the like) apart").choices([...GENDERS]))
    .addOption(
      new Option('--date-order <order>', 'how to read a date written with the year last (default: an ambiguous one is asked both ways)').choices([
        ...DATE_ORDERS,
      ]),
    )
    .option('--doc <type:country:number>', 'identity document, e.g. passport:FRA:12AB34567')
    .option('--vin <vin>', 'vehicle identification number')
    .option('--targets <list>', 'comma-separated countries to ask (default: every other member)')
    .option('--bucket', 'bucket lookups: the coordinator does not learn which tag was looked up or whether it hit')
    .addOption(new Option('--purpose <purpose>', 'purpose of the search').choices([...PURPOSES]).default('criminal-investigation'))
    .addOption(new Option('--case <ref>', 'case reference').env('VEIL_CASE').makeOptionMandatory())
    .addOption(new Option('--legal-basis <code>', 'legal basis code').env('VEIL_LEGAL_BASIS').makeOptionMandatory())
    .addOption(new Option('--handling <code>', 'handling code').choices([...HANDLING_CODES]).default('restricted'))
    .option('--node-url <url>', 'override the node URL from the credential')
    .option('--json', 'JSON output')
    .action(
      async (
        o: SubjectOptions & {
          cred: string;
          targets?: string;
          bucket?: boolean;
          purpose: Purpose;
          case: string;
          legalBasis: string;
          handling: Handling;
          nodeUrl?: string;
          json?: boolean;
        },
      ) => {
        const subject = subjectFrom(o);
        const targets = o.targets ? parseTargets(o.targets) : undefined;
        const r = await connectAnalyst(o, (client) =>
          client.query(
            subject,
            { purpose: o.purpose, caseRef: o.case, legalBasis: o.legalBasis, handling: o.handling },
            { mode: o.bucket ? 'bucket' : 'exact', ...(targets ? { targets } : {}) },
          ),
        );
        out(!!o.json, r, () => formatQuery(r));
      },
    );
}
