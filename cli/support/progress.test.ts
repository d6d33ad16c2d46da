import { describe, expect, it } from 'vitest';
import { ProgressBar } from './progress.ts';

function sink(isTTY: boolean): { isTTY: boolean; text: string; write(s: string): void } {
  return {
    isTTY,
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

describe('ProgressBar', () => {
  it('on a terminal redraws one line in place and ends it when the phase is done', () => {
    const out = sink(true);
    const bar = new ProgressBar(true, out);
    bar.update('importing', 0, 5000, ' records');
    bar.update('importing', 5000, 5000, ' records');
    expect(out.text.startsWith('\rimporting [..............................]   0% 0/5000')).toBe(true);
    expect(out.text).toContain('\rimporting [##############################] 100% 5000/5000');
    expect(out.text.endsWith('\n')).toBe(true);
    expect(out.text.split('\n')).toHaveLength(2);
  });

  it('elsewhere prints plain lines, at most one every few seconds per phase, and always the last', () => {
    const out = sink(false);
    const bar = new ProgressBar(true, out);
    bar.update('checking', 1000, 9000);
    for (let d = 2000; d < 9000; d += 1000) bar.update('checking', d, 9000);
    bar.update('checking', 9000, 9000);
    bar.update('importing', 10, 9000);
    const lines = out.text.trimEnd().split('\n');
    expect(lines.map((l) => l.split(' [')[0]?.trim())).toEqual(['checking', 'checking', 'importing']);
    expect(lines[1]).toContain('100% 9000/9000');
    expect(out.text).not.toContain('\r');
  });

  it('prints nothing when disabled (--json)', () => {
    const out = sink(true);
    new ProgressBar(false, out).update('importing', 1, 2);
    expect(out.text).toBe('');
  });
});
