import * as fs from 'node:fs';
import * as path from 'node:path';
import type Database from 'better-sqlite3';

/** What WalSync does to make a commit durable; a test holds or fails it. */
export interface WalFileSync {
  /** syncs the WAL file; the first call also syncs its directory entry */
  sync(): Promise<void>;
  /** the same, on the calling thread: for a lone writer the hop to the thread pool costs more than the fsync */
  syncNow(): void;
  close(): Promise<void>;
}

const byConnection = new WeakMap<Database.Database, WalSync>();

/**
 * Makes a connection's commits durable from the thread pool instead of the event loop.
 *
 * With `synchronous=FULL` every COMMIT in WAL mode fsyncs the WAL on the calling thread, which in
 * Node is the one thread serving every request. A commit made through `unsynced` skips that
 * (synchronous=NORMAL for the one commit) and `sync()` then fsyncs the WAL file from the thread
 * pool: the caller acknowledges only after that, so the same bytes are on disk before anyone is
 * told, as with FULL, while the process goes on serving. Callers arriving while a sync runs share
 * the next one.
 *
 * Why a sync of the WAL file covers a commit (https://sqlite.org/pragma.html#pragma_synchronous,
 * https://sqlite.org/wal.html, and the SQLite forum's "Switching pragma synchronous to upgrade
 * durability", which recommends exactly this flush of the WAL for NORMAL commits): a commit is
 * durable once its WAL frames are on disk, and an fsync of any descriptor of the file flushes all
 * of the file's written pages. Under NORMAL, SQLite still syncs the WAL before every checkpoint
 * and the database file after it, so a commit the checkpoint copied is on disk in the database
 * file even when a later writer restarts the WAL from its start; frames written after a restart
 * are in the same file (a restart or TRUNCATE keeps the inode, the WAL is only deleted when the
 * last connection closes), which the next sync covers; and the WAL header a restart writes is
 * synced by SQLite itself. WAL recovery keeps a prefix of the frames (checksums chain), so a
 * commit is never kept without the ones before it.
 *
 * One per connection (`of`): writers sharing a connection share its syncs. An fsync that fails
 * fails every later one too (until the connection is opened again): after a failed fsync the
 * kernel may have dropped the pages, and a later fsync that succeeds proves nothing about them.
 */
export class WalSync {
  /** true when commits may skip their sync: WAL mode on a file (not `:memory:`, not a rollback journal) */
  readonly active: boolean;
  private readonly db: Database.Database;
  /** the connection's own level, restored after each unsynced commit */
  private readonly level: number;
  private file: WalFileSync | null;
  /** the sync that will start after the running one: whoever arrives now waits for it */
  private nextSync: Promise<void> | null = null;
  private runningSync: Promise<void> = Promise.resolve();

  private constructor(db: Database.Database, file?: WalFileSync) {
    const mode = db.pragma('journal_mode', { simple: true });
    this.active = mode === 'wal' && !db.memory;
    this.level = db.pragma('synchronous', { simple: true }) as number;
    this.file = this.active ? (file ?? walFileSync(`${db.name}-wal`)) : null;
    this.db = db;
  }

  /**
   * The connection's syncer, made on first use (after its journal mode and synchronous level are
   * set). `file` replaces the fsync, for a test that holds a sync.
   */
  static of(db: Database.Database, file?: WalFileSync): WalSync {
    let sync = byConnection.get(db);
    if (!sync) {
      sync = new WalSync(db, file);
      byConnection.set(db, sync);
    }
    return sync;
  }

  /**
   * Runs `fn` (a write: one statement or a whole transaction) so that its commit skips the sync.
   * Whoever depends on it being on disk awaits `sync()` afterwards. Inside a surrounding
   * transaction the level cannot change and that transaction's own commit decides.
   */
  unsynced<T>(fn: () => T): T {
    if (!this.active || this.db.inTransaction) return fn();
    // db.pragma, not a prepared statement run again: SQLite applies this pragma when it compiles it
    this.db.pragma('synchronous = NORMAL');
    try {
      return fn();
    } finally {
      this.db.pragma(`synchronous = ${this.level}`);
    }
  }

  /** resolves once a sync of the WAL that started after this call has finished (at once when inactive) */
  sync(): Promise<void> {
    if (!this.active) return Promise.resolve();
    this.nextSync ??= this.runningSync.catch(() => undefined).then(() => {
      this.nextSync = null;
      this.runningSync = this.file!.sync();
      return this.runningSync;
    });
    return this.nextSync;
  }

  /**
   * Syncs the WAL on the calling thread, now (nothing when inactive): the same fsync of the same
   * file as `sync`, for a caller with nobody else to serve meanwhile. Throws as `sync` rejects.
   */
  syncNow(): void {
    if (this.active) this.file!.syncNow();
  }

  /** waits for the syncs asked for so far and closes the WAL file; the connection is the caller's to close */
  async close(): Promise<void> {
    await (this.nextSync ?? this.runningSync).catch(() => undefined);
    await this.file?.close();
    this.file = null;
    byConnection.delete(this.db);
  }
}

function walFileSync(wal: string): WalFileSync {
  let handle: Promise<fs.promises.FileHandle> | null = null;
  /** syncNow's descriptor of the WAL: an fsync of any descriptor of a file flushes all its written pages */
  let fd: number | null = null;
  let failed: { error: unknown } | null = null;
  const failing = (error: unknown): never => {
    failed = { error };
    throw error;
  };
  return {
    async sync() {
      if (failed) throw failed.error;
      // the WAL lives as long as the connection is open; its directory entry is synced once, as
      // SQLite does for a WAL it creates
      handle ??= (async () => {
        const dir = await fs.promises.open(path.dirname(wal), 'r');
        try {
          await dir.sync();
        } finally {
          await dir.close();
        }
        return fs.promises.open(wal, 'r');
      })();
      const h = await handle.catch((e: unknown) => {
        handle = null;
        throw e;
      });
      await h.sync().catch(failing);
    },
    syncNow() {
      if (failed) throw failed.error;
      if (fd === null) {
        const dir = fs.openSync(path.dirname(wal), 'r');
        try {
          fs.fsyncSync(dir);
        } finally {
          fs.closeSync(dir);
        }
        fd = fs.openSync(wal, 'r');
      }
      try {
        fs.fsyncSync(fd);
      } catch (error) {
        failing(error);
      }
    },
    async close() {
      const h = await handle?.catch(() => null);
      handle = null;
      await h?.close();
      if (fd !== null) fs.closeSync(fd);
      fd = null;
    },
  };
}
