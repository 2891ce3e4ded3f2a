/**
 * A progress line on stderr for long work: a bar, counts, rate and time left. On a terminal it
 * redraws in place; otherwise (CI logs, pipes) it prints a line every tenth of the way, so a
 * log stays readable. stdout is left to the command's result.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastTenth = -1;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly label: string, private total: number, private readonly unit = 'events') {}

  setTotal(total: number): void {
    this.total = total;
  }

  update(done: number, force = false): void {
    const now = Date.now();
    const tenth = this.total > 0 ? Math.floor((done / this.total) * 10) : 10;
    if (this.tty) {
      if (!force && now - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = now;
      process.stderr.write(`\r${this.line(done, now)}\x1b[K`);
    } else if (tenth !== this.lastTenth || force) {
      this.lastTenth = tenth;
      process.stderr.write(`${this.line(done, now)}\n`);
    }
  }

  done(done: number, note = ''): void {
    if (this.tty || this.lastTenth !== 10 || done < this.total) this.update(done, true);
    if (this.tty) process.stderr.write('\n');
    if (note) process.stderr.write(`${note}\n`);
  }

  /** e.g. `replay ▕██████░░░░▏ 61% 73,200/120,000 events · 48,110 events/s · ETA 1s` */
  line(done: number, now = Date.now()): string {
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 24;
    const full = Math.round(fraction * width);
    const bar = `▕${'█'.repeat(full)}${'░'.repeat(width - full)}▏`;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = done / seconds;
    const left = rate > 0 ? (this.total - done) / rate : Infinity;
    return `${this.label.padEnd(8)} ${bar} ${String(Math.floor(fraction * 100)).padStart(3)}% ${fmt(done)}/${fmt(this.total)} ${this.unit} · ${fmt(Math.round(rate))} ${this.unit}/s · ETA ${eta(left)}`;
  }
}

export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function eta(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 1) return '0s';
  if (s < 60) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
