import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeFacts, encodeFacts, type CaseFacts } from './case-facts';
import type { FactsStore, ProjectionMeta } from './facts-store';
import { FactsWriter } from './facts-writer';
import type { FactsVersion, VersionChange } from './versions';

export const PROJECTIONS_FILE_NAME = 'projections.sqlite';

export function projectionsFile(dataDir: string): string {
  return join(dataDir, PROJECTIONS_FILE_NAME);
}

const META_SCHEMA = `
CREATE TABLE IF NOT EXISTS projection_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/**
 * A rowid table, not WITHOUT ROWID: a row's facts (0.5–1 KB, encodeFacts) fit in a table leaf page,
 * where a WITHOUT ROWID b-tree spills every row of more than ~1 KB into an overflow page of its
 * own (4 KB a version, and closing a version rewrote the chain): a rebuild wrote 4× the bytes.
 * case_id ends the index as the primary key ended it before, so the rows of a read by moment
 * still come in the same order.
 */
const VERSIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS case_versions (
  case_id    TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to   TEXT,
  facts      TEXT NOT NULL,
  UNIQUE (case_id, valid_from)
);
CREATE INDEX IF NOT EXISTS case_versions_valid ON case_versions (valid_to, valid_from, case_id);
`;

interface Row {
  case_id: string;
  valid_from: string;
  valid_to: string | null;
  facts: string;
}

const SQL = {
  meta: 'SELECT key, value FROM projection_meta',
  setMeta: 'INSERT INTO projection_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  deleteAll: 'DELETE FROM case_versions',
  deleteFrom: 'DELETE FROM case_versions WHERE case_id = ? AND valid_from >= ?',
  closeLast: `UPDATE case_versions SET valid_to = ?
    WHERE case_id = ? AND valid_from = (SELECT MAX(valid_from) FROM case_versions WHERE case_id = ?)`,
  // only a case's last version can be open: found by the (case_id, valid_from) index alone,
  // where `case_id = ? AND valid_to IS NULL` read every version of the case to test valid_to
  closeOpen: `UPDATE case_versions SET valid_to = ?
    WHERE case_id = ? AND valid_from = (SELECT MAX(valid_from) FROM case_versions WHERE case_id = ?) AND valid_to IS NULL`,
  insert: 'INSERT INTO case_versions (case_id, valid_from, valid_to, facts) VALUES (?, ?, ?, ?)',
  current: 'SELECT facts FROM case_versions WHERE valid_to IS NULL',
  at: 'SELECT facts FROM case_versions WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)',
  ofCase: 'SELECT * FROM case_versions WHERE case_id = ? ORDER BY valid_from',
  caseIdsAfter: 'SELECT DISTINCT case_id FROM case_versions WHERE case_id > ? ORDER BY case_id LIMIT ?',
  range: 'SELECT * FROM case_versions WHERE case_id > ? AND case_id <= ? ORDER BY case_id, valid_from',
};
type Statement = keyof typeof SQL;

/** A case's last version, held in memory during a one-transaction rebuild (see `held`). */
interface Held {
  validFrom: string;
  json: string;
}

/** cases whose last version is held at most: beyond it the least recently changed is written open */
const HELD_CASES = 2000;

const toVersion = (r: Row): FactsVersion => ({ caseId: r.case_id, validFrom: r.valid_from, validTo: r.valid_to, facts: decodeFacts(r.facts) });

/**
 * The projection store of the embedded mode: `projections.sqlite` under DATA_DIR, a file of its
 * own so that it can be deleted and rebuilt without touching the events. Moments are stored as
 * `toISOString()` text, whose string order is time order, so "valid at T" is a range query.
 *
 * The file is a cache of the event store: it trades durability for speed (synchronous=NORMAL);
 * a power cut can lose the last batches, which are then applied again from the checkpoint.
 */
