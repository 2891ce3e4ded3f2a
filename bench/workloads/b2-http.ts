import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as hdr from 'hdr-histogram-js';
import { freePort } from '@lianban/testing/process';
import {
  compiled, fmt, histogram, profFlags, ratio, rmrf, sleep, startProcess, startStandalone, summarize, tempDir, usSince,
  type BenchContext, type LatencySummary, type Row, type WorkloadResult,
} from '../lib/common';
import { bearer, HttpClient } from '../lib/http';
import { BASE_2024, clockAt, CO, LEAD, petition, procedureSteps, register, tokensFor } from '../lib/procedure';

/**
 * B2 commands over HTTP: concurrent clients each run whole cases through the standalone process
 * (registration, classification, assignment, three acceptances, two actions, two opinions, the
 * reply — the procedure's real mix), over keep-alive connections. Throughput counts 2xx commands
 * completed inside the measurement window; latency is every command's, in an HdrHistogram.
 * Baseline: a minimal node:http server doing one durable SQLite insert per request, driven by
 * the same load generator with the same concurrency in the same run.
 */

const CLIENTS = Number(process.env.BENCH_B2_CLIENTS ?? 32);

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

interface Window {
  start: number;
  end: number;
}

interface LoadResult {
  ok: number;
  failed: Record<string, number>;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
  byStep: Record<string, LatencySummary>;
  serverCpuCores: number;
}

async function drive(
  warmMs: number,
  measureMs: number,
  serverPid: number,
  loop: (record: (name: string, start: bigint, status: number, code?: string) => void, stopped: () => boolean) => Promise<void>,
): Promise<LoadResult> {
  const all = histogram();
  const byStep = new Map<string, hdr.Histogram>();
  const failed: Record<string, number> = {};
  let ok = 0;
  const window: Window = { start: Date.now() + warmMs, end: Date.now() + warmMs + measureMs };
  let stop = false;
  const record = (name: string, start: bigint, status: number, code?: string) => {
    const now = Date.now();
    const us = usSince(start);
    const startedAt = now - us / 1000;
    if (startedAt < window.start || now > window.end) return;
    if (status >= 200 && status < 300) {
      ok += 1;
      all.recordValue(us);
      let h = byStep.get(name);
      if (!h) byStep.set(name, (h = histogram()));
      h.recordValue(us);
    } else {
      const key = `${name} ${status}${code ? ` ${code}` : ''}`;
      failed[key] = (failed[key] ?? 0) + 1;
    }
  };
  const run = loop(record, () => stop);
  await sleep(warmMs);
  const cpu0 = cpuSeconds(serverPid);
  await sleep(measureMs);
  const cpu1 = cpuSeconds(serverPid);
  stop = true;
  await run;
  const seconds = measureMs / 1000;
  return {
    ok, failed, seconds, perSecond: Math.round(ok / seconds), latency: summarize(all),
    byStep: Object.fromEntries([...byStep].map(([k, h]) => [k, summarize(h)])),
    serverCpuCores: Math.round(((cpu1 - cpu0) / seconds) * 100) / 100,
  };
}

async function standaloneLoad(ctx: BenchContext, warmMs: number, measureMs: number): Promise<LoadResult & { cases: number }> {
  const dataDir = tempDir('lianban-bench-b2-');
  const port = await freePort();
  const server = await startStandalone(ctx, dataDir, port, 'b2-standalone');
  const client = new HttpClient(server.url, CLIENTS);
  let cases = 0;
  try {
    const t = await tokensFor(client, [LEAD, ...CO]);
    let n = 0;
    const result = await drive(warmMs, measureMs, server.child.pid!, async (record, stopped) => {
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        while (!stopped()) {
          const k = n++;
          let start = process.hrtime.bigint();
          const reg = await register(client, t, k, clockAt(BASE_2024, 0));
          record('register', start, reg.status, reg.body?.error?.code);
          if (reg.status !== 201) continue;
          cases += 1;
          for (const [i, step] of procedureSteps(reg.body.caseId, t).entries()) {
            if (stopped()) break;
            start = process.hrtime.bigint();
            const r = await client.request(step.method, step.path, step.body, bearer(step.token, clockAt(BASE_2024, i + 1)));
            record(step.name, start, r.status, r.body?.error?.code);
            if (r.status >= 300) break;
          }
        }
      }));
    });
    return { ...result, cases };
  } finally {
    client.close();
    await server.stop();
    rmrf(dataDir);
  }
}

