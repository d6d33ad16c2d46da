/** Log lines: JSON with a level word, ISO time and the process name; the readable form; errors by code only. */
import { describe, expect, it } from 'vitest';
import { VeilError } from '#protocol';
import { createLogger, logFormat, withLogContext } from './log.ts';
import { prettyLogLine } from './log-pretty.ts';

function collect(format: 'json' | 'pretty', level = 'info') {
  const lines: string[] = [];
  const log = createLogger('node-FR', { level, format, stream: { write: (l) => void lines.push(l) } });
  return { log, lines };
}

describe('logs', () => {
  it('writes JSON lines with level, time, name, message and the allowed fields', () => {
    const { log, lines } = collect('json');
    log.info('coordinator link up', { country: 'FR' });
    log.debug('not shown at info');
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(lines).toHaveLength(1);
    expect(o).toMatchObject({ level: 'info', name: 'node-FR', msg: 'coordinator link up', country: 'FR' });
    expect(o.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('logs an error by its code, never its message or a cause', () => {
    const { log, lines } = collect('json');
    log.error('import failed', new Error('bad row: Ivanov, Vladimir 1979-05-21'));
    log.error('refused', new VeilError('forbidden', 'analyst Jane Roe'));
    expect(lines.join('\n')).not.toMatch(/Ivanov|Roe/);
    expect(lines.map((l) => (JSON.parse(l) as { code: string }).code)).toEqual(['internal', 'forbidden']);
  });

  it('carries the request id of the context it is written in', async () => {
    const { log, lines } = collect('json');
    await withLogContext({ requestId: 'req-12345678' }, async () => {
      await Promise.resolve();
      log.warn('inside');
    });
    log.warn('outside');
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'req-12345678' });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('requestId');
  });

  it('prints a readable form for terminals, with the same fields', () => {
    const { log, lines } = collect('pretty');
    log.warn('gateway request rate-limited', { kind: 'query/analyst', count: 3 });
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}WARN {3}node-FR {2}gateway request rate-limited {2}kind=query\/analyst count=3\n$/);
    expect(prettyLogLine('not json')).toBe('not json');
  });

  it('chooses the readable form on a terminal unless told otherwise', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ VEIL_LOG_FORMAT: 'json' }, true)).toBe('json');
  });
});
