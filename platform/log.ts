/**
 * Logging with allow-listed fields only (CONTRIBUTING.md, code rule 13).
 *
 * The logger accepts a fixed set of metadata fields — ids, kinds, countries, counts, durations, error
 * codes — so an identifier, embedding, ciphertext or case text cannot reach a log by accident: there is
 * no field to put it in. Errors are logged by code, never by a dependency's message.
 */
import { pino } from 'pino';
import { asVeilError } from '#protocol';

export interface LogFields {
  queryId?: string;
  requestId?: string;
  kind?: string;
  country?: string;
  peer?: string;
  count?: number;
  ms?: number;
  code?: string;
  port?: number;
  epoch?: number;
  seq?: number;
  attempt?: number;
  url?: string;
}

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, err: unknown, fields?: LogFields): void;
  debug(event: string, fields?: LogFields): void;
}

export function createLogger(name: string, level = process.env.VEIL_LOG_LEVEL ?? 'info'): Logger {
  const base = pino({ name, level, base: null }, pino.destination({ fd: 2, sync: false }));
  const clean = (f: LogFields | undefined): LogFields => f ?? {};
  return {
    info: (event, f) => base.info(clean(f), event),
    warn: (event, f) => base.warn(clean(f), event),
    debug: (event, f) => base.debug(clean(f), event),
    error: (event, err, f) => {
      const e = asVeilError(err);
      // Only the code is logged. A dependency's message or stack may quote decoded peer data, so the
      // stack of an internal fault is shown only when a developer opts in with VEIL_DEBUG=1.
      const debug = process.env.VEIL_DEBUG === '1' && e.cause instanceof Error ? { stack: e.cause.stack } : {};
      base.error({ ...clean(f), code: e.code, ...debug }, event);
    },
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };
