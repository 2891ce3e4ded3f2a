import * as path from 'node:path';
import Database from 'better-sqlite3';
import { tempDataDir } from '@lianban/testing/standalone';
import type { CaseFacts } from './case-facts';
import type { FactsStore } from './facts-store';
import { MemoryFactsStore } from './memory-facts-store';
import { SqliteFactsStore } from './sqlite-facts-store';
import type { FactsVersion, VersionChange } from './versions';

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
      expect(await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [{ validFrom: '2025-01-01T00:00:00.000Z', facts: { caseId: 'c1' } as never }] }], 1)).toBe(true);
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

const facts = (caseId: string, n: number) => ({ caseId, caseNumber: `N-${n}` }) as unknown as CaseFacts;
const moment = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 3_600_000).toISOString();

async function all(store: FactsStore): Promise<FactsVersion[]> {
  const out: FactsVersion[] = [];
  for await (const page of store.allVersions()) out.push(...page);
  return out;
}

/** A deterministic mix of every kind of change the projector makes, for `cases` cases. */
function* changeBatches(cases: number, batches: number): Generator<VersionChange[]> {
  // mulberry32: small, and every residue comes up (an LCG's low bits would skip kinds)
  let seed = 7;
  const random = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const last = new Map<string, number>();
  let n = 0;
  for (let b = 0; b < batches; b++) {
    const batch: VersionChange[] = [];
    for (let k = 0; k < 1 + random(4); k++) {
      const caseId = `case-${random(cases)}`;
      if (batch.some((c) => c.caseId === caseId)) continue;
      const at = last.get(caseId);
      const kind = at === undefined ? 0 : random(11);
      n += 1;
      if (kind <= 4) {
        // a new version, or two at once (a page that saw two events of the case)
        const from = (at ?? 0) + 1 + random(3);
        const insert = [{ validFrom: moment(from), facts: facts(caseId, n) }];
        if (random(3) === 0) insert.push({ validFrom: moment(from + 1), facts: facts(caseId, n + 1000) });
        last.set(caseId, from + insert.length - 1);
        batch.push({ caseId, deleteFrom: null, insert });
      } else if (kind <= 6) {
        // another event at the open version's moment
        batch.push({ caseId, deleteFrom: moment(at!), insert: [{ validFrom: moment(at!), facts: facts(caseId, n) }] });
      } else if (kind === 7) {
        // the same moment brought the facts back to the version before: the open one goes
        batch.push({ caseId, deleteFrom: moment(at!), insert: [] });
        last.set(caseId, at! - 1);
      } else if (kind === 8) {
        // an event out of order: the case rebuilt
        const from = 1 + random(3);
        last.set(caseId, from + 1);
        batch.push({ caseId, deleteFrom: '', insert: [{ validFrom: moment(from), facts: facts(caseId, n) }, { validFrom: moment(from + 1), facts: facts(caseId, n + 2000) }] });
      } else if (kind === 9) {
        batch.push({ caseId, deleteFrom: null, insert: [] });
      } else {
        // a delete from after the last version takes nothing (the store's contract allows it)
        last.set(caseId, at! + 1);
        batch.push({ caseId, deleteFrom: moment(at! + 1), insert: [{ validFrom: moment(at! + 1), facts: facts(caseId, n) }] });
      }
    }
    yield batch;
  }
}

