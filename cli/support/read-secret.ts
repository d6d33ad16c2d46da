/**
 * Secrets (data-owner passwords) never come from the command line, where other users and the shell
 * history would see them: they are read from a terminal without echo, or from piped stdin.
 */
import { CliError } from './errors.ts';

/** Read a secret from a terminal without echo, or the first line of piped stdin. */
export async function readSecret(prompt: string, env = 'VEIL_OWNER_PASSWORD'): Promise<string> {
  const { createInterface } = await import('node:readline');
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw new CliError('bad_request', 'nothing on stdin to read the secret from', {
      hint: `pipe it in on stdin, set ${env}, or run in a terminal to be asked`,
    });
  }
  process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, output: undefined, terminal: true });
  process.stdin.setRawMode?.(true);
  return new Promise((resolve) => {
    let s = '';
    const onData = (b: Buffer) => {
      const ch = b.toString('utf8');
      if (ch === '\r' || ch === '\n' || ch === '\u0004') {
        process.stdin.off('data', onData);
        process.stdin.setRawMode?.(false);
        rl.close();
        process.stderr.write('\n');
        resolve(s);
      } else if (ch === '\u0003') process.exit(130);
      else if (ch === '\u007f') s = s.slice(0, -1);
      else s += ch;
    };
    process.stdin.on('data', onData);
  });
}