export class SqliteFactsStore implements FactsStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<SqliteFactsStore['prepare']>;
  private closed = false;
  /**
   * Inside `inOneTransaction` only: the last version of each case recently changed, not written
   * yet. A rebuild then writes each version once, closed by its successor, where writing it open
   * and closing it at the case's next moment rewrote the row and its index entries, and
   * a version replaced at the same moment is dropped before it was ever written. The rows plus
   * these are what the store holds: every read and the COMMIT write them first.
   */
  private held: Map<string, Held> | null = null;
  private readonly heldCases: number;
  /** inside `inOneTransaction` on a file: the thread that holds the transaction and writes */
  private writer: FactsWriter | null = null;
  private readonly writerThread: boolean;

  constructor(readonly filePath: string, options: { heldCases?: number; writerThread?: boolean } = {}) {
    this.heldCases = options.heldCases ?? HELD_CASES;
    this.writerThread = options.writerThread ?? true;
    if (filePath !== ':memory:') mkdirSync(dirname(filePath), { recursive: true });
    this.db = new Database(filePath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // a replay in another process holds the write lock while it swaps the rows in
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(META_SCHEMA);
    this.migrateVersionsTable();
    this.stmts = this.prepare();
  }

  /**
   * A file made before the versions table took its present layout is emptied and marked as made
   * by no derivation: the projection is a cache of the events, so the next start rebuilds it.
   */
  private migrateVersionsTable(): void {
    this.db.transaction(() => {
      const existing = this.db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'case_versions'").get() as { sql: string } | undefined;
      if (existing && /WITHOUT\s+ROWID/i.test(existing.sql)) {
        this.db.exec('DROP TABLE case_versions');
        const generation = Number((this.db.prepare("SELECT value FROM projection_meta WHERE key = 'generation'").get() as { value: string } | undefined)?.value ?? 0);
        const setMeta = this.db.prepare('INSERT INTO projection_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
        setMeta.run('checkpoint', '0');
        setMeta.run('generation', String(generation + 1));
        this.db.prepare("DELETE FROM projection_meta WHERE key = 'version'").run();
      }
      this.db.exec(VERSIONS_SCHEMA);
    }).immediate();
  }

  async meta(): Promise<ProjectionMeta> {
    return this.currentMeta();
  }

  private currentMeta(): ProjectionMeta {
    return this.writer ? { ...this.writer.meta } : this.readMeta();
  }

  private readMeta(): ProjectionMeta {
    const rows = this.stmts.meta.all() as { key: string; value: string }[];
    const m = new Map(rows.map((r) => [r.key, r.value]));
    return {
      checkpoint: Number(m.get('checkpoint') ?? 0),
      version: m.get('version') ?? null,
      generation: Number(m.get('generation') ?? 0),
    };
  }

  async commit(changes: VersionChange[], position: number): Promise<boolean> {
    // a failed commit leaves no row behind (its savepoint rolls back): nor may it leave held versions
    const before = this.held ? new Map(this.held) : null;
    try {
      let applied = false;
      await this.atomically(() => {
        if (position <= this.currentMeta().checkpoint) return;
        for (const c of changes) this.applyChange(c);
        this.run('setMeta', 'checkpoint', String(position));
        if (this.writer) this.writer.meta.checkpoint = position;
        applied = true;
      });
      return applied;
    } catch (e) {
      if (before) this.held = before;
      throw e;
    }
  }

  /** Writes as one: a transaction of this connection, or one batch of the writer thread's. */
  private async atomically(fn: () => void): Promise<void> {
    if (!this.writer) return void this.db.transaction(fn).immediate();
    try {
      fn();
    } catch (e) {
      this.writer.ops = [];
      throw e;
    }
    await this.writer.send();
  }

  private run(statement: Statement, ...args: unknown[]): void {
    if (this.writer) this.writer.ops.push([statement, ...args]);
    else this.stmts[statement].run(...args);
  }

  private async all<R>(statement: Statement, ...args: unknown[]): Promise<R[]> {
    return (this.writer ? await this.writer.all(statement, args) : this.stmts[statement].all(...args)) as R[];
  }

  private applyChange(c: VersionChange): void {
    const held = this.held?.get(c.caseId);
    if (held) {
      this.held!.delete(c.caseId);
      const first = c.insert[0]?.validFrom;
      if (c.deleteFrom === null || c.deleteFrom > held.validFrom) {
        // nothing written is deleted: the held version stays last, or the first insert closes it
        if (first === undefined) return this.hold(c.caseId, held);
        this.run('insert', c.caseId, held.validFrom, first, held.json);
        return this.insertAll(c);
      }
      // replaced at its own moment: the version written before it already ends there
      if (c.deleteFrom === held.validFrom && first === held.validFrom) return this.insertAll(c);
      this.run('insert', c.caseId, held.validFrom, null, held.json);
    }
    const first = c.insert[0]?.validFrom ?? null;
    if (c.deleteFrom !== null) {
      this.run('deleteFrom', c.caseId, c.deleteFrom);
      // what is left last may have been closed by a version just deleted
      this.run('closeLast', first, c.caseId, c.caseId);
    } else if (first !== null) {
      this.run('closeOpen', first, c.caseId, c.caseId);
    }
    this.insertAll(c);
  }

  /** Writes a change's versions, each closed by the next; the last is held when a rebuild holds them. */
  private insertAll(c: VersionChange): void {
    const last = c.insert.length - 1;
    c.insert.forEach((v, i) => {
      const json = v.json ?? encodeFacts(v.facts);
      if (i === last && this.held) this.hold(c.caseId, { validFrom: v.validFrom, json });
      else this.run('insert', c.caseId, v.validFrom, c.insert[i + 1]?.validFrom ?? null, json);
    });
  }

  private hold(caseId: string, v: Held): void {
    const held = this.held!;
    held.set(caseId, v);
    if (held.size > this.heldCases) {
      // Map order is insertion order: the least recently changed case is written open
      const [oldest, o] = held.entries().next().value as [string, Held];
      held.delete(oldest);
      this.run('insert', oldest, o.validFrom, null, o.json);
    }
  }

  /** Writes every held version, open: the rows alone then are what the store holds. */
  private writeHeld(): void {
    if (!this.held?.size) return;
    for (const [caseId, v] of this.held) this.run('insert', caseId, v.validFrom, null, v.json);
    this.held.clear();
  }

  async factsAt(at: string | null): Promise<CaseFacts[]> {
    this.writeHeld();
    const rows = await (at === null ? this.all<{ facts: string }>('current') : this.all<{ facts: string }>('at', at, at));
    return rows.map((r) => decodeFacts(r.facts));
  }

  async versions(caseId: string): Promise<FactsVersion[]> {
    this.writeHeld();
    return (await this.all<Row>('ofCase', caseId)).map(toVersion);
  }

  async *allVersions(): AsyncIterable<FactsVersion[]> {
    this.writeHeld();
    let after = '';
    for (;;) {
      // paged by case so a page never splits a case (verify compares whole cases)
      const ids = await this.all<{ case_id: string }>('caseIdsAfter', after, 500);
      if (ids.length === 0) return;
      const last = ids[ids.length - 1].case_id;
      const rows = await this.all<Row>('range', after, last);
      yield rows.map(toVersion);
      after = last;
    }
  }

  async replaceCase(caseId: string, versions: FactsVersion[]): Promise<void> {
    await this.atomically(() => {
      this.run('deleteFrom', caseId, '');
      for (const v of versions) this.run('insert', caseId, v.validFrom, v.validTo, encodeFacts(v.facts));
    });
    this.held?.delete(caseId);
  }

  async reset(version: string): Promise<void> {
    let meta: ProjectionMeta | null = null;
    await this.atomically(() => {
      meta = { checkpoint: 0, version, generation: this.currentMeta().generation + 1 };
      this.run('deleteAll');
      this.run('setMeta', 'checkpoint', '0');
      this.run('setMeta', 'version', version);
      this.run('setMeta', 'generation', String(meta.generation));
    });
    if (this.writer) this.writer.meta = meta!;
    this.held?.clear();
  }

  /**
   * Runs `fn` with every commit of this connection inside one transaction: a full replay writes
   * its thousands of batches at the speed of one, and readers in other processes keep seeing the
   * old rows until it commits (WAL).
   */
  async inOneTransaction<T>(fn: () => Promise<T>): Promise<T> {
    const writer = this.writerThread && this.filePath !== ':memory:' ? await FactsWriter.start(this.filePath, SQL) : null;
    if (!writer) this.db.exec('BEGIN IMMEDIATE');
    this.writer = writer;
    this.held = new Map();
    try {
      const v = await fn();
      this.writeHeld();
      if (writer) await writer.commit();
      else this.db.exec('COMMIT');
      return v;
    } catch (e) {
      if (writer) await writer.rollback();
      else if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    } finally {
      this.writer = null;
      this.held = null;
      await writer?.stop();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private prepare() {
    const stmts = {} as Record<keyof typeof SQL, Database.Statement>;
    for (const [k, sql] of Object.entries(SQL)) stmts[k as keyof typeof SQL] = this.db.prepare(sql);
    return stmts;
  }
}
