import { Progress, formatProgress } from './progress';

describe('progress bar', () => {
  it('shows the fraction, the count, events per second and the time left', () => {
    expect(formatProgress({ label: 'copying', done: 5_000, total: 10_000, elapsedMs: 2_000 }, 10)).toBe(
      'copying    [#####-----]   50.0%  5,000/10,000  2,500 ev/s  ETA 0:02',
    );
    expect(formatProgress({ label: 'copying', done: 10_000, total: 10_000, elapsedMs: 3_723_000 }, 4)).toBe(
      'copying    [####]  100.0%  10,000/10,000  3 ev/s  in 1:02:03',
    );
    expect(formatProgress({ label: 'copying', done: 0, total: 0, elapsedMs: 0 }, 4)).toContain('100.0%');
    expect(formatProgress({ label: 'copying', done: 0, total: 9, elapsedMs: 10 }, 4)).toContain('ETA --:--');
  });

  it('redraws in place on a terminal but writes whole lines, rarely, to a pipe', () => {
    let t = 0;
    const tty = { text: '', isTTY: true, write(s: string) { this.text += s; } };
    const bar = new Progress(tty, 'copying', 100, () => t);
    for (let i = 1; i <= 100; i++) {
      t += 50;
      bar.update(i);
    }
    bar.finish();
    expect(tty.text.startsWith('\r')).toBe(true);
    expect(tty.text.split('\r').length - 1).toBe(51);
    expect(tty.text.endsWith('in 0:05\x1b[K\n')).toBe(true);

    t = 0;
    const pipe = { text: '', write(s: string) { this.text += s; } };
    const lines = new Progress(pipe, 'copying', 100, () => t);
    for (let i = 1; i <= 100; i++) {
      t += 200;
      lines.update(i);
    }
    lines.finish();
    expect(pipe.text).not.toContain('\r');
    expect(pipe.text.trim().split('\n')).toHaveLength(5);
  });
});
