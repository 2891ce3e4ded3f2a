import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '@lianban/contracts';
import { runEventStoreContract, type EventStoreUnderTest } from '@lianban/testing';
import { runImportContract } from '@lianban/testing/import-contract';
import { StreamConflictError, type EventStore, type LeanEvent } from '../port';
import { createEventStore, SQLITE_FILE_NAME } from '../factory';
import Database from 'better-sqlite3';
import { SqliteEventStore } from './sqlite-event-store';
import { heldWalFile, track, turns } from '@lianban/testing/held-wal';

const quiet = { warn: () => undefined };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lianban-es-'));
}

async function openSqlite(): Promise<EventStoreUnderTest> {
  const dir = tempDir();
  const file = join(dir, 'nested', 'events.sqlite');
  const opened: EventStore[] = [];
  const openOne = async () => {
    const store = SqliteEventStore.open(file, { logger: quiet });
    opened.push(store);
    return store;
  };
  return {
    store: await openOne(),
    reopen: openOne,
    cleanup: async () => {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

runEventStoreContract('sqlite', openSqlite);
runImportContract('sqlite', openSqlite, { preservesPositions: true, atomic: true });

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

describe('SqliteEventStore specifics', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = tempDir();
    store = SqliteEventStore.open(join(dir, 'a', 'b', 'events.sqlite'), { logger: quiet });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the parent directory and runs in WAL mode with synchronous=FULL', () => {
    expect(existsSync(join(dir, 'a', 'b', 'events.sqlite'))).toBe(true);
    expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    // 2 = FULL
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('saves a checkpoint (synchronous=NORMAL for that commit only) and leaves every other commit synchronous=FULL', async () => {
    await store.saveCheckpoint('projection-x', 41);
    await store.saveCheckpoint('projection-x', 42);
    expect(await store.loadCheckpoint('projection-x')).toBe(42);
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
    // inside a caller's transaction the checkpoint joins it (the setting cannot change there)
    store.transaction(() => {
      void store.saveCheckpoint('projection-y', 7);
    });
    expect(await store.loadCheckpoint('projection-y')).toBe(7);
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('writes a saved checkpoint in the next group commit rather than a commit of its own, and at close', async () => {
    const file = join(dir, 'a', 'b', 'events.sqlite');
    const other = new Database(file, { readonly: true });
    const stored = (id: string) => (other.prepare('SELECT position FROM checkpoints WHERE id = ?').pluck().get(id) as number | undefined) ?? 0;
    try {
      await store.saveCheckpoint('sub-a', 5);
      await store.saveCheckpoint('sub-b', 6);
      // this connection answers what was saved; the file has it once a commit carried it
      expect(await store.loadCheckpoint('sub-a')).toBe(5);
      expect(stored('sub-a')).toBe(0);
      await store.append('s-1', [event()], 'no-stream');
      expect([stored('sub-a'), stored('sub-b')]).toEqual([5, 6]);
      await store.saveCheckpoint('sub-a', 9);
      expect(stored('sub-a')).toBe(5);
      expect(await store.listCheckpoints()).toEqual([{ id: 'sub-a', position: 9 }, { id: 'sub-b', position: 6 }]);
      await store.saveCheckpoint('sub-b', 11);
      await store.close();
      expect(stored('sub-b')).toBe(11);
    } finally {
      other.close();
    }
  });

  it('answers readAll from the events it read last exactly as the file does, whoever appends', async () => {
    const file = join(dir, 'a', 'b', 'events.sqlite');
    const other = SqliteEventStore.open(file, { logger: quiet });
    // a second connection's readAll starts afresh each time: it reads the rows the file holds
    const fresh = () => SqliteEventStore.open(file, { logger: quiet });
    try {
      let n = 0;
      const appendSome = async (writer: SqliteEventStore, count: number) => {
        for (let i = 0; i < count; i++) await writer.append(`s-${n++}`, [event(), event()], 'no-stream');
      };
      await appendSome(store, 5);
      let seed = 7;
      const random = (m: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % m;
      for (let round = 0; round < 60; round++) {
        if (round % 7 === 3) await appendSome(round % 2 ? store : other, 1 + random(3));
        const head = await store.headPosition();
        const after = random(head + 2);
        const limit = 1 + random(8);
        const expected = fresh();
        try {
          const want = await expected.readAll({ after, limit });
          expect((await store.readAll({ after, limit })).map((e) => e.position)).toEqual(want.map((e) => e.position));
        } finally {
          await expected.close();
        }
      }
    } finally {
      await other.close();
    }
  });

  it('answers readAllLean with the lean fields of readAll\'s events, behind, inside and beyond the tail', async () => {
    const lean = (e: LeanEvent): LeanEvent => ({
      position: e.position, type: e.type, caseId: e.caseId, region: e.region, agencyId: e.agencyId, occurredAt: e.occurredAt, data: e.data,
    });
    for (let i = 0; i < 30; i++) {
      await store.append(`s-${i}`, [event({ caseId: `c-${i % 4}`, agencyId: i % 2 ? `a-${i}` : null, data: { i } }), event({ data: { i, j: 1 } })], 'no-stream');
    }
    const file = join(dir, 'a', 'b', 'events.sqlite');
    const fresh = SqliteEventStore.open(file, { logger: quiet });
    try {
      const want = async (after: number, limit: number) => (await fresh.readAll({ after, limit })).map(lean);
      // before anyone read (no tail): only the lean columns, nothing else
      const first = await store.readAllLean({ after: 0, limit: 25 });
      expect(first).toEqual(await want(0, 25));
      expect(Object.keys(first[0]).sort()).toEqual(['agencyId', 'caseId', 'data', 'occurredAt', 'position', 'region', 'type']);
      // a full reader now holds (40, 55] in the tail
      await store.readAll({ after: 40, limit: 15 });
      for (const [after, limit] of [[0, 60], [10, 5], [39, 3], [40, 10], [45, 20], [55, 5], [58, 10], [60, 5]]) {
        expect((await store.readAllLean({ after, limit })).map(lean)).toEqual(await want(after, limit));
      }
    } finally {
      await fresh.close();
    }
  });

  it('commits the appends of one tick in a single transaction, each checked on its own', async () => {
    let commits = 0;
    const db = store.database;
    // counts real COMMITs: total_changes alone cannot tell one transaction from several
    const original = db.transaction.bind(db);
    (db as { transaction: typeof db.transaction }).transaction = ((fn: (...args: never[]) => unknown) => {
      const tx = original(fn);
      const wrap = (kind: 'default' | 'immediate') => (...args: never[]) => {
        const wasInTransaction = db.inTransaction;
        const result = kind === 'immediate' ? tx.immediate(...args) : tx(...args);
        if (!wasInTransaction) commits += 1;
        return result;
      };
      return Object.assign(wrap('default'), { immediate: wrap('immediate') });
    }) as unknown as typeof db.transaction;

    await store.append('s-1', [event()], 'no-stream');
    commits = 0;
    const outcomes = await Promise.allSettled([
      store.append('s-1', [event()], 0),
      store.append('s-1', [event()], 0),
      store.append('s-2', [event(), event()], 'no-stream'),
      store.append('s-3', [event()], 7),
    ]);
    expect(commits).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(StreamConflictError);
    expect((outcomes[3] as PromiseRejectedResult).reason).toBeInstanceOf(StreamConflictError);
    expect((await store.readStream('s-1')).length).toBe(2);
    expect((await store.readStream('s-2')).length).toBe(2);
    expect(await store.readStream('s-3')).toEqual([]);
  });

  it('resolves an append only once its events can be read from another connection', async () => {
    const other = SqliteEventStore.open(store.filePath, { logger: quiet });
    try {
      const e = event();
      const pending = store.append('s-visible', [e], 'no-stream');
      // queued for the group commit: not written yet
      const visibleBeforeResolve = (await other.readStream('s-visible')).length > 0;
      await pending;
      expect(visibleBeforeResolve).toBe(false);
      expect((await other.readStream('s-visible')).map((x) => x.id)).toEqual([e.id]);
    } finally {
      await other.close();
    }
  });

  it('writes own tables and appends atomically through transaction()', async () => {
    store.database.exec('CREATE TABLE IF NOT EXISTS inbox (message_id TEXT PRIMARY KEY)');
    const handled = event();
    const result = store.transaction((tx) => {
      tx.db.prepare('INSERT INTO inbox (message_id) VALUES (?)').run('m-1');
      return tx.append('s-inbox', [handled], 'no-stream');
    });
    expect(result).toEqual({ nextExpectedRevision: 0, lastPosition: expect.any(Number) });

    // the redelivered message: the conflict rolls back the inbox row too
    expect(() =>
      store.transaction((tx) => {
        tx.db.prepare('INSERT INTO inbox (message_id) VALUES (?)').run('m-2');
        return tx.append('s-inbox', [event()], 'no-stream');
      }),
    ).toThrow(StreamConflictError);
    const inbox = store.database.prepare('SELECT message_id FROM inbox ORDER BY message_id').pluck().all();
    expect(inbox).toEqual(['m-1']);
    expect((await store.readStream('s-inbox')).map((e) => e.id)).toEqual([handled.id]);
  });

  it('wakes a subscriber on an append made through transaction()', async () => {
    const seen: string[] = [];
    // a long poll interval: only the in-process wake-up can deliver within the wait below
    const sub = store.subscribe({
      subscriberId: 'tx-sub',
      pollIntervalMs: 60_000,
      handler: async (batch) => {
        seen.push(...batch.map((e) => e.id));
      },
    });
    try {
      // let the subscriber reach its idle wait on the empty store
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
      const e = event();
      store.transaction((tx) => tx.append('s-wake', [e], 'no-stream'));
      const deadline = Date.now() + 10_000;
      while (!seen.includes(e.id)) {
        if (Date.now() > deadline) throw new Error('subscriber was not woken');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      await sub.stop();
    }
  });
});

describe('SqliteEventStore durable head (the WAL synced off the event loop)', () => {
  // a batch of two appends in one tick: only a lone append syncs on the loop (see the last tests)
  let dir: string;
  let file: string;
  let wal: ReturnType<typeof heldWalFile>;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = tempDir();
    file = join(dir, 'events.sqlite');
    wal = heldWalFile();
    store = SqliteEventStore.open(file, { logger: quiet, walFile: wal.file });
  });

  afterEach(async () => {
    wal.release();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits without a sync, then acknowledges, wakes and serves readers only once the WAL sync finished', async () => {
    const seen: string[] = [];
    const sub = store.subscribe({
      subscriberId: 'held',
      pollIntervalMs: 60_000,
      handler: async (batch) => {
        seen.push(...batch.map((x) => x.id));
      },
    });
    try {
      await turns();
      const e = event({ caseId: 'case-held' });
      const other = event();
      const appended = track(store.append('s-held', [e], 'no-stream'));
      const alongside = store.append('s-other', [other], 'no-stream');
      await turns();
      // committed: another connection reads it from the file
      const raw = new Database(file, { readonly: true });
      try {
        expect(raw.prepare('SELECT id FROM events ORDER BY position').pluck().all()).toEqual([e.id, other.id]);
      } finally {
        raw.close();
      }
      expect(wal.held).toBe(1);
      // the lean read first: it is the one that reads the table itself while nobody filled the tail
      const lean = track(store.readAllLean());
      const readAll = track(store.readAll());
      const byCase = track(store.readByCase('case-held'));
      const head = track(store.headPosition());
      await turns();
      expect(appended.settled).toBe(false);
      expect(lean.settled).toBe(false);
      expect(readAll.settled).toBe(false);
      expect(byCase.settled).toBe(false);
      expect(head.settled).toBe(false);
      expect(seen).toEqual([]);
      // the write path sees every committed event: the next command of the stream decides on it
      expect(await store.caseHead('case-held')).toBe(1);

      wal.release();
      expect(await appended.promise).toEqual({ nextExpectedRevision: 0, lastPosition: 1 });
      await alongside;
      expect((await lean.promise).map((x) => x.position)).toEqual([1, 2]);
      expect((await readAll.promise).map((x) => x.id)).toEqual([e.id, other.id]);
      expect((await byCase.promise).map((x) => x.id)).toEqual([e.id]);
      expect(await head.promise).toBe(2);
      while (seen.length < 2) await turns(1);
      expect(seen).toEqual([e.id, other.id]);
      expect(wal.syncedNow).toBe(0);
    } finally {
      await sub.stop();
    }
  });

  it('holds the appends made while a sync runs and commits them together once it ended', async () => {
    const committed = () => {
      const raw = new Database(file, { readonly: true });
      try {
        return raw.prepare('SELECT stream_id FROM events ORDER BY position').pluck().all();
      } finally {
        raw.close();
      }
    };
    const a = Promise.all([store.append('s-a', [event()], 'no-stream'), store.append('s-a2', [event()], 'no-stream')]);
    await turns();
    expect(wal.held).toBe(1);
    // lone, but a sync runs: it waits for it, as in a batch, instead of syncing on the loop
    const b = store.append('s-b', [event()], 'no-stream');
    await turns();
    const c = store.append('s-c', [event()], 'no-stream');
    await turns();
    // their sync could not start before the running one ended: they wait for it uncommitted
    expect(committed()).toEqual(['s-a', 's-a2']);
    wal.release();
    await a;
    await turns();
    expect(committed()).toEqual(['s-a', 's-a2', 's-b', 's-c']);
    // one transaction, one sync for both
    expect(wal.held).toBe(1);
    wal.release();
    expect((await Promise.all([b, c])).map((r) => r.lastPosition)).toEqual([3, 4]);
    expect(wal.syncedNow).toBe(0);
  });

  it('does not acknowledge an append whose sync failed, nor show it to a reader', async () => {
    const appended = track(store.append('s-failed', [event()], 'no-stream'));
    const alongside = track(store.append('s-alongside', [event()], 'no-stream'));
    await turns();
    const readAll = track(store.readAll());
    await turns();
    wal.fail(new Error('EIO'));
    await expect(appended.promise).rejects.toThrow('EIO');
    await expect(readAll.promise).rejects.toThrow('EIO');
    await expect(alongside.promise).rejects.toThrow('EIO');
  });

  it('refuses everything after a failed sync, commits nothing more, and tells its failure listeners once', async () => {
    const synced = store.append('s-ok', [event()], 'no-stream');
    await turns();
    wal.release();
    await synced;
    const failures: Error[] = [];
    store.onFailure((e) => failures.push(e));
    const appended = track(store.append('s-failed', [event()], 'no-stream'));
    const alongside = track(store.append('s-failed2', [event()], 'no-stream'));
    await turns();
    // queued while the sync runs: committed only after it, which never comes
    const queued = track(store.append('s-queued', [event()], 'no-stream'));
    await turns();
    wal.fail(new Error('EIO'));
    await expect(appended.promise).rejects.toThrow('EIO');
    await expect(alongside.promise).rejects.toThrow('EIO');
    await expect(queued.promise).rejects.toThrow(/a sync of the WAL failed \(EIO\)/);
    expect(failures.map((e) => e.message)).toEqual([expect.stringMatching(/a sync of the WAL failed \(EIO\); nothing more is served/)]);
    // even what was synced before: the store serves nothing until it is opened again (health says 503)
    await expect(store.headPosition()).rejects.toThrow(/a sync of the WAL failed/);
    await expect(store.readStream('s-ok')).rejects.toThrow(/a sync of the WAL failed/);
    await expect(store.readAll()).rejects.toThrow(/a sync of the WAL failed/);
    await expect(store.append('s-later', [event()], 'no-stream')).rejects.toThrow(/a sync of the WAL failed/);
    expect(() => store.transaction((tx) => tx.append('s-tx', [event()], 'no-stream'))).toThrow(/a sync of the WAL failed/);
    await expect(store.saveCheckpoint('sub', 1)).rejects.toThrow(/a sync of the WAL failed/);
    expect(wal.held).toBe(0);
    expect(failures).toHaveLength(1);
    await store.close();
    // the queued append was never committed; the one whose sync failed was (and is not acknowledged)
    const reopened = SqliteEventStore.open(file, { logger: quiet });
    try {
      expect((await reopened.readAll()).map((e) => e.streamId)).toEqual(['s-ok', 's-failed', 's-failed2']);
    } finally {
      await reopened.close();
    }
  });

  it('makes everything committed before a transaction() durable with its own synced commit', async () => {
    const first = track(Promise.all([store.append('s-a', [event()], 'no-stream'), store.append('s-a2', [event()], 'no-stream')]));
    await turns();
    expect(wal.held).toBe(1);
    const e = event();
    store.transaction((tx) => tx.append('s-b', [e], 'no-stream'));
    // the FULL commit synced the WAL on the spot: every event is served at once
    expect((await store.readAll()).map((x) => x.position)).toEqual([1, 2, 3]);
    // the first append still answers after its own sync, which is still running
    expect(first.settled).toBe(false);
    wal.release();
    await first.promise;
  });

  it('syncs, on the first read, what a crashed process may have left unsynced', async () => {
    await store.append('s-1', [event()], 'no-stream');
    const again = heldWalFile();
    const reopened = SqliteEventStore.open(file, { logger: quiet, walFile: again.file });
    try {
      const read = track(reopened.readAll());
      await turns();
      expect(read.settled).toBe(false);
      expect(again.held).toBe(1);
      again.release();
      expect(await read.promise).toHaveLength(1);
    } finally {
      await reopened.close();
    }
  });

  it('acknowledges a lone append after a sync of the WAL on the loop, not the thread pool, and serves it at once', async () => {
    const e = event();
    expect(await store.append('s-lone', [e], 'no-stream')).toEqual({ nextExpectedRevision: 0, lastPosition: 1 });
    expect(wal.syncedNow).toBe(1);
    expect(wal.held).toBe(0);
    // durable: a read does not ask for a sync of its own
    expect((await store.readAll()).map((x) => x.id)).toEqual([e.id]);
    expect(wal.held).toBe(0);
  });

  it('refuses a lone append whose sync on the loop failed, and fails the store as a failed sync from the pool does', async () => {
    const failures: Error[] = [];
    store.onFailure((e) => failures.push(e));
    wal.failNow(new Error('EIO'));
    await expect(store.append('s-failed', [event()], 'no-stream')).rejects.toThrow('EIO');
    expect(failures.map((e) => e.message)).toEqual([expect.stringMatching(/a sync of the WAL failed \(EIO\); nothing more is served/)]);
    await expect(store.readAll()).rejects.toThrow(/a sync of the WAL failed/);
    await expect(store.append('s-later', [event()], 'no-stream')).rejects.toThrow(/a sync of the WAL failed/);
    expect(wal.syncedNow).toBe(0);
    expect(wal.held).toBe(0);
    await store.close();
    // committed, never acknowledged; nothing after it
    const reopened = SqliteEventStore.open(file, { logger: quiet });
    try {
      expect((await reopened.readAll()).map((x) => x.streamId)).toEqual(['s-failed']);
    } finally {
      await reopened.close();
    }
  });
});

describe('SqliteEventStore without a WAL to sync', () => {
  it('works in memory, answering at once', async () => {
    const store = SqliteEventStore.open(':memory:', { logger: quiet });
    try {
      const e = event();
      await store.append('s-mem', [e], 'no-stream');
      expect((await store.readAll()).map((x) => x.id)).toEqual([e.id]);
      expect(await store.headPosition()).toBe(1);
    } finally {
      await store.close();
    }
  });
});

describe('createEventStore (sqlite)', () => {
  it('opens the store file inside dataDir', async () => {
    const dir = tempDir();
    const store = await createEventStore({ kind: 'sqlite', dataDir: join(dir, 'data'), logger: quiet });
    try {
      expect(store.kind).toBe('sqlite');
      await store.append('s', [event()], 'no-stream');
      expect(existsSync(join(dir, 'data', SQLITE_FILE_NAME))).toBe(true);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a configuration without its connection setting', async () => {
    await expect(createEventStore({ kind: 'postgres' })).rejects.toThrow(/DATABASE_URL/);
    await expect(createEventStore({ kind: 'eventstoredb' })).rejects.toThrow(/EVENTSTORE_CONNECTION_STRING/);
  });
});
