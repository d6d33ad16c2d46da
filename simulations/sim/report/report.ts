/**
 * `report.html`: one self-contained page (inline CSS and SVG, no script, no network) with the run's
 * headline figures, latency CDF, throughput over time, DET curves, bytes per party, per-hop latencies,
 * matching quality, adversaries and the leakage ledger (excess rows in red). Figures are printed from
 * `results.json` with `data-key` naming their path there, so a test can compare the two.
 */
import type { AdversaryReport } from '../adversaries/adversary.ts';
import type { Measured, Results } from '../results.ts';
import { barChart, esc, lineChart } from './svg.ts';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#1a1a1a}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.tiles{display:flex;flex-wrap:wrap;gap:10px}.tile{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:130px}
.tile b{display:block;font-size:18px}.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}
figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}svg text{font-size:11px;fill:#333}svg .label{font-size:12px}
svg .grid{stroke:#eee}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
tr.verdict-excess td{background:#fde2e2;color:#9b1c1c;font-weight:600}tr.verdict-unlisted td{background:#fff4d6}
.bad{color:#9b1c1c;font-weight:700}.good{color:#15803d;font-weight:700}.empty{color:#777}code{font-size:12px}`;

/** The value at a dotted path of the results (for `data-key` figures). */
export function at(results: unknown, path: string): unknown {
  let v: unknown = results;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function tile(r: Results, label: string, path: string, unit = ''): string {
  const v = at(r, path);
  return `<div class="tile">${esc(label)}<b><span data-key="${esc(path)}">${esc(String(v ?? '–'))}</span>${unit ? ` ${esc(unit)}` : ''}</b></div>`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, rowClass: (i: number) => string = () => ''): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((row, i) => `<tr class="${rowClass(i)}">${row.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

function adversaryTable(list: readonly AdversaryReport[]): string {
  if (list.length === 0) return '<p class="empty">No adversary in this scenario.</p>';
  return table(
    ['kind', 'who', 'contained', 'what it achieved'],
    list.map((a) => [esc(a.kind), esc(a.who), a.contained ? '<span class="good">yes</span>' : '<span class="bad">no</span>', esc(a.summary)]),
    (i) => (list[i]?.contained ? '' : 'verdict-excess'),
  );
}

/**
 * DET points on log axes: a rate of 0 is drawn at half the smallest non-zero rate the run could
 * measure (1/(2n) for n pairs), so a curve with few pairs still shows; the caption says so.
 */
export function detPoints(
  rows: ReadonlyArray<readonly [number, number, number]>,
  det: { genuinePairs: number; impostorPairs: number },
): Array<[number, number]> {
  const fmrFloor = 1 / (2 * Math.max(1, det.impostorPairs));
  const fnmrFloor = 1 / (2 * Math.max(1, det.genuinePairs));
  return rows.map(([, fmr, fnmr]) => [Math.max(fmr, fmrFloor), Math.max(fnmr, fnmrFloor)]);
}

export function renderReport(r: Results, m: Measured): string {
  const det = r.biometric.det;
  const roles = Object.entries(r.bytes.roles);
  const hops = Object.entries(
    r.latency.hops as Record<string, { messages: number; bytes: number; transitMs: { p50: number; p99: number }; handlingMs: { p50: number; p99: number } }>,
  );
  const matching = r.matching as {
    precisionByClass: Record<string, { trueHits: number; falseHits: number; precision: number | null }>;
    recallByVariant: Record<string, { pairs: number; found: number; recall: number | null }>;
  };
  const excess = r.ledger.summary.excess;
  const charts = [
    lineChart({ id: 'latency-cdf', title: 'End-to-end latency (CDF)', x: 'latency (ms, virtual)', y: 'share of queries ≤ x' }, [
      { label: 'all queries', points: r.latency.cdf },
    ]),
    lineChart({ id: 'throughput', title: 'Completed queries over time', x: 'time since workload start (s)', y: 'queries/s' }, [
      { label: 'completed', points: r.throughput.series },
    ]),
    lineChart(
      {
        id: 'det',
        title: det
          ? `DET curve, ${det.probes} probes (${det.genuinePairs} genuine, ${det.impostorPairs} impostor pairs; 0 drawn at 1/2n), encrypted vs plaintext (τ = ${det.tau})`
          : 'DET curve',
        x: 'FMR',
        y: 'FNMR',
        logX: true,
        logY: true,
      },
      det
        ? [
            { label: 'plaintext', points: detPoints(det.plaintext, det) },
            { label: 'encrypted (CKKS)', points: detPoints(det.encrypted, det) },
          ]
        : [],
    ),
    barChart(
      { id: 'bytes', title: 'Bytes per party (mean per party of each role)', unit: 'B' },
      roles.map(([k]) => k),
      [
        { label: 'sent', values: roles.map(([, v]) => v.meanSent) },
        { label: 'received', values: roles.map(([, v]) => v.meanReceived) },
      ],
    ),
  ];
  const ledgerRows = r.ledger.rows.map((l) => [
    esc(l.role),
    esc(l.category),
    String(l.observations),
    String(l.parties),
    `<code>${esc(l.example)}</code>`,
    esc(l.verdict),
    esc(l.rule),
  ]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Veil simulation: ${esc(r.scenario.name)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>${CSS}</style></head><body>
<h1>Veil simulation: ${esc(r.scenario.name)}</h1>
<p>${esc(r.scenario.description)}</p>
<p>Seed <span data-key="scenario.seed">${r.scenario.seed}</span>, ${r.scenario.countries.length} countries, virtual start ${esc(r.time.start)}.
Ran in ${m.wallSeconds} s of real time (peak ${m.peakRssMiB} MiB). ${
    excess > 0
      ? `<span class="bad" id="verdict">Leakage ledger: <span data-key="ledger.summary.excess">${excess}</span> rows exceed what the design allows (exit code ${r.exit.code}).</span>`
      : `<span class="good" id="verdict">Leakage ledger: no excess (<span data-key="ledger.summary.excess">0</span> rows).</span>`
  }</p>
<h2>Headline</h2><div class="tiles">
${tile(r, 'queries planned', 'queries.planned')}${tile(r, 'completed', 'queries.completed')}${tile(r, 'failed', 'queries.failed')}
${tile(r, 'latency p50', 'latency.endToEndMs.p50', 'ms')}${tile(r, 'latency p99', 'latency.endToEndMs.p99', 'ms')}${tile(r, 'throughput', 'throughput.meanPerSecond', 'q/s')}
${tile(r, 'records', 'population.records')}${tile(r, 'bio FMR (protocol)', 'biometric.protocol.fmr')}${tile(r, 'bio FNMR (protocol)', 'biometric.protocol.fnmr')}
${tile(r, 'disclosures requested', 'disclosures.requested')}${tile(r, 'disclosure turnaround p50', 'disclosures.turnaroundMs.p50', 'ms')}
</div>
<h2>Charts</h2><div class="grid2">${charts.join('\n')}</div>
<h2>Per-hop latency</h2>${table(
    ['hop', 'messages', 'bytes', 'transit p50 / p99 (ms)', 'handling p50 / p99 (ms)'],
    hops.map(([k, h]) => [esc(k), String(h.messages), String(h.bytes), `${h.transitMs.p50} / ${h.transitMs.p99}`, `${h.handlingMs.p50} / ${h.handlingMs.p99}`]),
  )}
<h2>Name and identifier matching against ground truth</h2>${table(
    ['match class', 'true hits', 'false hits', 'precision'],
    Object.entries(matching.precisionByClass).map(([k, v]) => [esc(k), String(v.trueHits), String(v.falseHits), String(v.precision ?? '–')]),
  )}<p></p>${table(
    ['how the query was written', 'pairs', 'found', 'recall'],
    Object.entries(matching.recallByVariant).map(([k, v]) => [esc(k), String(v.pairs), String(v.found), String(v.recall ?? '–')]),
  )}
<h2>Adversaries</h2>${adversaryTable(r.adversaries)}
<h2>Leakage ledger</h2><p>Every value each party role received, classified against what the design says it may learn.
Rows: <span data-key="ledger.summary.allowed">${r.ledger.summary.allowed}</span> allowed, <span data-key="ledger.summary.unlisted">${r.ledger.summary.unlisted}</span> unlisted (amber), <span data-key="ledger.summary.excess">${excess}</span> excess (red).</p>
${table(['role', 'category', 'observations', 'parties', 'example path', 'verdict', 'rule'], ledgerRows, (i) => `verdict-${r.ledger.rows[i]?.verdict ?? ''}`)}
</body></html>
`;
}

/** The sweep's page: one line per figure against the swept parameter, linking each run's report. */
export function renderSweep(param: string, runs: ReadonlyArray<{ value: string; results: Results; dir: string }>): string {
  const xs = runs.map((run, i) => [Number.isFinite(Number(run.value)) ? Number(run.value) : i, run.results] as const);
  const series = (path: string) => xs.map(([x, r]) => [x, Number(at(r, path) ?? Number.NaN)] as const);
  const charts = [
    lineChart({ id: 'sweep-latency', title: `Latency against ${param}`, x: param, y: 'ms (virtual)' }, [
      { label: 'p50', points: series('latency.endToEndMs.p50') },
      { label: 'p99', points: series('latency.endToEndMs.p99') },
    ]),
    lineChart({ id: 'sweep-throughput', title: `Throughput against ${param}`, x: param, y: 'queries/s' }, [
      { label: 'mean', points: series('throughput.meanPerSecond') },
    ]),
    lineChart({ id: 'sweep-failed', title: `Failed queries and ledger excess against ${param}`, x: param, y: 'count' }, [
      { label: 'failed queries', points: series('queries.failed') },
      { label: 'ledger excess rows', points: series('ledger.summary.excess') },
    ]),
  ];
  const rows = runs.map((run) => [
    esc(run.value),
    `<a href="${esc(run.dir)}/report.html">${esc(run.dir)}</a>`,
    String(at(run.results, 'latency.endToEndMs.p50')),
    String(at(run.results, 'queries.failed')),
    String(run.results.exit.code),
  ]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Veil sweep: ${esc(param)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>${CSS}</style></head><body><h1>Veil sweep over <code>${esc(param)}</code></h1>
<div class="grid2">${charts.join('\n')}</div>
<h2>Runs</h2>${table([param, 'report', 'latency p50 (ms)', 'failed', 'exit'], rows)}
</body></html>
`;
}
