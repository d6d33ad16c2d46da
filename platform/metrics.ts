/**
 * Prometheus metrics (text exposition format 0.0.4) with labels that cannot carry personal data.
 *
 * Every metric is declared with its label names and, for each label, the only values it may take: a
 * closed list (request kinds, outcomes, error codes) or `country` (an ISO 3166-1 alpha-2 member code).
 * A value outside its rule is recorded as `other`, so an identifier, a name, an analyst id or a request
 * id cannot become a label value — there is no way to put one there, even by mistake. Metric names
 * start with `veil_` and are listed in `docs/operations.md`.
 *
 * Each process keeps one registry: the default process metrics of prom-client (resident memory, heap,
 * event-loop lag from `monitorEventLoopDelay`, CPU, open file descriptors, GC) plus what its services
 * declare. Gauges that describe state (connected members, queue depths) are read when scraped, so
 * nothing has to keep them up to date. Only this module imports prom-client.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { VeilError } from '#protocol';

/** The values a label may take: a closed list, or a member's country code. */
export type LabelRule = readonly string[] | 'country';
export type LabelRules<L extends string> = { readonly [K in L]: LabelRule };
export type LabelValues<L extends string> = { readonly [K in L]: string };

export interface MetricSpec<L extends string> {
  /** `veil_<process>_<what>_<unit>`. */
  name: string;
  help: string;
  labels: LabelRules<L>;
}

export interface CounterMetric<L extends string> {
  inc(labels: LabelValues<L>, n?: number): void;
}

export interface HistogramMetric<L extends string> {
  observe(labels: LabelValues<L>, seconds: number): void;
}

export interface GaugeMetric<L extends string> {
  set(labels: LabelValues<L>, value: number): void;
}

/** One sample of a gauge read at scrape time. */
export type GaugeSample<L extends string> = readonly [LabelValues<L>, number];

/** The value recorded for a label value its rule does not allow. */
export const OTHER_LABEL = 'other';
const COUNTRY = /^[A-Z]{2}$/;
const NAME = /^veil_[a-z][a-z0-9_]*$/;

/** Latency buckets (seconds) from 1 ms to 2 min: identifier queries sit low, biometric ones high. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const;

function allowed(rule: LabelRule, value: string): string {
  if (rule === 'country') return COUNTRY.test(value) ? value : OTHER_LABEL;
  return rule.includes(value) ? value : OTHER_LABEL;
}

function clean<L extends string>(rules: LabelRules<L>, values: LabelValues<L>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(rules) as L[]) out[k] = allowed(rules[k], values[k]);
  return out;
}

export class MetricsRegistry {
  readonly #registry = new Registry();
  readonly #names = new Set<string>();

  /** `processMetrics` (default true): resident memory, heap, event-loop lag, CPU, file descriptors, GC. */
  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.#registry, eventLoopMonitoringPrecision: 10 });
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  /** The exposition text of every metric. */
  text(): Promise<string> {
    return this.#registry.metrics();
  }

  counter<L extends string>(spec: MetricSpec<L>): CounterMetric<L> {
    const c = new Counter({ ...this.#base(spec), registers: [this.#registry] });
    return { inc: (labels, n = 1) => c.inc(clean(spec.labels, labels), n) };
  }

  histogram<L extends string>(spec: MetricSpec<L> & { buckets?: readonly number[] }): HistogramMetric<L> {
    const h = new Histogram({ ...this.#base(spec), buckets: [...(spec.buckets ?? LATENCY_BUCKETS)], registers: [this.#registry] });
    return { observe: (labels, seconds) => h.observe(clean(spec.labels, labels), seconds) };
  }

  /**
   * A gauge. With `read`, its samples are taken at scrape time (a failing read leaves the gauge out of
   * that scrape rather than failing the whole scrape).
   */
  gauge<L extends string>(spec: MetricSpec<L> & { read?: () => readonly GaugeSample<L>[] | Promise<readonly GaugeSample<L>[]> }): GaugeMetric<L> {
    const read = spec.read;
    const g: Gauge = new Gauge({
      ...this.#base(spec),
      registers: [this.#registry],
      ...(read
        ? {
            async collect() {
              let samples: readonly GaugeSample<L>[];
              try {
                samples = await read();
              } catch {
                return;
              }
              g.reset();
              for (const [labels, v] of samples) g.set(clean(spec.labels, labels), v);
            },
          }
        : {}),
    });
    return { set: (labels, v) => g.set(clean(spec.labels, labels), v) };
  }

  #base<L extends string>(spec: MetricSpec<L>): { name: string; help: string; labelNames: string[] } {
    if (!NAME.test(spec.name)) throw new VeilError('internal', `metric name ${spec.name} does not start with veil_`);
    if (this.#names.has(spec.name)) throw new VeilError('internal', `metric ${spec.name} declared twice`);
    this.#names.add(spec.name);
    return { name: spec.name, help: spec.help, labelNames: Object.keys(spec.labels) };
  }
}

/** Seconds elapsed since `startMs` (a `performance.now()` reading). */
export function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}
