/**
 * Charts as inline SVG, drawn when the report is written (no script, no network): line charts with
 * linear or logarithmic axes, and horizontal bar charts. Every chart is a `<figure data-chart=…>` whose
 * series carry their point counts, so a test can check that each chart was drawn with data.
 */

export interface Series {
  readonly label: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface LineOptions {
  readonly id: string;
  readonly title: string;
  readonly x: string;
  readonly y: string;
  readonly logX?: boolean;
  readonly logY?: boolean;
}

const W = 560;
const H = 300;
const M = { l: 64, r: 16, t: 16, b: 44 };
const COLORS = ['#1f5fa8', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490'];

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3))));

function scale(lo: number, hi: number, log: boolean, from: number, to: number): (v: number) => number {
  const f = (v: number) => (log ? Math.log10(v) : v);
  const a = f(lo);
  const b = f(hi) === a ? a + 1 : f(hi);
  return (v) => from + ((f(v) - a) / (b - a)) * (to - from);
}

function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
    return out.filter((t) => t >= lo * 0.999 && t <= hi * 1.001);
  }
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / 4));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= 6) ?? step * 10;
  const out: number[] = [];
  for (let t = Math.ceil(lo / nice) * nice; t <= hi + 1e-9; t += nice) out.push(Number(t.toPrecision(6)));
  return out;
}

export function lineChart(o: LineOptions, series: readonly Series[]): string {
  const keep = (p: readonly [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!o.logX || p[0] > 0) && (!o.logY || p[1] > 0);
  const data = series.map((s) => ({ label: s.label, points: s.points.filter(keep) }));
  const all = data.flatMap((s) => s.points);
  const head = `<figure class="chart" data-chart="${esc(o.id)}" data-series="${data.length}" data-points="${all.length}"><figcaption>${esc(o.title)}</figcaption>`;
  if (all.length === 0) return `${head}<p class="empty">no data in this run</p></figure>`;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [o.logY ? Math.min(...ys) : Math.min(0, ...ys), Math.max(...ys)];
  const sx = scale(x0, x1, o.logX ?? false, M.l, W - M.r);
  const sy = scale(y0, y1, o.logY ?? false, H - M.b, M.t);
  const parts: string[] = [];
  for (const t of ticks(x0, x1, o.logX ?? false)) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${M.t}" y2="${H - M.b}" class="grid"/><text x="${x}" y="${H - M.b + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ticks(y0, y1, o.logY ?? false)) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y}" y2="${y}" class="grid"/><text x="${M.l - 6}" y="${y}" text-anchor="end" dy="4">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${(M.l + W - M.r) / 2}" y="${H - 6}" text-anchor="middle" class="label">${esc(o.x)}</text>`);
  parts.push(`<text transform="translate(14 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(o.y)}</text>`);
  for (const [i, s] of data.entries()) {
    const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
    const c = COLORS[i % COLORS.length];
    parts.push(`<path class="series" data-label="${esc(s.label)}" data-points="${s.points.length}" d="${d}" stroke="${c}" fill="none" stroke-width="2"/>`);
    parts.push(`<text x="${W - M.r - 4}" y="${M.t + 14 + i * 16}" text-anchor="end" fill="${c}">${esc(s.label)}</text>`);
  }
  return `${head}<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg></figure>`;
}

/** Horizontal bars, one row per label, one bar per series (grouped). */
export function barChart(
  o: { id: string; title: string; unit: string },
  labels: readonly string[],
  series: ReadonlyArray<{ label: string; values: readonly number[] }>,
): string {
  const n = labels.length * series.length;
  const head = `<figure class="chart" data-chart="${esc(o.id)}" data-series="${series.length}" data-points="${n}"><figcaption>${esc(o.title)}</figcaption>`;
  if (n === 0) return `${head}<p class="empty">no data in this run</p></figure>`;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const bar = 14;
  const rowH = bar * series.length + 10;
  const h = M.t + labels.length * rowH + 24;
  const left = 150;
  const parts: string[] = [];
  for (const [i, l] of labels.entries()) {
    const y0 = M.t + i * rowH;
    parts.push(`<text x="${left - 6}" y="${y0 + (rowH - 10) / 2 + 4}" text-anchor="end">${esc(l)}</text>`);
    for (const [j, s] of series.entries()) {
      const v = s.values[i] ?? 0;
      const w = ((W - left - 90) * v) / max;
      const c = COLORS[j % COLORS.length];
      parts.push(`<rect class="bar" data-value="${v}" x="${left}" y="${y0 + j * bar}" width="${w.toFixed(1)}" height="${bar - 2}" fill="${c}"/>`);
      parts.push(`<text x="${left + w + 4}" y="${y0 + j * bar + bar - 4}">${fmt(v)} ${esc(o.unit)}</text>`);
    }
  }
  for (const [j, s] of series.entries()) parts.push(`<text x="${left + j * 110}" y="${h - 6}" fill="${COLORS[j % COLORS.length]}">■ ${esc(s.label)}</text>`);
  return `${head}<svg viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg></figure>`;
}