describe('SqliteFactsStore: a replay in one transaction', () => {
  it.each([
    ['every open version held until the end', 1000],
    ['at most 3 held: the least recently changed are written open, then closed in the table', 3],
  ])('ends with the rows that commits one by one leave (%s)', async (_kind, heldVersions) => {
    const reference = new MemoryFactsStore();
    const store = new SqliteFactsStore(path.join(tempDataDir('lianban-facts-held-'), 'projections.sqlite'), { heldVersions });
    try {
      await reference.reset('test/1');
      await store.inOneTransaction(async () => {
        await store.reset('test/1');
        let position = 0;
        for (const batch of changeBatches(12, 400)) {
          position += 1;
          expect(await reference.commit(batch, position)).toBe(true);
          expect(await store.commit(batch, position)).toBe(true);
          // a refused batch changes nothing, held or written
          expect(await store.commit([{ caseId: 'case-0', deleteFrom: '', insert: [] }], position)).toBe(false);
          if (position % 97 === 0) {
            // a read in the middle of the replay sees every version, held ones included
            expect(await store.versions('case-1')).toEqual(await reference.versions('case-1'));
            expect(await store.factsAt(null)).toHaveLength((await reference.factsAt(null)).length);
          }
        }
      });
      expect(await all(store)).toEqual(await all(reference));
      expect(await store.meta()).toMatchObject({ checkpoint: 400 });
    } finally {
      await store.close();
    }
  });

  it('a batch that fails midway leaves the rows and the held versions as they were', async () => {
    const reference = new MemoryFactsStore();
    const store = new SqliteFactsStore(path.join(tempDataDir('lianban-facts-held-'), 'projections.sqlite'));
    try {
      await reference.reset('test/1');
      await store.inOneTransaction(async () => {
        await store.reset('test/1');
        const batches: VersionChange[][] = [
          [{ caseId: 'a', deleteFrom: null, insert: [{ validFrom: moment(1), facts: facts('a', 1) }] }],
          [
            { caseId: 'a', deleteFrom: null, insert: [{ validFrom: moment(2), facts: facts('a', 2) }] },
            { caseId: 'b', deleteFrom: null, insert: [{ validFrom: moment(1), facts: facts('b', 1) }] },
          ],
        ];
        for (const [i, batch] of batches.entries()) {
          await reference.commit(batch, i + 1);
          await store.commit(batch, i + 1);
        }
        // a's version at moment 1 is in the table, its version at 2 held: b's change is applied
        // (b's open version becomes held) before a's, which collides with the stored one, fails
        await expect(store.commit([
          { caseId: 'b', deleteFrom: null, insert: [{ validFrom: moment(3), facts: facts('b', 3) }] },
          { caseId: 'a', deleteFrom: null, insert: [{ validFrom: moment(1), facts: facts('a', 9) }, { validFrom: moment(5), facts: facts('a', 5) }] },
        ], 3)).rejects.toThrow(/UNIQUE/);
        const next: VersionChange[] = [
          { caseId: 'a', deleteFrom: null, insert: [{ validFrom: moment(4), facts: facts('a', 4) }] },
          { caseId: 'b', deleteFrom: null, insert: [{ validFrom: moment(4), facts: facts('b', 4) }] },
        ];
        expect(await reference.commit(next, 3)).toBe(true);
        expect(await store.commit(next, 3)).toBe(true);
      });
      expect(await all(store)).toEqual(await all(reference));
    } finally {
      await store.close();
    }
  });

  it('a replay that fails leaves the rows of before, and holds nothing afterwards', async () => {
    const store = new SqliteFactsStore(path.join(tempDataDir('lianban-facts-held-'), 'projections.sqlite'));
    try {
      await store.reset('test/1');
      await store.commit([{ caseId: 'a', deleteFrom: null, insert: [{ validFrom: moment(1), facts: facts('a', 1) }] }], 1);
      await expect(store.inOneTransaction(async () => {
        await store.reset('test/2');
        await store.commit([{ caseId: 'b', deleteFrom: null, insert: [{ validFrom: moment(1), facts: facts('b', 1) }] }], 1);
        throw new Error('replay interrupted');
      })).rejects.toThrow('replay interrupted');
      expect((await all(store)).map((v) => v.caseId)).toEqual(['a']);
      // outside a replay every commit writes its rows at once
      await store.commit([{ caseId: 'c', deleteFrom: null, insert: [{ validFrom: moment(1), facts: facts('c', 1) }] }], 2);
      const db = new Database(store.filePath, { readonly: true });
      try {
        expect(db.prepare("SELECT valid_to FROM case_versions WHERE case_id = 'c'").all()).toEqual([{ valid_to: null }]);
      } finally {
        db.close();
      }
    } finally {
      await store.close();
    }
  });
});
