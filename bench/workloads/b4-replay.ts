import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NewEvent, StoredEvent } from '@lianban/contracts';
import Database from 'better-sqlite3';
import { SQLITE_FILE_NAME, SqliteEventStore, type ExpectedRevision } from '@lianban/eventstore';
import { freePort } from '@lianban/testing/process';
import { fmt, ratio, rmrf, runChild, sleep, startStandalone, tempDir, type BenchContext, type Row, type WorkloadResult } from '../lib/common';
import { bearer, HttpClient } from '../lib/http';
import { BASE_2024, clockAt, CO, LEAD, procedureSteps, register, tokensFor } from '../lib/procedure';
import { columns, SQLITE_INSERT } from '../lib/rows';

/**
 * B4 replay: a store of 1,000,000 events is replayed in a child process (so its peak RSS is its
 * own): the app's case-files projection catching up from position 0 (its StoreFollower over the
 * port's readAllLean, pages of 1,000, into its CaseFileSet), against a raw
 * better-sqlite3 scan of the same file (the baseline, same run). The events are clones of one
 * real case (registered, classified, assigned to three agencies, accepted, handled, opinions,
 * reply, answered, rated — run over HTTP on the standalone app), with fresh ids per clone,
 * written through the port's append in group commits of interleaved cases.
 */

const TARGET_EVENTS = Number(process.env.BENCH_B4_EVENTS ?? 1_000_000);
/** cases whose appends are issued in the same tick (one transaction) */
const CASES_PER_BATCH = 500;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

