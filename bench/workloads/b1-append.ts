import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { PostgresEventStore, postgresEventsDdl, SQLITE_SCHEMA, SqliteEventStore, type EventStore } from '@lianban/eventstore';
import { fmt, ratio, rmrf, tempDir, type BenchContext, type Row, type WorkloadResult } from '../lib/common';
import { columns, EventSource, SQLITE_INSERT } from '../lib/rows';

/**
 * B1 append: events/s through the EventStore port, durable, against raw driver inserts of the
 * same rows at the same durability (one transaction per event), measured in the same run.
 * Every measure runs for a fixed time on a fresh file / schema, after a short warm-up.
 */

interface Rate {
  events: number;
  seconds: number;
  perSecond: number;
}

const WRITERS = 64;
const ROUNDS = 5;
const quiet = { logger: { warn: () => undefined } };

/** Runs `writers` sequential loops until the deadline; each call of `one` writes one event. */
async function timed(durationMs: number, writers: number, one: (writer: number) => Promise<void> | void): Promise<Rate> {
  let events = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + durationMs;
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    while (Date.now() < deadline) {
      await one(w);
      events += 1;
    }
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { events, seconds: Math.round(seconds * 1000) / 1000, perSecond: Math.round(events / seconds) };
}

interface Variant {
  name: string;
  writers: number;
  one: (writer: number) => Promise<void> | void;
  close(): Promise<void>;
}

function rawSqlite(file: string): Variant {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SQLITE_SCHEMA);
  const insert = db.prepare(SQLITE_INSERT);
  const source = new EventSource(0);
  return {
    name: 'raw', writers: 1,
    // autocommit: each INSERT is its own transaction, its COMMIT syncs the WAL
    one: () => {
      insert.run(...columns(source.next(), new Date().toISOString()));
    },
    close: async () => {
      db.close();
    },
  };
}

function portVariant(name: string, store: EventStore, writers: number): Variant {
  const sources = Array.from({ length: writers }, (_, w) => new EventSource(w));
  return {
    name, writers,
    one: async (w: number) => {
      const g = sources[w].next();
      await store.append(g.streamId, [g.event], g.revision === 0 ? 'no-stream' : g.revision - 1);
    },
    close: () => store.close(),
  };
}

async function rawPostgres(url: string, schema: string): Promise<Variant> {
  const client = new Client({ connectionString: url });
  await client.connect();
  // the adapter's own table and index, in a schema of the baseline's
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  for (const statement of postgresEventsDdl(`${schema}.events`)) await client.query(statement);
  const sql = `INSERT INTO ${schema}.events (id, stream_id, revision, type, case_id, causation_id, region, agency_id,
    actor, occurred_at, hlc, data, recorded_at, position)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12::jsonb, $13::timestamptz, $14)`;
  const source = new EventSource(0);
  let position = 0;
  return {
    name: 'raw', writers: 1,
    // autocommit: each INSERT is its own transaction, flushed at commit (synchronous_commit=on)
    one: async () => {
      position += 1;
      await client.query(sql, [...columns(source.next(), new Date().toISOString()), position]);
    },
    close: () => client.end(),
  };
}

/**
 * The variants take turns (raw, port 1 writer, port 64 writers, raw, …) for `rounds` rounds and
 * each one's figure is the median of its rounds: on a machine shared with other work, a burst of
 * someone else's disk traffic then hits every variant alike instead of one of them.
 */
async function interleaved(variants: Variant[], rounds: number, sliceMs: number, log: (s: string) => void): Promise<Record<string, Rate & { rounds: number[] }>> {
  for (const v of variants) await timed(300, v.writers, v.one);
  const perRound: Record<string, Rate[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) perRound[v.name].push(await timed(sliceMs, v.writers, v.one));
    log(`  round ${r + 1}: ${variants.map((v) => `${v.name} ${fmt(perRound[v.name][r].perSecond)} ev/s`).join(', ')}`);
  }
  for (const v of variants) await v.close();
  const out: Record<string, Rate & { rounds: number[] }> = {};
  for (const v of variants) {
    const rates = perRound[v.name];
    const sorted = [...rates].sort((a, b) => a.perSecond - b.perSecond);
    const events = rates.reduce((s, x) => s + x.events, 0);
    const seconds = rates.reduce((s, x) => s + x.seconds, 0);
    out[v.name] = { events, seconds: Math.round(seconds * 1000) / 1000, perSecond: sorted[Math.floor(sorted.length / 2)].perSecond, rounds: rates.map((x) => x.perSecond) };
  }
  return out;
}

