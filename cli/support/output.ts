/**
 * How every command prints its result: one JSON document on stdout with `--json`, else the text the
 * command renders (rendered only when needed).
 */
export function out(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}
