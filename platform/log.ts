/**
 * Logging with allow-listed fields only (CONTRIBUTING.md, code rule 13).
 *
 * The logger accepts a fixed set of metadata fields — ids, kinds, countries, counts, durations, error
 * codes — so an identifier, embedding, ciphertext or case text cannot reach a log by accident: there is
 * no field to put it in. Errors are logged by code, never by a dependency's message.
 *
 * Lines are JSON (pino) on stderr: `level` as a word, `time` in ISO 8601, `name` of the process, `msg`,
 * then the fields. Inside an HTTP request every line also carries that request's `requestId` (set by
 * the request-id middleware through `withLogContext`, so services log it without passing it around).
 * `VEIL_LOG_FORMAT=pretty` (the default when stderr is a terminal) prints the same lines in a readable
 * form; `VEIL_LOG_LEVEL` is one of fatal, error, warn, info (default), debug, trace.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino } from 'pino';
import { asVeilError } from '#protocol';
import { prettyLogStream } from './log-pretty.ts';

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
  /** An HTTP route pattern (`/requests/:id`), never the requested path. */
  route?: string;
  method?: string;
  status?: number;
}

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, err: unknown, fields?: LogFields): void;
  debug(event: string, fields?: LogFields): void;
}

/** What every line logged inside a context carries. */
export interface LogContext {
  requestId: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Run `fn` with `ctx` attached to every line logged until it (and what it awaits) completes. */
export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return context.run(ctx, fn);
}

/** The context of the code running now (inside `withLogContext`), if any. */
export function currentLogContext(): LogContext | undefined {
  return context.getStore();
}

export type LogFormat = 'json' | 'pretty';

export function logFormat(env: NodeJS.ProcessEnv = process.env, isTty = process.stderr.isTTY === true): LogFormat {
  const f = env.VEIL_LOG_FORMAT;
  if (f === 'json' || f === 'pretty') return f;
  return isTty ? 'pretty' : 'json';
}

export interface CreateLoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go (default stderr); tests pass a collecting stream. */
  stream?: { write(line: string): void };
}

export function createLogger(name: string, opts: CreateLoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.VEIL_LOG_LEVEL ?? 'info';
  const format = opts.format ?? logFormat();
  const dest =
    format === 'pretty'
      ? prettyLogStream(opts.stream ?? process.stderr, !opts.stream && process.stderr.isTTY === true)
      : (opts.stream ?? pino.destination({ fd: 2, sync: false }));
  const base = pino(
    {
      level,
      base: { name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const ctx = context.getStore();
        return ctx ? { requestId: ctx.requestId } : {};
      },
    },
    dest,
  );
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
