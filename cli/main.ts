/**
 * The `veil` command line. Every subcommand has `--help`; `--json` switches output to one JSON document
 * on stdout, errors included. Exit statuses and error output: `support/errors.ts`.
 *
 * This module only sets the program up and runs it; each command group lives in `commands/`, in the
 * order its commands appear in `veil --help`. Command modules load the layers they use inside their
 * actions (`await import('#node')`), so `veil --help` and usage errors load nothing but commander.
 */
import { Command, CommanderError } from 'commander';
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
import { registerStatusCommand } from './commands/status.ts';
import { describeFailure, reportFailure } from './support/errors.ts';
import { usageFailure } from './support/usage.ts';
import { veilVersion } from './support/version.ts';

const program = new Command('veil')
  .description('Veil: privacy-preserving federated queries between police bureaus (blind PSI, owner-approved disclosure).')
  .version(veilVersion(), '-V, --version', 'print the version')
  // Usage errors are reported by the catch below, in the same form as every other error.
  .configureOutput({ outputError: () => {} })
  .exitOverride();

registerOrgCommands(program);
registerCoordinatorCommands(program);
registerNodeCommands(program);
registerStatusCommand(program);
registerTopLevelAnalystCommands(program);
registerQueryCommand(program);
registerBioMatchCommand(program);
registerDiscloseCommands(program);
registerApprovalsCommands(program);
registerAuditCommands(program);
registerSimCommands(program);

const json = process.argv.includes('--json');
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) process.exitCode = 0;
    else reportFailure(usageFailure(program, process.argv.slice(2), e.message), json);
  } else {
    reportFailure(describeFailure(e), json, e);
  }
}
