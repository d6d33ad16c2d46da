/**
 * The `veil` command line. Every subcommand has `--help`. Errors print `error [code]: message` and exit
 * with status 1 (2 for usage errors); `--json` switches output to one JSON document on stdout.
 *
 * This module only sets the program up and runs it; each command group lives in `commands/`, in the
 * order its commands appear in `veil --help`.
 */
import { Command, CommanderError } from 'commander';
import { asVeilError } from '#protocol';
import { registerTopLevelAnalystCommands } from './commands/analyst.ts';
import { registerApprovalsCommands } from './commands/approvals.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerBioMatchCommand } from './commands/bio-match.ts';
import { registerCoordinatorCommands } from './commands/coordinator.ts';
import { registerDiscloseCommands } from './commands/disclose.ts';
import { registerNodeCommands } from './commands/node.ts';
import { registerOrgCommands } from './commands/org.ts';
import { registerQueryCommand } from './commands/query.ts';
import { registerSimCommands } from './commands/sim.ts';

const program = new Command('veil')
  .description('Veil: privacy-preserving federated queries between police bureaus (blind PSI, owner-approved disclosure).')
  .showHelpAfterError()
  .exitOverride();

registerOrgCommands(program);
registerCoordinatorCommands(program);
registerNodeCommands(program);
registerTopLevelAnalystCommands(program);
registerQueryCommand(program);
registerBioMatchCommand(program);
registerDiscloseCommands(program);
registerApprovalsCommands(program);
registerAuditCommands(program);
registerSimCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    const v = asVeilError(e);
    process.stderr.write(`error [${v.code}]: ${v.message}\n`);
    if (v.code === 'internal' && process.env.VEIL_DEBUG === '1') console.error(e);
    process.exitCode = 1;
  }
}
