import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as hdr from 'hdr-histogram-js';

export const ROOT = path.resolve(__dirname, '../..');
export const RESULTS_DIR = path.join(ROOT, 'bench/results');

/** One line of the summary table. */
export interface Row {
  measure: string;
  value: string;
  baseline?: string;
  /** value ÷ baseline (or the inverse where smaller is better: see `ratioMeaning`) */
  ratio?: number;
  ratioMeaning?: string;
  target?: string;
  /** null: no target for this line */
  met?: boolean | null;
}

export interface WorkloadResult {
  id: string;
  title: string;
  rows: Row[];
  /** every raw figure, for the JSON file */
  details: Record<string, unknown>;
  notes: string[];
  /** wall time the workload took, seconds */
  seconds?: number;
}

export interface BenchContext {
  /** where built apps are run from (a private copy of `dist`, so a concurrent rebuild cannot break the run) */
  distDir: string;
  /** scale factor for durations (BENCH_SCALE, default 1; 0.2 for a smoke run) */
  scale: number;
  /** spawn servers and children with --cpu-prof into this directory */
  cpuProfDir: string | null;
  databaseUrl: string;
  log(line: string): void;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function rmrf(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A latency histogram in microseconds (1 µs … 60 s, 3 significant digits). */
export function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

export interface LatencySummary {
  count: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  p999ms: number;
  maxms: number;
  meanms: number;
}

export function summarize(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: h.totalCount,
    p50ms: ms(h.getValueAtPercentile(50)),
    p90ms: ms(h.getValueAtPercentile(90)),
    p99ms: ms(h.getValueAtPercentile(99)),
    p999ms: ms(h.getValueAtPercentile(99.9)),
    maxms: ms(h.maxValue),
    meanms: ms(h.mean),
  };
}

/** microseconds since `start` (a process.hrtime.bigint()) */
export function usSince(start: bigint): number {
  return Number((process.hrtime.bigint() - start) / 1000n);
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : Math.round((a / b) * 100) / 100;
}

/**
 * A bench script transpiled (types stripped, by @swc/core) into the private dist copy, so that a
 * measured child runs plain JavaScript: no transpiler loaded, nothing in its RSS or profile that
 * the app would not have. Such scripts import only node modules and relative bench files, and
 * reach the app's code through `fromDist` (the built `dist`, aliases already resolved).
 */
export function compiled(ctx: BenchContext, script: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const swc = require('@swc/core') as typeof import('@swc/core');
  const source = path.join(ROOT, script);
  const out = path.join(ctx.distDir, script.replace(/\.ts$/, '.js'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const { code } = swc.transformSync(fs.readFileSync(source, 'utf8'), {
    filename: source, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' },
  });
  fs.writeFileSync(out, code);
  return out;
}

/** Node flags for a child: --cpu-prof when profiling is on. */
export function profFlags(ctx: BenchContext, name: string): string[] {
  if (!ctx.cpuProfDir) return [];
  fs.mkdirSync(ctx.cpuProfDir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`];
}

export interface ChildResult<T> {
  result: T;
  /** peak resident set size of the child, MB (getrusage ru_maxrss) */
  peakRssMb: number;
}

/**
 * Runs a bench script (transpiled, see `compiled`) in a child Node process and collects the JSON
 * it prints on its last stdout line. The child's peak RSS is its VmHWM (per address space, so
 * nothing of the parent it was forked from), read by the child at its end (`maxRssKb`) and polled
 * by the parent from /proc while it runs; the larger is reported.
 */
export async function runChild<T>(ctx: BenchContext, script: string, args: string[], name: string): Promise<ChildResult<T>> {
  const child = spawn(process.execPath, [...profFlags(ctx, name), compiled(ctx, script), ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LIANBAN_DIST: ctx.distDir },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  let polledPeakKb = 0;
  const poll = setInterval(() => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      if (m) polledPeakKb = Math.max(polledPeakKb, Number(m[1]));
    } catch {
      // the child has exited
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearInterval(poll);
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code}:\n${err}\n${out}`);
  const last = out.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(last) as T & { maxRssKb?: number };
  const peakKb = Math.max(polledPeakKb, parsed.maxRssKb ?? 0);
  return { result: parsed, peakRssMb: Math.round(peakKb / 102.4) / 10 };
}

/** A process started for a workload (the standalone app or a baseline server), killed at the end. */
export interface Server {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer /health within ${timeoutMs} ms:\n${output()}`);
    await sleep(100);
  }
}

export async function startProcess(args: string[], env: Record<string, string>, url: string): Promise<Server> {
  let out = '';
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForHealth(url, child, () => out);
  return {
    url, child, output: () => out,
    async stop() {
      // SIGINT, not SIGTERM: it lets --cpu-prof write its profile, and Nest closes the store
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The standalone app from the bench's private copy of dist, on a fresh data dir. Rate limits are
 * off: every bench client shares one address and one token per role, and the bench measures how
 * fast commands are decided, not the limiter (which would answer most of the load with 429).
 */
export async function startStandalone(ctx: BenchContext, dataDir: string, port: number, name: string): Promise<Server> {
  const main = path.join(ctx.distDir, 'apps/standalone/src/main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  return startProcess([...profFlags(ctx, name), main], { DATA_DIR: dataDir, PORT: String(port), DEMO: 'off', RATE_LIMIT_IP: 'off', RATE_LIMIT_TOKEN: 'off' }, `http://127.0.0.1:${port}`);
}

export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
