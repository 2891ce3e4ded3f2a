/** Where progress goes: stderr in the CLI; anything with write() in tests. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressState {
  label: string;
  done: number;
  total: number;
  elapsedMs: number;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

const number = new Intl.NumberFormat('en-US');

/** `copying [#######-------]  50.0%  5,000/10,000  2,500 ev/s  ETA 0:02` */
export function formatProgress(state: ProgressState, barWidth = 24): string {
  const { label, done, total, elapsedMs } = state;
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * barWidth);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = done >= total ? 0 : rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
  return [
    label.padEnd(9),
    `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`,
    `${(fraction * 100).toFixed(1).padStart(5)}%`,
    `${number.format(done)}/${number.format(total)}`,
    `${number.format(Math.round(rate))} ev/s`,
    done >= total ? `in ${duration(elapsedMs / 1000)}` : `ETA ${duration(eta)}`,
  ].join('  ');
}

/**
 * A progress bar on a terminal (redrawn in place, at most every 100 ms); on a pipe or a log
 * file, where carriage returns make a mess, one line every few seconds and a last one.
 */
export class Progress {
  private readonly started: number;
  private lastDraw: number;
  private done = 0;

  constructor(
    private readonly out: TextSink,
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
    // the first figures of a run (rate, ETA) are noise: draw once some time has passed
    this.lastDraw = this.started;
  }

  update(done: number): void {
    this.done = done;
    const t = this.now();
    if (t - this.lastDraw < (this.out.isTTY ? 100 : 5_000)) return;
    this.lastDraw = t;
    this.draw(false);
  }

  finish(): { elapsedMs: number; rate: number } {
    this.draw(true);
    const elapsedMs = this.now() - this.started;
    return { elapsedMs, rate: elapsedMs > 0 ? (this.done * 1000) / elapsedMs : 0 };
  }

  private draw(last: boolean): void {
    const line = formatProgress({ label: this.label, done: this.done, total: this.total, elapsedMs: this.now() - this.started });
    if (this.out.isTTY) this.out.write(`\r${line}\x1b[K${last ? '\n' : ''}`);
    else this.out.write(`${line}\n`);
  }
}
