// Jest runs many test files in one worker process, each in a realm of its own (its own `Error`),
// but a native addon is loaded once per process: better-sqlite3's addon keeps the SqliteError
// class of the first test file that opened a database and throws it in every later file. That
// error is then no `instanceof Error` there, and `expect(promise).rejects.toThrow(...)` reports
// "Received function did not throw" for a SQLite error that was thrown — a failure that depends
// on which files the worker ran before. Run before each test file (setupFiles), this makes the
// addon throw the SqliteError of the file about to run.
const path = require('node:path');

/** The addon object better-sqlite3 itself loads (lib/database.js): one per process. */
function sqliteAddon() {
  return require('bindings')({
    bindings: 'better_sqlite3.node',
    module_root: path.dirname(require.resolve('better-sqlite3/package.json')),
  });
}

function bindSqliteErrorsToThisRealm() {
  const addon = sqliteAddon();
  addon.setErrorConstructor(require('better-sqlite3').SqliteError);
  addon.isInitialized = true;
}

bindSqliteErrorsToThisRealm();
module.exports = { bindSqliteErrorsToThisRealm, sqliteAddon };
