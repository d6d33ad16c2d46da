/**
 * A progress bar on stderr for long operations: redrawn in place on a terminal, one line every few
 * seconds otherwise (CI logs), so progress is visible either way without flooding. Each phase (label)
 * shows its rate and, once it has run a second, the time it still needs at that rate.
 */
export class ProgressBar {
  #last = 0;
  #lastLabel = '';
  #phaseStarted = Date.now();
  readonly #tty: boolean;
  readonly #started = Date.now();
  readonly #write: (s: string) => void;

  constructor(
    readonly enabled: boolean,
    out: { isTTY?: boolean; write(s: string): unknown } = process.stderr,
  ) {
    this.#tty = out.isTTY === true;
    this.#write = (s) => void out.write(s);
  }

  update(label: string, done: number, total: number, unit = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    const finished = done >= total;
    if (label !== this.#lastLabel) this.#phaseStarted = now;
    if (!finished && label === this.#lastLabel && now - this.#last < (this.#tty ? 100 : 3000)) return;
    this.#last = now;
    this.#lastLabel = label;
    const pct = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(pct * width)).padEnd(width, '.');
    const secs = ((now - this.#started) / 1000).toFixed(1);
    const phaseSecs = (now - this.#phaseStarted) / 1000;
    const rate = phaseSecs >= 1 && done > 0 ? done / phaseSecs : undefined;
    const speed =
      rate === undefined ? '' : ` ${Math.round(rate).toLocaleString('en-US')}${unit}/s${finished ? '' : `, ${Math.ceil((total - done) / rate)}s left`}`;
    const line = `${label.padEnd(9)} [${bar}] ${(pct * 100).toFixed(0).padStart(3)}% ${done}/${total} ${secs}s${speed}`;
    if (this.#tty) this.#write(`\r${line}\u001b[K${finished ? '\n' : ''}`);
    else this.#write(`${line}\n`);
  }
}
