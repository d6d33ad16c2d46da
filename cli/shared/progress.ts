/**
 * A progress bar on stderr for long operations: redrawn in place on a terminal, one line every few
 * seconds otherwise (CI logs), so progress is visible either way without flooding.
 */
export class ProgressBar {
  #last = 0;
  #lastLabel = '';
  readonly #tty = process.stderr.isTTY === true;
  readonly #started = Date.now();

  constructor(readonly enabled: boolean) {}

  update(label: string, done: number, total: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    const finished = done >= total;
    if (!finished && label === this.#lastLabel && now - this.#last < (this.#tty ? 100 : 3000)) return;
    this.#last = now;
    this.#lastLabel = label;
    const pct = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(pct * width)).padEnd(width, '.');
    const secs = ((now - this.#started) / 1000).toFixed(1);
    const line = `${label.padEnd(9)} [${bar}] ${(pct * 100).toFixed(0).padStart(3)}% ${done}/${total} ${secs}s`;
    if (this.#tty) process.stderr.write(`\r${line}${finished ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  }
}
