import * as path from 'node:path';
import Database from 'better-sqlite3';
import { tempDataDir } from '@lianban/testing/standalone';
import { SqliteFactsStore } from './sqlite-facts-store';

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