async function withDatabase<T>(baseUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `lianban_bench_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  try {
    return await fn(u.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

async function postgresSettings(url: string): Promise<Record<string, string>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'commit_delay')`,
  );
  await c.end();
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

export async function b1Append(ctx: BenchContext): Promise<WorkloadResult> {
  const sliceMs = Math.max(300, Math.round(1000 * ctx.scale));
  const dir = tempDir('lianban-bench-b1-');
  const notes: string[] = [];
  const rows: Row[] = [];
  const details: Record<string, unknown> = { sliceMs, rounds: ROUNDS, writers: WRITERS };
  try {
    ctx.log(`B1 sqlite: raw better-sqlite3 1 writer | port 1 writer | port ${WRITERS} writers, ${ROUNDS} interleaved rounds of ${sliceMs} ms`);
    const sq = await interleaved([
      rawSqlite(path.join(dir, 'raw.sqlite')),
      portVariant('port1', SqliteEventStore.open(path.join(dir, 'port-1.sqlite'), quiet), 1),
      portVariant('port64', SqliteEventStore.open(path.join(dir, 'port-64.sqlite'), quiet), WRITERS),
    ], ROUNDS, sliceMs, ctx.log);
    const [raw, single, many] = [sq.raw, sq.port1, sq.port64];
    details.sqlite = { raw, portSingle: single, port64: many };
    rows.push(
      {
        measure: 'SQLite: port, 1 writer, durable (WAL synced before each acknowledgement)', value: `${fmt(single.perSecond)} ev/s`,
        baseline: `raw better-sqlite3 1 txn/event: ${fmt(raw.perSecond)} ev/s`, ratio: ratio(single.perSecond, raw.perSecond),
        target: 'ratio ≥ 0.7', met: ratio(single.perSecond, raw.perSecond) >= 0.7,
      },
      {
        measure: `SQLite: port, ${WRITERS} concurrent writers (group commit)`, value: `${fmt(many.perSecond)} ev/s`,
        baseline: `raw 1 writer: ${fmt(raw.perSecond)} ev/s`, ratio: ratio(many.perSecond, raw.perSecond),
        target: 'ratio > 1', met: many.perSecond > raw.perSecond,
      },
    );

    await withDatabase(ctx.databaseUrl, async (url) => {
      const settings = await postgresSettings(url);
      details.postgresSettings = settings;
      ctx.log(`B1 postgres (${JSON.stringify(settings)}): raw pg INSERT 1 writer | port 1 writer | port ${WRITERS} writers`);
      const pg = await interleaved([
        await rawPostgres(url, 'raw'),
        portVariant('port1', await PostgresEventStore.connect(url, { schema: 'port_single', ...quiet }), 1),
        portVariant('port64', await PostgresEventStore.connect(url, { schema: 'port_many', ...quiet }), WRITERS),
      ], ROUNDS, sliceMs, ctx.log);
      const [praw, psingle, pmany] = [pg.raw, pg.port1, pg.port64];
      details.postgres = { raw: praw, portSingle: psingle, port64: pmany };
      rows.push(
        {
          measure: 'PostgreSQL: port, 1 writer', value: `${fmt(psingle.perSecond)} ev/s`,
          baseline: `raw pg INSERT autocommit: ${fmt(praw.perSecond)} ev/s`, ratio: ratio(psingle.perSecond, praw.perSecond),
          target: 'ratio ≥ 0.7', met: ratio(psingle.perSecond, praw.perSecond) >= 0.7,
        },
        {
          measure: `PostgreSQL: port, ${WRITERS} concurrent writers (group commit)`, value: `${fmt(pmany.perSecond)} ev/s`,
          baseline: `raw 1 writer: ${fmt(praw.perSecond)} ev/s`, ratio: ratio(pmany.perSecond, praw.perSecond),
          target: 'ratio > 1', met: pmany.perSecond > praw.perSecond,
        },
      );
      if (settings.fsync !== 'on' || settings.synchronous_commit !== 'on') {
        notes.push(`PostgreSQL runs with fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit}: its figures are not durable ones`);
      }
    });
  } finally {
    rmrf(dir);
  }
  notes.push(
    'Each event is one append of one event (one HTTP command appends 1–2). Raw baselines insert the same rows (same columns, same JSON serialisation, same indexes) with one autocommit transaction per event.',
  );
  return { id: 'B1', title: 'append through the event store port', rows, details, notes };
}
