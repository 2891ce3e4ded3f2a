import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { NewEvent } from '@lianban/contracts';
import { runEventStoreContract, type EventStoreUnderTest } from '@lianban/testing';
import { runImportContract } from '@lianban/testing/import-contract';
import { StreamConflictError, type EventStore, type LeanEvent } from '../port';
import { createEventStore } from '../factory';
import { PostgresEventStore } from './postgres-event-store';

/**
 * Needs the PostgreSQL server of the integration tier (127.0.0.1:5432, user postgres, trust
 * auth; DATABASE_URL overrides the base). The suite creates its own database and drops it.
 */
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseName = `lianban_es_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
const quiet = { warn: () => undefined };

function urlFor(database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

const testUrl = urlFor(databaseName);

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin((c) => c.query(`CREATE DATABASE ${databaseName}`));
});

afterAll(async () => {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`));
});

// each test gets its own schema in the suite's database: a fresh store without a CREATE DATABASE each
async function openPostgres(): Promise<EventStoreUnderTest> {
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const opened: EventStore[] = [];
  const openOne = async () => {
    const store = await PostgresEventStore.connect(testUrl, { schema, logger: quiet, poolSize: 4 });
    opened.push(store);
    return store;
  };
  return {
    store: await openOne(),
    reopen: openOne,
    cleanup: async () => {
      for (const store of opened) await store.close();
      const client = new Client({ connectionString: testUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

runEventStoreContract('postgres', openPostgres);
runImportContract('postgres', openPostgres, { preservesPositions: true, atomic: true });

function event(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'lianban.test.happened.v1',
    caseId: 'case-1',
    causationId: null,
    region: 'cq',
    actor: { id: 'u', role: 'clerk' },
    occurredAt: new Date().toISOString(),
    hlc: '0',
    data: {},
    ...overrides,
  };
}

describe('PostgresEventStore specifics', () => {
  const schema = `s_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let store: PostgresEventStore;

  beforeAll(async () => {
    store = await PostgresEventStore.connect(testUrl, { schema, logger: quiet });
  });

  afterAll(async () => {
    await store.close();
  });

  it('creates its schema idempotently, also from several processes starting at once', async () => {
    const others = await Promise.all(
      Array.from({ length: 4 }, () => PostgresEventStore.connect(testUrl, { schema, logger: quiet, poolSize: 1 })),
    );
    await Promise.all(others.map((s) => s.close()));
    const e = event();
    await store.append(`s-${randomUUID()}`, [e], 'no-stream');
  });

  it('never lets a reader skip an event: positions become visible in position order', async () => {
    // writers on separate pools (separate "processes") race; a reader polls readAll from its
    // checkpoint the whole time. Any event that became visible after the reader had moved past
    // its position would be missing from what the reader collected.
    const writers = await Promise.all(
      Array.from({ length: 4 }, () => PostgresEventStore.connect(testUrl, { schema, logger: quiet, poolSize: 2 })),
    );
    const start = await store.headPosition();
    const seen: number[] = [];
    let done = false;
    const reader = (async () => {
      let after = start;
      while (!done || (await store.headPosition()) > after) {
        const page = await store.readAll({ after, limit: 100 });
        for (const e of page) seen.push(e.position);
        if (page.length) after = page[page.length - 1].position;
      }
    })();
    const acknowledged: number[] = [];
    await Promise.all(
      writers.flatMap((w) =>
        Array.from({ length: 10 }, async () => {
          for (let i = 0; i < 5; i++) {
            const r = await w.append(`race-${randomUUID()}`, [event(), event()], 'no-stream');
            acknowledged.push(r.lastPosition - 1, r.lastPosition);
          }
        }),
      ),
    );
    done = true;
    await reader;
    await Promise.all(writers.map((w) => w.close()));
    expect(seen.slice().sort((a, b) => a - b)).toEqual(seen);
    expect(new Set(seen)).toEqual(new Set(acknowledged));
    // positions assigned under the lock have no gaps
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => start + 1 + i));
  });

  it('puts concurrent appends of one process into one transaction, each checked on its own', async () => {
    const streamId = `gc-${randomUUID()}`;
    await store.append(streamId, [event()], 'no-stream');
    const outcomes = await Promise.allSettled([
      store.append(streamId, [event()], 0),
      store.append(streamId, [event()], 0),
      store.append(`gc-${randomUUID()}`, [event()], 'no-stream'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(StreamConflictError);
    const events = await store.readStream(streamId);
    expect(events).toHaveLength(2);
    // one transaction: one recordedAt for the whole group
    const other = (await store.readAll({ after: events[1].position - 1, limit: 10 })).map((e) => e.recordedAt);
    expect(new Set(other).size).toBe(1);
  });

  it('refuses data PostgreSQL cannot store as EventRejectedError without failing the others', async () => {
    const good = `ok-${randomUUID()}`;
    const bad = `nul-${randomUUID()}`;
    const outcomes = await Promise.allSettled([
      store.append(good, [event()], 'no-stream'),
      // jsonb cannot hold \u0000
      store.append(bad, [event({ data: { text: 'a\u0000b' } })], 'no-stream'),
    ]);
    expect(outcomes[0].status).toBe('fulfilled');
    expect(outcomes[1].status).toBe('rejected');
    expect((outcomes[1] as PromiseRejectedResult).reason.name).toBe('EventRejectedError');
    expect(await store.readStream(bad)).toEqual([]);
    expect(await store.readStream(good)).toHaveLength(1);
  });

  it('refuses data PostgreSQL cannot store as EventRejectedError also for a lone append (one round trip path)', async () => {
    const bad = `nul-${randomUUID()}`;
    const before = await store.headPosition();
    await expect(store.append(bad, [event(), event({ data: { text: 'a\u0000b' } })], 'no-stream')).rejects.toMatchObject({ name: 'EventRejectedError' });
    expect(await store.readStream(bad)).toEqual([]);
    expect(await store.headPosition()).toBe(before);
    // the stream is still free, at the position the refused append would have had
    const stored = await store.append(bad, [event()], 'no-stream');
    expect(stored).toEqual({ nextExpectedRevision: 0, lastPosition: before + 1 });
  });

  it('assigns a lone multi-event append consecutive positions and revisions after the stream and the store', async () => {
    const streamId = `lone-${randomUUID()}`;
    await store.append(streamId, [event()], 'no-stream');
    const head = await store.headPosition();
    const r = await store.append(streamId, [event(), event(), event()], 0);
    expect(r).toEqual({ nextExpectedRevision: 3, lastPosition: head + 3 });
    expect((await store.readStream(streamId)).map((e) => [e.revision, e.position])).toEqual([
      [0, head], [1, head + 1], [2, head + 2], [3, head + 3],
    ]);
    await expect(store.append(streamId, [event()], 2)).rejects.toBeInstanceOf(StreamConflictError);
    await expect(store.append(streamId, [event()], 'no-stream')).rejects.toBeInstanceOf(StreamConflictError);
  });

  it('answers readAllLean with only the lean fields of readAll\'s events', async () => {
    const head = await store.headPosition();
    for (let i = 0; i < 6; i++) {
      await store.append(`lean-${randomUUID()}`, [event({ caseId: `c-${i % 3}`, agencyId: i % 2 ? `a-${i}` : null, data: { i, nested: { ok: true } } })], 'no-stream');
    }
    const lean = ({ position, type, caseId, region, agencyId, occurredAt, data }: LeanEvent): LeanEvent => ({ position, type, caseId, region, agencyId, occurredAt, data });
    const got = await store.readAllLean({ after: head, limit: 4 });
    expect(got).toEqual((await store.readAll({ after: head, limit: 4 })).map(lean));
    // the store's own read: nothing beyond the lean columns was fetched
    expect(Object.keys(got[0]).sort()).toEqual(['agencyId', 'caseId', 'data', 'occurredAt', 'position', 'region', 'type']);
    expect(typeof got[0].position).toBe('number');
    expect((await store.readAllLean({ after: head + 4 })).map((e) => e.position)).toEqual([head + 5, head + 6]);
  });

  it('saves a checkpoint without a synchronous commit, in its own transaction only: appends and imports still commit synchronously', async () => {
    const own = `cp_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    // one connection: a setting that outlived the checkpoint's transaction would reach the appends
    const single = await PostgresEventStore.connect(testUrl, { schema: own, logger: quiet, poolSize: 1 });
    const client = new Client({ connectionString: testUrl });
    await client.connect();
    try {
      // what each transaction that writes a table ran with, recorded from inside it by a trigger
      await client.query(`
        CREATE TABLE ${own}.commits (n serial, tbl text, sync text);
        CREATE FUNCTION ${own}.record_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO ${own}.commits (tbl, sync) VALUES (TG_TABLE_NAME, current_setting('synchronous_commit'));
          RETURN NULL;
        END $$;
        CREATE TRIGGER record_sync AFTER INSERT ON ${own}.checkpoints FOR EACH STATEMENT EXECUTE FUNCTION ${own}.record_sync();
        CREATE TRIGGER record_sync AFTER INSERT ON ${own}.events FOR EACH STATEMENT EXECUTE FUNCTION ${own}.record_sync()`);
      await single.saveCheckpoint('reader', 1);
      // a lone append (the stored function) and a group of two (the batch path)
      await single.append(`a-${randomUUID()}`, [event()], 'no-stream');
      await single.saveCheckpoint('reader', 2);
      await Promise.all([single.append(`b-${randomUUID()}`, [event()], 'no-stream'), single.append(`c-${randomUUID()}`, [event()], 'no-stream')]);
      // an import's checkpoint is committed with its events: synchronously
      const [stored] = await single.readAll({ after: 0, limit: 1 });
      await single.importEvents([{ ...stored, id: randomUUID(), streamId: `i-${randomUUID()}`, revision: 0, position: 10 }], { checkpoint: { id: 'importer', position: 7 } });
      const { rows } = await client.query<{ tbl: string; sync: string }>(`SELECT tbl, sync FROM ${own}.commits ORDER BY n`);
      expect(rows.map((r) => `${r.tbl}:${r.sync}`)).toEqual([
        'checkpoints:off', 'events:on', 'checkpoints:off', 'events:on', 'events:on', 'checkpoints:on',
      ]);
      expect(await single.loadCheckpoint('reader')).toBe(2);
      expect(await single.loadCheckpoint('importer')).toBe(7);
    } finally {
      await single.close();
      await client.query(`DROP SCHEMA ${own} CASCADE`);
      await client.end();
    }
  });

  it('wakes a subscriber through LISTEN/NOTIFY when another process appends', async () => {
    const writer = await PostgresEventStore.connect(testUrl, { schema, logger: quiet, poolSize: 1 });
    const subscriberId = `listen-${randomUUID()}`;
    await store.saveCheckpoint(subscriberId, await store.headPosition());
    const seen: string[] = [];
    // polling every minute: within the wait below only a notification can deliver
    const sub = store.subscribe({
      subscriberId,
      pollIntervalMs: 60_000,
      handler: async (batch) => {
        seen.push(...batch.map((e) => e.id));
      },
    });
    try {
      // the subscriber must be listening before the append; its first read finds nothing
      const probe = new Client({ connectionString: testUrl });
      await probe.connect();
      try {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const { rows } = await probe.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'`,
            [databaseName],
          );
          if (rows[0].n > 0) break;
          if (Date.now() > deadline) throw new Error('no LISTEN connection appeared');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      } finally {
        await probe.end();
      }
      const e = event();
      await writer.append(`n-${randomUUID()}`, [e], 'no-stream');
      const deadline = Date.now() + 10_000;
      while (!seen.includes(e.id)) {
        if (Date.now() > deadline) throw new Error('subscriber was not woken by NOTIFY');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      await sub.stop();
      await writer.close();
    }
  });

  it('is what createEventStore builds for EVENTSTORE=postgres', async () => {
    const created = await createEventStore({ kind: 'postgres', databaseUrl: testUrl, logger: quiet });
    try {
      expect(created.kind).toBe('postgres');
      expect(await created.headPosition()).toBeGreaterThanOrEqual(0);
    } finally {
      await created.close();
    }
  });

  it('fails loudly at start-up when the server cannot be reached', async () => {
    await expect(
      PostgresEventStore.connect('postgres://postgres@127.0.0.1:1/postgres', { logger: quiet }),
    ).rejects.toThrow(/PostgreSQL event store: cannot start/);
  });
});
