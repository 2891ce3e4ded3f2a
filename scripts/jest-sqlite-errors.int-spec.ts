import { readFileSync } from 'node:fs';
import * as vm from 'node:vm';
import Database from 'better-sqlite3';

const { bindSqliteErrorsToThisRealm, sqliteAddon } = require('./jest-sqlite-errors') as {
  bindSqliteErrorsToThisRealm: () => void;
  sqliteAddon: () => { setErrorConstructor(c: unknown): void };
};

/** better-sqlite3's SqliteError as an earlier test file of the same worker made it: in a realm of its own. */
function sqliteErrorOfAnotherRealm(): unknown {
  const sandbox = { module: { exports: {} as unknown } };
  vm.runInNewContext(readFileSync(require.resolve('better-sqlite3/lib/sqlite-error.js'), 'utf8'), sandbox);
  return sandbox.module.exports;
}

describe('jest setup: SQLite errors of a test file', () => {
  it('are Errors of its own realm, which rejects.toThrow recognises, even after an earlier file of the worker opened a database', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (k INTEGER UNIQUE); INSERT INTO t VALUES (1)');
    const duplicate = async () => db.exec('INSERT INTO t VALUES (1)');
    try {
      sqliteAddon().setErrorConstructor(sqliteErrorOfAnotherRealm());
      // what a later file saw: thrown, but no Error of its realm, so "Received function did not throw"
      const foreign = await duplicate().catch((e: unknown) => e);
      expect((foreign as { code?: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
      expect(foreign instanceof Error).toBe(false);

      bindSqliteErrorsToThisRealm();
      await expect(duplicate()).rejects.toThrow(/UNIQUE/);
      await expect(duplicate()).rejects.toBeInstanceOf(Database.SqliteError);
    } finally {
      bindSqliteErrorsToThisRealm();
      db.close();
    }
  });
});
