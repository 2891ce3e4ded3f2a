import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { StoredEvent } from '@lianban/contracts';
import { arrayStore, quarter4Dataset, quarterDataset, registeredFacts } from '@lianban/testing/analytics-fixture';
import { tempDataDir } from '@lianban/testing/standalone';
import type { FactsStore } from './facts-store';
import { MemoryFactsStore } from './memory-facts-store';
import { FactsProjector } from './projector';
import { SqliteFactsStore } from './sqlite-facts-store';
import type { FactsVersion } from './versions';

/** A projections file written before the versions table became a rowid table. */
function writeOldLayout(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE projection_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE case_versions (
      case_id TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT, facts TEXT NOT NULL,
      PRIMARY KEY (case_id, valid_from)
    ) WITHOUT ROWID;
    CREATE INDEX case_versions_valid ON case_versions (valid_to, valid_from);
    INSERT INTO projection_meta VALUES ('checkpoint', '42'), ('version', 'case-facts/2'), ('generation', '3');
    INSERT INTO case_versions VALUES ('c1', '2025-01-01T00:00:00.000Z', NULL, '{"caseId":"c1"}');
  `);
  db.close();
}

describe('SqliteFactsStore: a file of the old layout', () => {
  it('is emptied and marked as made by no derivation, so the next start rebuilds it; other processes see a new generation', async () => {
    const file = path.join(tempDataDir('lianban-facts-layout-'), 'projections.sqlite');
    writeOldLayout(file);
    const store = new SqliteFactsStore(file);
    try {
      expect(await store.meta()).toEqual({ checkpoint: 0, version: null, generation: 4 });
      expect(await store.factsAt(null)).toEqual([]);
      await store.reset('case-facts/test');
      expect(await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [{ validFrom: '2025-01-01T00:00:00.000Z', facts: registeredFacts('c1', 'N-1') }] }], 1)).toBe(true);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'case_versions'").get() as { sql: string }).sql;
    db.close();
    expect(sql).not.toMatch(/WITHOUT ROWID/i);
    // opening the migrated file again keeps its rows
    const again = new SqliteFactsStore(file);
    try {
      expect((await again.meta()).checkpoint).toBe(1);
      expect((await again.versions('c1')).map((v) => v.validFrom)).toEqual(['2025-01-01T00:00:00.000Z']);
    } finally {
      await again.close();
    }
  });
});

async function all(store: FactsStore): Promise<FactsVersion[]> {
  const out: FactsVersion[] = [];
  for await (const page of store.allVersions()) out.push(...page);
  return out;
}

/** The rows a projector leaves in a store after a full rebuild of `events`. */
async function rebuilt(events: StoredEvent[], store: FactsStore, pageSize: number): Promise<FactsVersion[]> {
  const p = new FactsProjector(arrayStore(events), store, { pageSize });
  await p.reset();
  await p.catchUp();
  return all(store);
}

/** A projections file whose UPDATEs and DELETEs of versions are counted by triggers. */
function countingFile(): { file: string; writes: () => { updates: number; deletes: number } } {
  const file = path.join(tempDataDir('lianban-facts-held-'), 'projections.sqlite');
  new SqliteFactsStore(file).close();
  const db = new Database(file);
  db.exec(`
    CREATE TABLE writes (kind TEXT PRIMARY KEY, n INTEGER NOT NULL);
    INSERT INTO writes VALUES ('update', 0), ('delete', 0);
    CREATE TRIGGER count_updates AFTER UPDATE ON case_versions BEGIN UPDATE writes SET n = n + 1 WHERE kind = 'update'; END;
    CREATE TRIGGER count_deletes AFTER DELETE ON case_versions BEGIN UPDATE writes SET n = n + 1 WHERE kind = 'delete'; END;
  `);
  db.close();
  return {
    file,
    writes: () => {
      const read = new Database(file, { readonly: true });
      const rows = read.prepare('SELECT kind, n FROM writes').all() as { kind: string; n: number }[];
      read.close();
      const n = (kind: string) => rows.find((r) => r.kind === kind)!.n;
      return { updates: n('update'), deletes: n('delete') };
    },
  };
}

const fixtureEvents = [...quarterDataset(), ...quarter4Dataset().map((e) => ({ ...e, position: e.position + 1000 }))];
const at = (day: number) => new Date(Date.UTC(2025, 0, day)).toISOString();
const facts = (caseId: string, n: number) => registeredFacts(caseId, `N-${n}`);

describe('SqliteFactsStore: a rebuild in one transaction', () => {
  it('writes each version once, closed by the next, where commit by commit closed it with an UPDATE; the rows are the same', async () => {
    const { file, writes } = countingFile();
    const store = new SqliteFactsStore(file);
    // one event a commit: every change of a case comes in a commit after the one that made its last version
    const got = await store.inOneTransaction(() => rebuilt(fixtureEvents, store, 1));
    await store.close();
    expect(writes()).toEqual({ updates: 0, deletes: 0 });
    expect(got).toEqual(await rebuilt(fixtureEvents, new MemoryFactsStore(), 1));
    expect(got.filter((v) => v.validTo === null).length).toBe(new Set(fixtureEvents.map((e) => e.caseId)).size);
  });

  it('leaves the rows a commit-by-commit rebuild leaves, however few versions it holds and whatever the order of the events', async () => {
    // a store order that is not time order: trackers rebuild cases, changes delete what was written
    const shuffled = [...fixtureEvents].sort((a, b) => (a.position * 7919) % 101 - (b.position * 7919) % 101 || a.position - b.position).map((e, i) => ({ ...e, position: i + 1 }));
    for (const events of [fixtureEvents, shuffled]) {
      for (const [pageSize, heldCases] of [[1, 1], [1, 2], [3, 1], [7, 3], [1000, 5000]]) {
        const store = new SqliteFactsStore(path.join(tempDataDir('lianban-facts-held-'), 'projections.sqlite'), { heldCases });
        const got = await store.inOneTransaction(() => rebuilt(events, store, pageSize));
        expect(await all(store)).toEqual(got);
        await store.close();
        expect([pageSize, heldCases, got]).toEqual([pageSize, heldCases, await rebuilt(events, new MemoryFactsStore(), pageSize)]);
      }
    }
  });

  it('a commit that fails inside it leaves neither rows nor held versions behind; a failed rebuild writes nothing', async () => {
    // on this thread: a failure on the writer thread is answered a page later, and fails the whole rebuild (below)
    const store = new SqliteFactsStore(path.join(tempDataDir('lianban-facts-held-'), 'projections.sqlite'), { writerThread: false });
    await store.reset('test/1');
    await store.inOneTransaction(async () => {
      await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [{ validFrom: at(1), facts: facts('c1', 1) }, { validFrom: at(2), facts: facts('c1', 2) }] }], 1);
      // c1's version of day 1 is written: writing it again breaks the unique key, after c2's version was held
      await expect(store.commit([
        { caseId: 'c2', deleteFrom: null, insert: [{ validFrom: at(1), facts: facts('c2', 1) }] },
        { caseId: 'c1', deleteFrom: null, insert: [{ validFrom: at(1), facts: facts('c1', 9) }, { validFrom: at(5), facts: facts('c1', 9) }] },
      ], 2)).rejects.toThrow(/UNIQUE/);
      await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [{ validFrom: at(3), facts: facts('c1', 3) }] }], 2);
    });
    expect((await all(store)).map((v) => [v.caseId, v.validFrom, v.validTo, v.facts.caseNumber])).toEqual([
      ['c1', at(1), at(2), 'N-1'],
      ['c1', at(2), at(3), 'N-2'],
      ['c1', at(3), null, 'N-3'],
    ]);
    await expect(store.inOneTransaction(async () => {
      await store.commit([{ caseId: 'c3', deleteFrom: null, insert: [{ validFrom: at(1), facts: facts('c3', 1) }] }], 3);
      throw new Error('stopped');
    })).rejects.toThrow('stopped');
    await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [{ validFrom: at(4), facts: facts('c1', 4) }] }], 3);
    expect((await all(store)).map((v) => [v.caseId, v.validFrom, v.validTo])).toEqual([
      ['c1', at(1), at(2)], ['c1', at(2), at(3)], ['c1', at(3), at(4)], ['c1', at(4), null],
    ]);
    await store.close();
  });
});

describe('SqliteFactsStore: a rebuild on the writer thread', () => {
  it('starts one thread per rebuild of a file, which writes what the rebuild on this thread writes', async () => {
    // the module object the writer reads Worker from (an import here would be a copy of it)
    const threads = jest.requireActual<typeof import('node:worker_threads')>('node:worker_threads');
    const { Worker } = threads;
    const started = jest.spyOn(threads, 'Worker').mockImplementation((...args) => new Worker(...args));
    try {
      const onThread = new SqliteFactsStore(path.join(tempDataDir('lianban-facts-writer-'), 'projections.sqlite'), { writerThread: false });
      const expected = await onThread.inOneTransaction(() => rebuilt(fixtureEvents, onThread, 5));
      await onThread.close();
      expect(started).not.toHaveBeenCalled();
      const store = new SqliteFactsStore(path.join(tempDataDir('lianban-facts-writer-'), 'projections.sqlite'));
      await store.inOneTransaction(() => rebuilt(fixtureEvents, store, 5));
      expect(started).toHaveBeenCalledTimes(1);
      expect(await all(store)).toEqual(expected);
      expect((await store.meta()).checkpoint).toBe(fixtureEvents[fixtureEvents.length - 1].position);
      await store.close();
    } finally {
      started.mockRestore();
    }
  });

  it('a write that fails there fails the rebuild, which leaves the rows as they were', async () => {
    const store = new SqliteFactsStore(path.join(tempDataDir('lianban-facts-writer-'), 'projections.sqlite'));
    await store.reset('test/1');
    await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [{ validFrom: at(1), facts: facts('c1', 1) }] }], 1);
    const rebuild = store.inOneTransaction(async () => {
      await store.commit([{ caseId: 'c2', deleteFrom: null, insert: [{ validFrom: at(1), facts: facts('c2', 1) }] }], 2);
      // the same version twice in one change breaks the unique key on the writer thread
      await store.commit([{ caseId: 'c3', deleteFrom: null, insert: [{ validFrom: at(1), facts: facts('c3', 1) }, { validFrom: at(1), facts: facts('c3', 2) }] }], 3);
      await store.commit([{ caseId: 'c4', deleteFrom: null, insert: [{ validFrom: at(1), facts: facts('c4', 1) }] }], 4);
    });
    await expect(rebuild).rejects.toThrow(/UNIQUE/);
    expect((await all(store)).map((v) => [v.caseId, v.validTo])).toEqual([['c1', null]]);
    expect((await store.meta()).checkpoint).toBe(1);
    await store.close();
  });
});
