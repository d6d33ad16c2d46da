/**
 * A node's metrics (`veil_node_*` for the node's work for the network, `veil_gateway_*` for its
 * analysts' requests; documented in docs/operations.md): queries from other countries answered and
 * refused (with the registry code), budget refusals, encrypted-search time, the analysts' requests
 * forwarded to the coordinator with the time spent waiting, rate-limit refusals, and — read at scrape
 * time — the coordinator link, unpublished index chunks, unsent mail, disclosure requests waiting for
 * the data owners, queued biometric searches and work in flight. Labels hold kinds, scopes, outcomes,
 * registry codes and modalities only: never an analyst, a requesting country's query or a record.
 */
import type { MetricsRegistry } from '#platform';
import { BIO_MODALITIES, type BioModality, ERROR_CODES, type ErrorCode } from '#protocol';
import type { LimitedKind, LimitScope } from './gateway/limiter.ts';
import type { InboundKindName, InboundMetrics } from './inbound.ts';

const INBOUND_KINDS = ['identifier', 'biometric'] as const satisfies readonly InboundKindName[];
const CODES = ['none', ...Object.keys(ERROR_CODES)];
const LIMITED = ['query', 'bio-query', 'lookup'] as const satisfies readonly LimitedKind[];
const SCOPES = ['analyst', 'country', 'in-flight'] as const satisfies readonly LimitScope[];

export interface GatewayMetrics {
  /** A request forwarded to the coordinator came back (`ok`) or failed with `code`, after `seconds`. */
  forwarded(kind: LimitedKind, outcome: 'ok' | ErrorCode, seconds: number): void;
  rateLimited(kind: LimitedKind, scope: LimitScope): void;
}

export interface BioMetrics extends InboundMetrics {
  searched(modality: BioModality, seconds: number): void;
}

export interface NodeMetrics {
  inbound: BioMetrics;
  gateway: GatewayMetrics;
}

export const noInboundMetrics: BioMetrics = { answered() {}, refused() {}, overBudget() {}, searched() {} };
export const noGatewayMetrics: GatewayMetrics = { forwarded() {}, rateLimited() {} };

/** What the scrape-time gauges read. */
export interface NodeGaugeSources {
  coordinatorConnected(): boolean;
  unpublishedChunks(): number;
  unsentMail(): number;
  pendingApprovals(): number;
  bioQueued(): number;
  inFlight(): number;
  members(): number;
}

export function createNodeMetrics(registry: MetricsRegistry): NodeMetrics {
  const queries = registry.counter({
    name: 'veil_node_queries_total',
    help: 'Queries from other countries handled by this node, by kind, outcome (answered or refused) and registry code of a refusal',
    labels: { kind: INBOUND_KINDS, outcome: ['answered', 'refused'], code: CODES },
  });
  const budget = registry.counter({
    name: 'veil_node_budget_refusals_total',
    help: "Queries refused over_budget, by kind and which daily budget was spent (the requesting country's or its analyst's)",
    labels: { kind: INBOUND_KINDS, scope: ['country', 'analyst'] },
  });
  const search = registry.histogram({
    name: 'veil_node_bio_search_seconds',
    help: 'Encrypted biometric search time (scoring the whole gallery under encryption), by modality',
    labels: { modality: BIO_MODALITIES },
  });
  const forwarded = registry.counter({
    name: 'veil_gateway_forwarded_total',
    help: "Analysts' requests forwarded to the coordinator, by kind and outcome (ok or registry code)",
    labels: { kind: LIMITED, outcome: ['ok', ...Object.keys(ERROR_CODES)] },
  });
  const upstream = registry.histogram({
    name: 'veil_gateway_upstream_seconds',
    help: "Time an analyst's forwarded request waited for the coordinator's aggregated answer, by kind",
    labels: { kind: LIMITED },
  });
  const limited = registry.counter({
    name: 'veil_gateway_rate_limited_total',
    help: "Analysts' requests refused rate_limited, by kind and which limit (the analyst's bucket, the country's, or in-flight)",
    labels: { kind: LIMITED, scope: SCOPES },
  });
  return {
    inbound: {
      answered: (kind) => queries.inc({ kind, outcome: 'answered', code: 'none' }),
      refused: (kind, code) => queries.inc({ kind, outcome: 'refused', code }),
      overBudget: (kind, scope) => budget.inc({ kind, scope }),
      searched: (modality, seconds) => search.observe({ modality }, seconds),
    },
    gateway: {
      forwarded: (kind, outcome, seconds) => {
        forwarded.inc({ kind, outcome });
        upstream.observe({ kind }, seconds);
      },
      rateLimited: (kind, scope) => limited.inc({ kind, scope }),
    },
  };
}

export function registerNodeGauges(registry: MetricsRegistry, src: NodeGaugeSources): void {
  const one = (name: string, help: string, read: () => number) => registry.gauge({ name, help, labels: {}, read: () => [[{}, read()]] });
  one('veil_node_coordinator_connected', '1 while the link to the coordinator is up and logged in, else 0', () => (src.coordinatorConnected() ? 1 : 0));
  one('veil_node_publish_outbox_chunks', 'Index chunks waiting to be published to the coordinator', src.unpublishedChunks);
  one('veil_node_mail_outbox', 'Mail items (disclosure requests and decisions) not yet stored by the coordinator', src.unsentMail);
  one('veil_node_disclosures_pending', 'Disclosure requests waiting for a data owner’s decision', src.pendingApprovals);
  one('veil_node_bio_queue', 'Biometric searches queued or running (one runs at a time)', src.bioQueued);
  one('veil_node_work_in_flight', 'Units of work a shutdown waits for (HTTP requests, biometric searches)', src.inFlight);
  one('veil_node_members', 'Members in this node’s verified directory (itself included)', src.members);
}
