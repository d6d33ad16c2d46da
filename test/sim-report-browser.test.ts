/**
 * `report.html` in a real headless Chromium (Debian's `chromium`, driven by playwright-core; see
 * CONTRIBUTING.md "Tests"): a tiny simulation writes its report, the page opens from disk with no
 * console error and no request beyond the file itself, every chart is drawn with data, each figure
 * printed with a `data-key` equals the value at that path of `results.json`, the bars equal the bytes
 * per role, and the leakage ledger's excess rows are shown in red.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenarioValue, type Results, runSimulation } from '#simulations';

const CHROMIUM = process.env.VEIL_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

function valueAt(v: unknown, path: string): unknown {
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

describe('report.html in Chromium', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('renders every chart, prints the numbers of results.json and shows ledger excess in red', async ({ skip }) => {
    if (!existsSync(CHROMIUM)) {
      const msg = `Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set VEIL_CHROMIUM to run the report browser test`;
      if (process.env.VEIL_REQUIRE_CHROMIUM === '1') throw new Error(msg);
      console.warn(`SKIPPED: ${msg}`);
      skip(msg);
    }
    const out = mkdtempSync(join(tmpdir(), 'veil-sim-report-'));
    cleanup.push(() => rmSync(out, { recursive: true, force: true }));
    // Exact lookups, so the ledger has an excess row (the gateway sees whole tags) to show in red;
    // faces at every country and enough DET probes for genuine and impostor pairs.
    const s = parseScenarioValue({
      name: 'report',
      seed: 3,
      countries: { codes: ['FR', 'DE', 'RU'] },
      population: { recordsPerCountry: 60, faces: { countries: 3, share: 0.8 } },
      workload: { queries: 14, arrival: { process: 'poisson', ratePerSecond: 3 }, lookup: 'exact', warmup: '2s' },
      metrics: { detProbes: 6, throughputBin: '2s' },
      drain: '1m',
    });
    const run = await runSimulation(s, { outDir: out });
    const results = JSON.parse(readFileSync(run.files.results, 'utf8')) as Results;
    expect(results.ledger.summary.excess).toBeGreaterThan(0);

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    cleanup.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(run.files.report).href;
    await page.goto(url);
    await page.waitForLoadState('load');

    // Self-contained: the page asked for nothing but itself, and nothing complained.
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);

    // Every chart drawn, with a visible SVG holding its series.
    const charts = await page.$$eval('figure.chart', (fs) =>
      fs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: f.getAttribute('data-chart'),
          points: Number(f.getAttribute('data-points')),
          marks: f.querySelectorAll('path.series, rect.bar').length,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      }),
    );
    expect(charts.map((c) => c.id).sort()).toEqual(['bytes', 'det', 'latency-cdf', 'throughput']);
    for (const c of charts) {
      expect(c.points, c.id ?? '').toBeGreaterThan(0);
      expect(c.marks, c.id ?? '').toBeGreaterThan(0);
      expect(c.width * c.height, c.id ?? '').toBeGreaterThan(1000);
    }

    // The latency CDF has as many points as results.latency.cdf; each DET curve one per threshold.
    const cdfPoints = await page.$eval('figure[data-chart="latency-cdf"] path.series', (p) => Number(p.getAttribute('data-points')));
    expect(cdfPoints).toBe(results.latency.cdf.length);
    const det = results.biometric.det;
    expect(det).not.toBeNull();
    expect(det?.genuinePairs).toBeGreaterThan(0);
    expect(det?.impostorPairs).toBeGreaterThan(0);
    const detPoints = await page.$$eval('figure[data-chart="det"] path.series', (ps) =>
      ps.map((p) => [p.getAttribute('data-label'), Number(p.getAttribute('data-points'))]),
    );
    expect(detPoints).toEqual([
      ['plaintext', det?.plaintext.length],
      ['encrypted (CKKS)', det?.encrypted.length],
    ]);

    // Bars: sent and received means per role, in the order of results.bytes.roles.
    const bars = await page.$$eval('figure[data-chart="bytes"] rect.bar', (rs) => rs.map((r) => Number(r.getAttribute('data-value'))));
    expect(bars).toEqual(Object.values(results.bytes.roles).flatMap((v) => [v.meanSent, v.meanReceived]));

    // Every printed figure equals results.json at its path.
    const keyed = await page.$$eval('[data-key]', (es) => es.map((e) => [e.getAttribute('data-key') ?? '', e.textContent ?? ''] as const));
    expect(keyed.length).toBeGreaterThan(10);
    for (const [key, text] of keyed) expect(text, key).toBe(String(valueAt(results, key) ?? '–'));

    // The ledger table: one row per results row, excess rows in red.
    type Win = { getComputedStyle(e: unknown): { color: string } };
    const rows = await page.$$eval('tr[class^="verdict-"]', (trs) =>
      trs.map((tr) => ({ cls: tr.className, color: (globalThis as unknown as Win).getComputedStyle(tr.querySelector('td')).color })),
    );
    expect(rows.length).toBe(results.ledger.rows.length);
    const excess = rows.filter((r) => r.cls === 'verdict-excess');
    expect(excess.length).toBe(results.ledger.summary.excess);
    for (const r of excess) expect(r.color).toBe('rgb(155, 28, 28)');
    expect(await page.textContent('#verdict')).toContain('exceed what the design allows');
  }, 600_000);
});