async function baselineLoad(ctx: BenchContext, warmMs: number, measureMs: number): Promise<LoadResult> {
  const dir = tempDir('lianban-bench-b2-base-');
  const port = await freePort();
  const server = await startProcess(
    [...profFlags(ctx, 'b2-baseline'), (compiled(ctx, 'bench/lib/rows.ts'), compiled(ctx, 'bench/workloads/b2-baseline-server.ts')), String(port), path.join(dir, 'base.sqlite')],
    { LIANBAN_DIST: ctx.distDir }, `http://127.0.0.1:${port}`,
  );
  const client = new HttpClient(server.url, CLIENTS);
  try {
    let n = 0;
    return await drive(warmMs, measureMs, server.child.pid!, async (record, stopped) => {
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        while (!stopped()) {
          const start = process.hrtime.bigint();
          const r = await client.request('POST', '/v1/petitions', petition(n++));
          record('insert', start, r.status);
        }
      }));
    });
  } finally {
    client.close();
    await server.stop();
    rmrf(dir);
  }
}

export async function b2Http(ctx: BenchContext): Promise<WorkloadResult> {
  const warmMs = Math.max(1000, Math.round(3000 * ctx.scale));
  const measureMs = Math.max(2000, Math.round(15_000 * ctx.scale));
  ctx.log(`B2 baseline: node:http + 1 durable SQLite insert per request, ${CLIENTS} clients, ${measureMs} ms`);
  const base = await baselineLoad(ctx, warmMs, Math.round(measureMs * 2 / 3));
  ctx.log(`  ${fmt(base.perSecond)} req/s, p50 ${base.latency.p50ms} ms, p99 ${base.latency.p99ms} ms, server ${base.serverCpuCores} cores`);
  ctx.log(`B2 standalone: ${CLIENTS} clients running whole cases, ${measureMs} ms after ${warmMs} ms warm-up`);
  const app = await standaloneLoad(ctx, warmMs, measureMs);
  ctx.log(`  ${fmt(app.perSecond)} commands/s, p50 ${app.latency.p50ms} ms, p99 ${app.latency.p99ms} ms, server ${app.serverCpuCores} cores, failures ${JSON.stringify(app.failed)}`);
  for (const [step, l] of Object.entries(app.byStep)) ctx.log(`    ${step.padEnd(9)} n=${l.count} p50 ${l.p50ms} ms p99 ${l.p99ms} ms`);
  const failures = Object.values(app.failed).reduce((s, x) => s + x, 0);
  const rows: Row[] = [
    {
      measure: `standalone over HTTP, ${CLIENTS} concurrent clients, procedure mix: throughput`, value: `${fmt(app.perSecond)} commands/s`,
      baseline: `node:http + 1 SQLite insert/request: ${fmt(base.perSecond)} req/s`, ratio: ratio(app.perSecond, base.perSecond),
      target: '≥ 2,000 commands/s', met: app.perSecond >= 2000,
    },
    {
      measure: 'same run: latency p50 / p99', value: `${app.latency.p50ms} / ${app.latency.p99ms} ms`,
      baseline: `${base.latency.p50ms} / ${base.latency.p99ms} ms`, ratio: ratio(app.latency.p99ms, base.latency.p99ms), ratioMeaning: 'p99 ÷ baseline p99',
      target: 'p99 ≤ 25 ms', met: app.latency.p99ms <= 25,
    },
  ];
  const notes = [
    `Load generator and server share the machine's ${os.cpus().length} cores; the server used ${app.serverCpuCores} cores during the window (baseline server: ${base.serverCpuCores}).`,
    `${app.cases} cases registered; ${failures} non-2xx answers in the window${failures ? `: ${JSON.stringify(app.failed)}` : ''}.`,
    `Per step p50/p99 (ms): ${Object.entries(app.byStep).map(([k, l]) => `${k} ${l.p50ms}/${l.p99ms}`).join(', ')}.`,
  ];
  return { id: 'B2', title: 'commands over HTTP (standalone)', rows, details: { clients: CLIENTS, warmMs, measureMs, standalone: app, baseline: base }, notes };
}
