/**
 * The readable form of the JSON log lines, for a terminal (`VEIL_LOG_FORMAT=pretty`, the default when
 * stderr is one) and for reading a saved log (`prettyLogLine` on each line):
 *
 *   14:03:07.412 INFO  node-FR  coordinator link up  country=FR
 *   14:03:09.020 WARN  node-FR  gateway request rate-limited  requestId=3f…  kind=query/analyst count=1
 *
 * Only the fields of the JSON line are printed, so the readable form shows nothing the JSON does not.
 */

const COLORS: Record<string, string> = { trace: '90', debug: '90', info: '32', warn: '33', error: '31', fatal: '35' };
const FIXED = new Set(['level', 'time', 'name', 'msg']);

/** One JSON log line in readable form; a line that is not a JSON object is returned as it is. */
export function prettyLogLine(line: string, color = false): string {
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return line.trimEnd();
    o = v as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const time = typeof o.time === 'string' ? o.time.slice(11, 23) : '';
  const level = typeof o.level === 'string' ? o.level : String(o.level ?? '');
  const tag = level.toUpperCase().padEnd(5);
  const shown = color && COLORS[level] ? `\u001b[${COLORS[level]}m${tag}\u001b[0m` : tag;
  const rest = Object.entries(o)
    .filter(([k]) => !FIXED.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return [time, shown, String(o.name ?? ''), String(o.msg ?? ''), rest].filter((s) => s !== '').join('  ');
}

/** A pino destination that writes each line in readable form to `out`. */
export function prettyLogStream(out: { write(s: string): unknown }, color: boolean): { write(line: string): void } {
  return {
    write: (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim() !== '') out.write(`${prettyLogLine(line, color)}\n`);
    },
  };
}
