/**
 * `npm run bench`: every workload of issue 10, one after the other, each against a baseline
 * measured in the same run. Figures go to stdout, JSON to bench/results/<id>.json and a markdown
 * summary to bench/results/summary.md.
 *
 *   npm run bench                        # build, then all workloads (about 6 minutes on the 2-core machine)
 *   npm run bench -- --only B1,B3        # some workloads
 *   BENCH_SCALE=0.2 npm run bench        # shorter runs (smoke test; figures less stable)
 *   BENCH_CPU_PROF=1 npm run bench       # servers and children write .cpuprofile files to bench/results/profiles
 *   BENCH_DIST=.tmp/other-dist ...       # run the apps from another build than dist/
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { machine, RESULTS_DIR, rmrf, ROOT, type BenchContext, type WorkloadResult } from './lib/common';
import { renderSummary } from './lib/summary';
import { b1Append } from './workloads/b1-append';
import { b2Http } from './workloads/b2-http';
import { b3Timeline } from './workloads/b3-timeline';
import { b4Replay } from './workloads/b4-replay';
import { b5Kafka } from './workloads/b5-kafka';

const WORKLOADS: Record<string, (ctx: BenchContext) => Promise<WorkloadResult>> = {
  B1: b1Append,
  B2: b2Http,
  B3: b3Timeline,
  B4: b4Replay,
  B5: b5Kafka,
};

function selected(): string[] {
  const i = process.argv.indexOf('--only');
  if (i < 0) return Object.keys(WORKLOADS);
  const ids = (process.argv[i + 1] ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  for (const id of ids) if (!WORKLOADS[id]) throw new Error(`unknown workload ${id}; known: ${Object.keys(WORKLOADS).join(', ')}`);
  return ids;
}

async function main(): Promise<void> {
  const ids = selected();
  const sourceDist = path.resolve(ROOT, process.env.BENCH_DIST ?? 'dist');
  if (!fs.existsSync(path.join(sourceDist, 'apps/standalone/src/main.js'))) {
    throw new Error(`${sourceDist} has no built standalone app: run \`npm run build\` first (npm run bench does)`);
  }
  // a private copy under the repo (so node_modules resolves): a concurrent `npm run build`
  // (rm -rf dist) by someone else cannot pull the app from under a running workload
  const distDir = path.join(ROOT, '.tmp', `bench-dist-${process.pid}`);
  fs.cpSync(sourceDist, distDir, { recursive: true });
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const ctx: BenchContext = {
    distDir,
    scale: Number(process.env.BENCH_SCALE ?? '1'),
    cpuProfDir: process.env.BENCH_CPU_PROF ? path.join(RESULTS_DIR, 'profiles') : null,
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    log: (line) => console.log(line),
  };
  const startedAt = new Date().toISOString();
  const env = machine();
  console.log(`lianban bench ${startedAt} on ${JSON.stringify(env)}; workloads ${ids.join(', ')}; scale ${ctx.scale}`);
  const results: WorkloadResult[] = [];
  const failures: { id: string; error: string }[] = [];
  try {
    for (const id of ids) {
      const t0 = Date.now();
      console.log(`\n== ${id}`);
      try {
        const r = await WORKLOADS[id](ctx);
        r.seconds = Math.round((Date.now() - t0) / 100) / 10;
        results.push(r);
        fs.writeFileSync(path.join(RESULTS_DIR, `${id}.json`), JSON.stringify({ startedAt, machine: env, scale: ctx.scale, ...r }, null, 2));
        for (const row of r.rows) {
          const verdict = row.met === undefined || row.met === null ? '' : row.met ? '  [target met]' : '  [TARGET MISSED]';
          console.log(`${id} | ${row.measure}: ${row.value}${row.baseline ? ` | baseline ${row.baseline}` : ''}${row.ratio !== undefined ? ` | ratio ${row.ratio}` : ''}${row.target ? ` | target ${row.target}` : ''}${verdict}`);
        }
        console.log(`${id} took ${r.seconds} s`);
      } catch (e) {
        const error = e instanceof Error ? e.stack ?? e.message : String(e);
        console.error(`${id} failed: ${error}`);
        failures.push({ id, error });
      }
    }
  } finally {
    rmrf(distDir);
  }
  const finishedAt = new Date().toISOString();
  const summary = renderSummary({ startedAt, finishedAt, machine: env, scale: ctx.scale, results, failures, command: commandLine() });
  fs.writeFileSync(path.join(RESULTS_DIR, 'summary.md'), summary);
  fs.writeFileSync(path.join(RESULTS_DIR, 'summary.json'), JSON.stringify({ startedAt, finishedAt, machine: env, scale: ctx.scale, results, failures }, null, 2));
  console.log(`\nwrote ${path.relative(ROOT, RESULTS_DIR)}/summary.md and the JSON files`);
  if (failures.length > 0) process.exitCode = 1;
}

function commandLine(): string {
  const extra = process.argv.slice(2).join(' ');
  const envs = ['BENCH_SCALE', 'BENCH_CPU_PROF', 'BENCH_DIST', 'BENCH_B2_CLIENTS', 'BENCH_B4_EVENTS', 'BENCH_B4_PAGE', 'BENCH_B4_FACTS', 'BENCH_B4_FACTS_EVENTS', 'BENCH_B4_GENERATE', 'BENCH_B4_STORE', 'BENCH_B5_CLIENTS', 'BENCH_B5', 'KAFKA_BROKERS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join('');
  const how = process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node --require ./bench/register.js bench/run.ts';
  return `${envs}${how}${extra ? `${how.startsWith('npm') ? ' --' : ''} ${extra}` : ''}`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
