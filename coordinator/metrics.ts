/**
 * The coordinator's metrics (`veil_coordinator_*`, documented in docs/operations.md): frames handled
 * by kind and outcome, queries by kind and how they ended with their latency, target answers by
 * status, rate-limit refusals and logins, and — read at scrape time — members admitted and connected
 * (one series per admitted member's country code, 1 when connected), queries waiting for answers and
 * mail waiting for delivery. Labels hold frame kinds, statuses, registry codes and member country
 * codes only.
 */
import { type MetricsRegistry, secondsSince } from '#platform';
import { type Answer, ERROR_CODES, type ErrorCode, type NodeFrame } from '#protocol';

export const QUERY_KINDS = ['identifier', 'biometric'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];
const FRAME_TYPES = ['descriptor', 'query', 'eval-results', 'lookup', 'publish', 'mail-send', 'mail-ack'] as const satisfies readonly NodeFrame['t'][];
const CODES = ['ok', ...Object.keys(ERROR_CODES)];
const ANSWER_STATUSES = ['answered', 'unavailable', 'timeout', 'error'] as const satisfies readonly Answer['status'][];

/** What the services report; every method is cheap and synchronous. */
export interface CoordinatorMetrics {
  frame(type: NodeFrame['t'], outcome: 'ok' | ErrorCode, seconds: number): void;
  queryFinished(kind: QueryKind, outcome: 'complete' | 'deadline' | 'shutdown', seconds: number, answers: readonly Answer[]): void;
  rateLimited(country: string): void;
  login(outcome: 'ok' | ErrorCode): void;
}

export const noCoordinatorMetrics: CoordinatorMetrics = { frame() {}, queryFinished() {}, rateLimited() {}, login() {} };

/** What the scrape-time gauges read. */
export interface CoordinatorGaugeSources {
  connected(): readonly string[];
  admitted(): Promise<readonly string[]>;
  pendingQueries(): number;
  pendingMail(): Promise<number>;
  inFlight(): number;
}

/** The counters and histograms the services report to (gauges: `registerCoordinatorGauges`, once the coordinator exists). */
export function createCoordinatorMetrics(registry: MetricsRegistry): CoordinatorMetrics {
  const frames = registry.counter({
    name: 'veil_coordinator_frames_total',
    help: 'Frames from member nodes handled, by frame kind and outcome (ok or the registry code of the refusal)',
    labels: { type: FRAME_TYPES, outcome: CODES },
  });
  const frameTime = registry.histogram({
    name: 'veil_coordinator_frame_seconds',
    help: 'Time to handle one frame from a member node (store writes included), by frame kind',
    labels: { type: FRAME_TYPES },
  });
  const queries = registry.counter({
    name: 'veil_coordinator_queries_total',
    help: 'Queries fanned out, by kind and how they ended: complete (every target answered or was unavailable), deadline, shutdown',
    labels: { kind: QUERY_KINDS, outcome: ['complete', 'deadline', 'shutdown'] },
  });
  const queryTime = registry.histogram({
    name: 'veil_coordinator_query_seconds',
    help: 'Time from receiving a query to sending its aggregated result, by kind and how it ended',
    labels: { kind: QUERY_KINDS, outcome: ['complete', 'deadline', 'shutdown'] },
  });
  const targets = registry.counter({
    name: 'veil_coordinator_query_targets_total',
    help: 'Per-target outcomes of fanned-out queries: answered, unavailable (not connected), timeout, error',
    labels: { kind: QUERY_KINDS, status: ANSWER_STATUSES },
  });
  const limited = registry.counter({
    name: 'veil_coordinator_rate_limited_total',
    help: 'Queries refused because the sending country exceeded its rate (ratePerCountry), by sending country',
    labels: { country: 'country' },
  });
  const logins = registry.counter({
    name: 'veil_coordinator_logins_total',
    help: 'Member login attempts on the WebSocket upgrade, by outcome (ok or the registry code of the refusal)',
    labels: { outcome: CODES },
  });
  return {
    frame: (type, outcome, seconds) => {
      frames.inc({ type, outcome });
      frameTime.observe({ type }, seconds);
    },
    queryFinished: (kind, outcome, seconds, answers) => {
      queries.inc({ kind, outcome });
      queryTime.observe({ kind, outcome }, seconds);
      for (const a of answers) targets.inc({ kind, status: a.status });
    },
    rateLimited: (country) => limited.inc({ country }),
    login: (outcome) => logins.inc({ outcome }),
  };
}

/** The gauges read at scrape time. */
export function registerCoordinatorGauges(registry: MetricsRegistry, src: CoordinatorGaugeSources): void {
  registry.gauge({
    name: 'veil_coordinator_members_connected',
    help: 'Members with a live, authenticated connection',
    labels: {},
    read: () => [[{}, src.connected().length]],
  });
  registry.gauge({
    name: 'veil_coordinator_member_connected',
    help: 'Per admitted member: 1 when connected, 0 when not',
    labels: { country: 'country' },
    read: async () => {
      const live = new Set(src.connected());
      const all = new Set([...(await src.admitted()), ...live]);
      return [...all].map((c) => [{ country: c }, live.has(c) ? 1 : 0] as const);
    },
  });
  registry.gauge({
    name: 'veil_coordinator_members_admitted',
    help: 'Admitted, active members',
    labels: {},
    read: async () => [[{}, (await src.admitted()).length]],
  });
  registry.gauge({
    name: 'veil_coordinator_queries_pending',
    help: 'Queries waiting for their targets to answer',
    labels: {},
    read: () => [[{}, src.pendingQueries()]],
  });
  registry.gauge({
    name: 'veil_coordinator_mail_pending',
    help: 'Mail items stored and not yet acknowledged by their recipient',
    labels: {},
    read: async () => [[{}, await src.pendingMail()]],
  });
  registry.gauge({
    name: 'veil_coordinator_work_in_flight',
    help: 'Units of work a shutdown waits for (queries pending, HTTP requests)',
    labels: {},
    read: () => [[{}, src.inFlight()]],
  });
}

/** Time a frame handler, sync or async, and report it with its outcome. */
export function timedFrame(
  metrics: CoordinatorMetrics,
  type: NodeFrame['t'],
  run: () => void | Promise<void>,
  codeOf: (e: unknown) => ErrorCode,
): void | Promise<void> {
  const t0 = performance.now();
  let r: void | Promise<void>;
  try {
    r = run();
  } catch (e) {
    metrics.frame(type, codeOf(e), secondsSince(t0));
    throw e;
  }
  if (!r) {
    metrics.frame(type, 'ok', secondsSince(t0));
    return;
  }
  return r.then(
    () => metrics.frame(type, 'ok', secondsSince(t0)),
    (e: unknown) => {
      metrics.frame(type, codeOf(e), secondsSince(t0));
      throw e;
    },
  );
}
