/**
 * How benchmarks print: lines on stdout, numbers with thousands separators, and the figure table where
 * each figure stands beside its baseline from the same run and its target, with both ratios and a
 * meets/MISS verdict.
 */

/** One line on stdout. */
export function say(s = ''): void {
  process.stdout.write(`${s}\n`);
}

/** A number with thousands separators and `digits` decimals; `n/a` when not finite. */
export function fmt(x: number, digits = 0): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}

/** One row of the figure table; `vsTarget` ≥ 1 means the target is met (NaN: no target). */
export interface Row {
  figure: string;
  measured: string;
  baseline: string;
  vsBaseline: string;
  target: string;
  vsTarget: number;
}

/** The figure table: a header, a rule, then one line per row (figure left-aligned, the rest right-aligned). */
export function table(rows: Row[]): string {
  const head = ['figure', 'measured', 'baseline (same run)', 'vs baseline', 'target', 'vs target', ''];
  const body = rows.map((r) => [
    r.figure,
    r.measured,
    r.baseline,
    r.vsBaseline,
    r.target,
    !Number.isFinite(r.vsTarget) ? 'n/a' : r.vsTarget < 1 && r.vsTarget >= 0.995 ? r.vsTarget.toFixed(3) : r.vsTarget.toFixed(2),
    !Number.isFinite(r.vsTarget) ? '' : r.vsTarget >= 1 ? 'meets' : 'MISS',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