async function templateCase(ctx: BenchContext): Promise<StoredEvent[]> {
  const dataDir = tempDir('lianban-bench-b4-tpl-');
  const server = await startStandalone(ctx, dataDir, await freePort(), 'b4-template');
  const client = new HttpClient(server.url, 1);
  try {
    const t = await tokensFor(client, [LEAD, ...CO]);
    const reg = await register(client, t, 1, clockAt(BASE_2024, 0));
    if (reg.status !== 201) throw new Error(`registration: ${reg.status} ${JSON.stringify(reg.body)}`);
    const caseId: string = reg.body.caseId;
    const steps = procedureSteps(caseId, t);
    for (const [i, step] of steps.entries()) {
      const r = await client.request(step.method, step.path, step.body, bearer(step.token, clockAt(BASE_2024, i + 1)));
      if (r.status >= 300) throw new Error(`${step.name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    for (let i = 0; ; i++) {
      const r = await client.request('POST', `/v1/petitions/${caseId}/rating`, { rating: 'satisfied', comment: '满意' }, bearer(reg.body.petitionerToken, clockAt(BASE_2024, steps.length + 2)));
      if (r.status === 201) break;
      if (i > 100) throw new Error(`rating: ${r.status} ${JSON.stringify(r.body)}`);
      await sleep(50);
    }
  } finally {
    client.close();
    await server.stop();
  }
  const store = SqliteEventStore.open(path.join(dataDir, SQLITE_FILE_NAME), { logger: { warn: () => undefined } });
  const all = await store.readAll({ limit: 1000 });
  await store.close();
  rmrf(dataDir);
  return all;
}

/** A copy of the template case with fresh ids (events, case, causation links, references in data). */
function cloneCase(template: StoredEvent[], caseNumber: number): { streamId: string; expected: ExpectedRevision; event: NewEvent }[] {
  const ids = new Map<string, string>([[template[0].caseId, randomUUID()]]);
  for (const e of template) ids.set(e.id, randomUUID());
  const mapString = (s: string): string => {
    let out = s;
    for (const [from, to] of ids) if (out.includes(from)) out = out.split(from).join(to);
    return out;
  };
  const mapJson = (v: Json): Json => {
    if (typeof v === 'string') return ids.has(v) ? ids.get(v)! : v;
    if (Array.isArray(v)) return v.map(mapJson);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapJson(x)]));
    return v;
  };
  return template.map((e) => {
    let data = mapJson(e.data as Json) as Record<string, Json>;
    if (typeof data?.caseNumber === 'string') data = { ...data, caseNumber: `CQ-2024-${String(caseNumber).padStart(7, '0')}` };
    const byNumber = e.streamId.startsWith('casenumber-');
    return {
      streamId: mapString(e.streamId),
      expected: byNumber ? 'any' : e.revision === 0 ? 'no-stream' : e.revision - 1,
      event: {
        id: ids.get(e.id)!, type: e.type, caseId: ids.get(e.caseId)!,
        causationId: e.causationId && ids.has(e.causationId) ? ids.get(e.causationId)! : `request:${randomUUID()}`,
        region: e.region, agencyId: e.agencyId, actor: e.actor, occurredAt: e.occurredAt, hlc: e.hlc, data,
      },
    };
  });
}

/** The template's events cloned for case after case, interleaved step by step across `perBatch` cases. */
function* batches(template: StoredEvent[], total: number, perBatch: number): Generator<{ streamId: string; expected: ExpectedRevision; event: NewEvent }[]> {
  let written = 0;
  let caseNumber = 0;
  while (written < total) {
    const cases = [];
    for (let c = 0; c < perBatch && written + cases.length * template.length < total; c++) cases.push(cloneCase(template, ++caseNumber));
    const out = [];
    // step by step across the batch's cases, as concurrent cases interleave in a real store
    for (let j = 0; j < template.length && written < total; j++) {
      for (const events of cases) {
        if (written >= total) break;
        out.push(events[j]);
        written += 1;
      }
    }
    yield out;
  }
}

/**
 * Writes `total` events (whole cases, the last one cut short). By default the rows are bulk
 * inserted with better-sqlite3 into the schema the port created (the same columns the port
 * writes; synchronous=OFF and a large page cache, since writing the test data is not what is
 * measured here — B1 measures appends). BENCH_B4_GENERATE=port writes them through the port's
 * append instead, in group commits of CASES_PER_BATCH interleaved cases (slow: see the notes).
 */
async function generate(file: string, template: StoredEvent[], total: number, log: (s: string) => void): Promise<{ via: string; seconds: number; perSecond: number }> {
  const start = Date.now();
  const via = process.env.BENCH_B4_GENERATE === 'port' ? 'port' : 'bulk';
  const store = SqliteEventStore.open(file, { logger: { warn: () => undefined } });
  let written = 0;
  let nextLog = 200_000;
  if (via === 'port') {
    for (const batch of batches(template, total, CASES_PER_BATCH)) {
      await Promise.all(batch.map(({ streamId, expected, event }) => store.append(streamId, [event], expected)));
      written += batch.length;
      if (written >= nextLog) {
        log(`  ${fmt(written)} events after ${((Date.now() - start) / 1000).toFixed(1)} s`);
        nextLog += 200_000;
      }
    }
    await store.close();
  } else {
    await store.close();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const insert = db.prepare(SQLITE_INSERT);
    const revisions = new Map<string, number>();
    const recordedAt = new Date().toISOString();
    const tx = db.transaction((batch: { streamId: string; event: NewEvent }[]) => {
      for (const { streamId, event } of batch) {
        const revision = (revisions.get(streamId) ?? -1) + 1;
        revisions.set(streamId, revision);
        insert.run(...columns({ streamId, revision, event }, recordedAt));
      }
    });
    for (const batch of batches(template, total, CASES_PER_BATCH * 4)) {
      tx(batch);
      // only the shared case-number stream needs remembering across batches
      for (const k of [...revisions.keys()]) if (!k.startsWith('casenumber-')) revisions.delete(k);
      written += batch.length;
      if (written >= nextLog) {
        log(`  ${fmt(written)} events after ${((Date.now() - start) / 1000).toFixed(1)} s`);
        nextLog += 200_000;
      }
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  }
  const seconds = (Date.now() - start) / 1000;
  return { via, seconds: Math.round(seconds * 10) / 10, perSecond: Math.round(total / seconds) };
}

function storedEvents(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

interface ReplayResult {
  mode: string;
  events: number;
  seconds: number;
  perSecond: number;
  heapUsedMb: number;
  cases?: number;
  answered?: number;
  checkpoint?: number;
}

export async function b4Replay(ctx: BenchContext): Promise<WorkloadResult> {
  const total = Math.max(10_000, Math.round(TARGET_EVENTS * Math.min(1, ctx.scale)));
  const dir = tempDir('lianban-bench-b4-');
  // BENCH_B4_STORE keeps the generated file there and reuses it on the next run (same event count)
  const kept = process.env.BENCH_B4_STORE;
  const file = kept ?? path.join(dir, SQLITE_FILE_NAME);
  try {
    let template: StoredEvent[];
    let gen: Awaited<ReturnType<typeof generate>>;
    if (kept && fs.existsSync(kept) && storedEvents(kept) === total) {
      ctx.log(`B4: reusing ${kept}`);
      ({ template, gen } = JSON.parse(fs.readFileSync(`${kept}.json`, 'utf8')) as { template: StoredEvent[]; gen: typeof gen });
    } else {
      if (kept) rmrf(kept);
      ctx.log('B4: a template case over HTTP');
      template = await templateCase(ctx);
      ctx.log(`  ${template.length} events: ${template.map((e) => e.type.replace(/^lianban\./, '').replace(/\.v\d+$/, '')).join(', ')}`);
      ctx.log(`B4: writing ${fmt(total)} events (${process.env.BENCH_B4_GENERATE === 'port' ? 'through the port' : 'bulk insert into the store\'s schema'})`);
      gen = await generate(file, template, total, ctx.log);
      if (kept) fs.writeFileSync(`${kept}.json`, JSON.stringify({ template, gen }));
    }
    const mb = Math.round(fs.statSync(file).size / 1048576);
    ctx.log(`  ${gen.seconds} s (${fmt(gen.perSecond)} events/s), file ${mb} MB`);
    ctx.log('B4: raw scan (baseline) in a child process');
    const raw = await runChild<ReplayResult>(ctx, 'bench/workloads/b4-replay-child.ts', ['raw', file], 'b4-raw');
    ctx.log(`  ${fmt(raw.result.perSecond)} events/s, peak RSS ${raw.peakRssMb} MB`);
    ctx.log('B4: replay into case files (StoreFollower over readAllLean → CaseFileSet), in a child process');
    const cf = await runChild<ReplayResult>(ctx, 'bench/workloads/b4-replay-child.ts', ['casefiles', file], 'b4-casefiles');
    ctx.log(`  ${fmt(cf.result.perSecond)} events/s, peak RSS ${cf.peakRssMb} MB, ${fmt(cf.result.cases ?? 0)} cases`);
    if (cf.result.events !== total) throw new Error(`replayed ${cf.result.events} events, expected ${total}`);
    const rows: Row[] = [
      {
        measure: `replay ${fmt(total)} events: readAllLean → case files (the app's start-up projection): throughput`, value: `${fmt(cf.result.perSecond)} events/s`,
        baseline: `raw better-sqlite3 scan + JSON.parse: ${fmt(raw.result.perSecond)} events/s`, ratio: ratio(cf.result.perSecond, raw.result.perSecond),
        target: '≥ 150,000 events/s', met: cf.result.perSecond >= 150_000,
      },
      {
        measure: 'same replay: peak RSS of the replaying process', value: `${cf.peakRssMb} MB`,
        baseline: `raw scan: ${raw.peakRssMb} MB`, ratio: ratio(cf.peakRssMb, raw.peakRssMb), ratioMeaning: 'RSS ÷ baseline RSS',
        target: '≤ 400 MB', met: cf.peakRssMb <= 400,
      },
    ];
    const details: Record<string, unknown> = { events: total, fileMb: mb, template: template.map((e) => e.type), generation: gen, raw, casefiles: cf };
    const notes = [
      `The store file: ${fmt(total)} events (${fmt(cf.result.cases ?? 0)} cases of ${template.length} events, cases interleaved), ${mb} MB, written ${gen.via === 'port' ? 'through the port\'s append in group commits' : 'by bulk insert into the schema the port created'} in ${gen.seconds} s (${fmt(gen.perSecond)} events/s).`,
      `The case-files replay holds every case's CaseFile in memory in CaseFilesProjection's own CaseFileSet; events are read one page of 1,000 at a time (StoreFollower's batch).`,
    ];
    if (process.env.BENCH_B4_FACTS !== 'off') {
      ctx.log('B4: the history projection (FactsProjector → SQLite case facts) over the first events, in a child process');
      const factsEvents = Math.min(total, Number(process.env.BENCH_B4_FACTS_EVENTS ?? 100_000));
      const facts = await runChild<ReplayResult>(ctx, 'bench/workloads/b4-replay-child.ts', ['facts', file, dir, String(factsEvents)], 'b4-facts');
      ctx.log(`  ${fmt(facts.result.perSecond)} events/s, peak RSS ${facts.peakRssMb} MB`);
      details.facts = facts;
      rows.push({
        measure: `replay of the first ${fmt(factsEvents)} events into the history service's case-facts projection (SQLite, statistics): throughput / peak RSS`,
        value: `${fmt(facts.result.perSecond)} events/s / ${facts.peakRssMb} MB`,
        baseline: `raw scan: ${fmt(raw.result.perSecond)} events/s`, ratio: ratio(facts.result.perSecond, raw.result.perSecond),
        target: '≥ 150,000 events/s, ≤ 400 MB', met: facts.result.perSecond >= 150_000 && facts.peakRssMb <= 400,
      });
    }
    return { id: 'B4', title: 'replay of 1,000,000 events', rows, details, notes };
  } finally {
    rmrf(dir);
  }
}
