/**
 * A usage error (unknown command or option, missing argument) as one failure: commander's message and
 * the `--help` of the command that was being parsed.
 */
import type { Command } from 'commander';
import { type CliFailure, EXIT_CODES } from './errors.ts';

export function usageFailure(program: Command, args: readonly string[], message: string): CliFailure {
  const path = [program.name()];
  let cmd = program;
  for (const a of args) {
    if (a.startsWith('-')) break;
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) break;
    path.push(a);
    cmd = sub;
  }
  return { code: 'usage', message: message.replace(/^error: /, ''), fix: `see \`${path.join(' ')} --help\``, exit: EXIT_CODES.usage };
}
