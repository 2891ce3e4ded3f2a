import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { StoredEvent } from '@lianban/contracts';
import { evolveCaseFile, type CaseFile } from '@lianban/domain';
import { WalSync, type WalFileSync } from '@lianban/eventstore';

/** A case event arrived before its registration: the agency topic is missing the case's start. */
export class CaseStartMissingError extends Error {
  constructor(readonly caseId: string, readonly eventId: string) {
    super(`event ${eventId} of case ${caseId} arrived before the case's registration`);
    this.name = 'CaseStartMissingError';
  }
}

/**
 * One agency's own view of its cases, kept in a SQLite file of its own (DATA_DIR), built only
 * from what arrives on its topic. Each event is applied in ONE transaction that writes the
 * case's row and the event's id in the inbox table, so an event delivered again (a crash
 * before the offset commit, a relay that re-sent a batch) finds its id and changes nothing.
 *
 * A row holds the case folded by the same `evolveCaseFile` the embedded mode's inbox uses,
 * and `events`, how many events were folded into it: a double application would show there.
 *
 * The transaction commits without a sync and `apply` resolves once the WAL is synced from the
 * thread pool (WalSync): the consumer commits the topic offset only after that, so an applied id
 * is on disk with its effect before the event can no longer come again, and the event loop does
 * not stop for the sync.
 */
export class SqliteAgencyInbox {
  private readonly db: Database.Database;
  private readonly wal: WalSync;
  private readonly files = new Map<string, CaseFile>();
  private readonly stmts: {
    applied: Database.Statement<[string], { one: number }>;
    redelivered: Database.Statement<[string]>;
    row: Database.Statement<[string], { file: string; events: number }>;
    upsert: Database.Statement<[string, string, number]>;
    record: Database.Statement<[string, string, string, number, string]>;
  };

  /** `walFile` replaces the WAL's fsync (a test holds it) */
  constructor(readonly file: string, options: { walFile?: WalFileSync } = {}) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // an applied id must survive a power loss together with its effect, or the effect comes twice
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.wal = WalSync.of(this.db, options.walFile);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS inbox_applied (
        event_id     TEXT PRIMARY KEY,
        case_id      TEXT NOT NULL,
        type         TEXT NOT NULL,
        position     INTEGER NOT NULL,
        applied_at   TEXT NOT NULL,
        -- how often the event came again after it was applied (crash before the commit, relay re-send)
        redeliveries INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS inbox_cases (
        case_id TEXT PRIMARY KEY,
        file    TEXT NOT NULL,
        events  INTEGER NOT NULL
      );
    `);
    this.stmts = {
      applied: this.db.prepare('SELECT 1 AS one FROM inbox_applied WHERE event_id = ?'),
      redelivered: this.db.prepare('UPDATE inbox_applied SET redeliveries = redeliveries + 1 WHERE event_id = ?'),
      row: this.db.prepare('SELECT file, events FROM inbox_cases WHERE case_id = ?'),
      upsert: this.db.prepare(`INSERT INTO inbox_cases (case_id, file, events) VALUES (?, ?, ?)
        ON CONFLICT (case_id) DO UPDATE SET file = excluded.file, events = excluded.events`),
      record: this.db.prepare('INSERT INTO inbox_applied (event_id, case_id, type, position, applied_at) VALUES (?, ?, ?, ?, ?)'),
    };
    for (const row of this.db.prepare('SELECT case_id, file FROM inbox_cases').all() as { case_id: string; file: string }[]) {
      this.files.set(row.case_id, JSON.parse(row.file) as CaseFile);
    }
  }

  /** Applies one event, once: a redelivered event changes nothing but its redelivery count. */
  async apply(e: StoredEvent): Promise<'applied' | 'duplicate'> {
    const next = this.wal.unsynced(() => this.db.transaction((): CaseFile | null => {
      if (this.stmts.applied.get(e.id)) {
        this.stmts.redelivered.run(e.id);
        return null;
      }
      const row = this.stmts.row.get(e.caseId);
      const before = row ? (JSON.parse(row.file) as CaseFile) : null;
      const after = evolveCaseFile(before, e);
      if (!after) throw new CaseStartMissingError(e.caseId, e.id);
      this.stmts.upsert.run(e.caseId, JSON.stringify(after), (row?.events ?? 0) + 1);
      this.stmts.record.run(e.id, e.caseId, e.type, e.position, new Date().toISOString());
      return after;
    }).immediate());
    // a duplicate too: the id it found may be one whose sync failed
    await this.wal.sync();
    if (!next) return 'duplicate';
    this.files.set(e.caseId, next);
    return 'applied';
  }

  all(): IterableIterator<CaseFile> {
    return this.files.values();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    await this.wal.close();
    this.db.close();
  }
}
