import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { NewEvent, StoredEvent } from '@lianban/contracts';
import {
  CaseConflictError,
  EventRejectedError,
  StreamConflictError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type LeanEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamAppend,
  type SubscribeOptions,
  type SubscriptionHandle,
} from '../port';
import {
  checkRevision,
  duplicateIdConflict,
  encodeAppend,
  encodeAppends,
  type EncodedAppend,
  type PendingAppend,
  type EncodedEvent,
  type StreamState,
} from '../internal/encode';
import {
  consoleLogger,
  startPollingSubscription,
  type SubscriptionLogger,
} from '../internal/polling-subscription';
import type { EventRange, Importable, ImportOptions, ImportResult, StoredCheckpoint } from '../import';
import { checkCheckpoint, encodeImport, planImport, type StoredAt } from '../internal/import';
import { WalSync, type WalFileSync } from './wal-sync';

export interface SqliteEventStoreOptions {
  /** where subscriber failures are reported; default console.warn */
  logger?: SubscriptionLogger;
  /** how long a write waits for another process holding the file's write lock; default 5000 */
  busyTimeoutMs?: number;
  /** replaces the fsync of the WAL file (a test holds it to see who waits for it) */
  walFile?: WalFileSync;
}

/**
 * What `SqliteEventStore.transaction` hands its callback: the shared connection, and a
 * synchronous append that joins the surrounding transaction.
 */
export interface SqliteTransaction {
  readonly db: Database.Database;
  /** same rules as EventStore.append; throws StreamConflictError / EventRejectedError */
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): AppendResult;
}

/** How many of the newest events read are kept for the next reader (see SqliteEventStore.tail). */
const TAIL_EVENTS = 2000;
/** how long a saved checkpoint waits for a group commit to carry it before it is written alone */
const CHECKPOINT_WRITE_MS = 1000;

/**
 * The columns an event is read from, in the order of SqliteEventRow. Rows are read as arrays
 * (better-sqlite3's raw mode): a replay reads millions of them, and an object with fourteen named
 * properties per row, made only to be copied into the event, was a third of its cost (B4 profile).
 */
export const SQLITE_EVENT_COLUMNS =
  'position, id, stream_id, revision, type, case_id, causation_id, region, agency_id, actor, occurred_at, hlc, data, recorded_at';

/** A row of the events table as better-sqlite3's raw mode returns `SELECT ${SQLITE_EVENT_COLUMNS}`. */
export type SqliteEventRow = [
  position: number,
  id: string,
  streamId: string,
  revision: number,
  type: string,
  caseId: string,
  causationId: string | null,
  region: string,
  agencyId: string | null,
  actor: string,
  occurredAt: string,
  hlc: string,
  data: string,
  recordedAt: string,
];

/** readAllLean's columns, in the order of SqliteLeanRow */
const SQLITE_LEAN_COLUMNS = 'position, type, case_id, region, agency_id, occurred_at, data';

type SqliteLeanRow = [position: number, type: string, caseId: string, region: string, agencyId: string | null, occurredAt: string, data: string];

function leanEventOfRow(row: SqliteLeanRow): LeanEvent {
  return {
    position: row[0], type: row[1], caseId: row[2], region: row[3] as LeanEvent['region'], agencyId: row[4], occurredAt: row[5], data: JSON.parse(row[6]),
  };
}

/** The store's tables and indexes; exported so the benchmark's raw baseline inserts into exactly these. */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position     INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT    NOT NULL UNIQUE,
  stream_id    TEXT    NOT NULL,
  revision     INTEGER NOT NULL,
  type         TEXT    NOT NULL,
  case_id      TEXT    NOT NULL,
  causation_id TEXT,
  region       TEXT    NOT NULL,
  agency_id    TEXT,
  actor        TEXT    NOT NULL,
  occurred_at  TEXT    NOT NULL,
  hlc          TEXT    NOT NULL,
  data         TEXT    NOT NULL,
  recorded_at  TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_case_id ON events (case_id, position);
CREATE TABLE IF NOT EXISTS checkpoints (
  id         TEXT    PRIMARY KEY,
  position   INTEGER NOT NULL,
  updated_at TEXT    NOT NULL
);
`;

/** The event a row of the events table holds (also what a test reading the file directly sees). */
export function storedEventOfRow(row: SqliteEventRow): StoredEvent {
  return {
    id: row[1],
    type: row[4],
    caseId: row[5],
    causationId: row[6],
    region: row[7] as StoredEvent['region'],
    agencyId: row[8],
    actor: JSON.parse(row[9]),
    occurredAt: row[10],
    hlc: row[11],
    data: JSON.parse(row[12]),
    streamId: row[2],
    revision: row[3],
    position: row[0],
    recordedAt: row[13],
  };
}

/**
 * The embedded event store: one SQLite file (DESIGN 2, embedded mode).
 *
 * Durability: an append is acknowledged only once its events are synced to disk. Group commit:
 * appends made in the same tick are queued and written in ONE immediate transaction, each checked
 * against its own expected revision inside a savepoint so one conflict does not fail the others.
 * That COMMIT skips its sync and the WAL is fsynced from the thread pool (WalSync), so the process
 * goes on serving during the sync; the batch's promises settle only after the sync finished, and
 * the appends queued while a sync runs commit together once it ended (see flush). A lone append
 * (a batch of one, no sync running) syncs the WAL on the loop instead (WalSync.syncNow): the
 * same fsync, with the same failure handling, without the round trip to the thread pool. The connection
 * stays `synchronous=FULL` for everything else (`transaction`, imports, whoever writes through
 * `database`).
 *
 * Durable head: no read shows an event before it is on disk. Subscribers are woken only after the
 * sync; a read (readAll and so readAllStream, readByCase, readStream, headPosition) that finds an
 * event beyond the last synced position waits for a sync that covers it before it answers. So the
 * relay, the projections and the followers never pass on an event a power cut could still take
 * back, and neither does a GET: a timeline read while an append's sync is running answers a
 * moment later, with the event, as it would have after a FULL commit. A command deciding on the
 * case is served the same way; the write path itself (the revision and case-head checks inside
 * the transaction, `caseHead`) sees every committed event, which is safe since WAL recovery keeps
 * a prefix: a new event is durable only if every earlier one is.
 *
 * Global order: positions come from AUTOINCREMENT inside a transaction that holds SQLite's
 * write lock from BEGIN IMMEDIATE to COMMIT, so position order is commit order and a reader
 * never sees position n+1 before n (even with other processes writing the same file).
 *
 * Sharing the connection: code of the same process that needs its own tables written atomically
 * with its effect (e.g. a consumer's inbox table plus the events it appends) uses
 * `transaction(tx => ...)`; `database` exposes the connection for schema set-up and reads.
 */
export class SqliteEventStore implements EventStore, Importable {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly logger: SubscriptionLogger;
  private readonly appended = new EventEmitter();
  private readonly subscriptions = new Set<SubscriptionHandle>();
  private queue: PendingAppend[] = [];
  /**
   * The newest events read through readAll: every event with a position in (from, to], `to` being
   * the last one's. The process's followers of the store (each subscription, the case-file and
   * petitioner indexes) read the same new events one after another; they are read and parsed
   * once. Shared between readers, so nobody may change them.
   */
  private tail: { from: number; events: StoredEvent[] } = { from: 0, events: [] };
  private flushScheduled = false;
  /** checkpoints saved and not yet written: they ride on the next group commit (see saveCheckpoint) */
  private pendingCheckpoints = new Map<string, number>();
  private checkpointTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** the failed sync that ended the store's service (see onFailure) */
  private failure: Error | null = null;
  private readonly wal: WalSync;
  /** every event up to this position is on disk; above it, committed events may still wait for their sync */
  private durableHead: number;
  /** the newest sync asked for, and the position every event up to which it makes durable */
  private syncing: { covers: number; done: Promise<void> } | null = null;
  private syncsRunning = 0;
  private readonly stmts: ReturnType<SqliteEventStore['prepare']>;
  private readonly appendInTransaction: (
    streamId: string,
    events: EncodedEvent[],
    expected: ExpectedRevision,
    recordedAt: string,
    caseHead?: AppendOptions['caseHead'],
  ) => AppendResult;
  private readonly appendPartsInTransaction: (parts: EncodedAppend[], recordedAt: string, caseHead?: AppendOptions['caseHead']) => AppendResult[];

  constructor(readonly filePath: string, options: SqliteEventStoreOptions = {}) {
    this.logger = options.logger ?? consoleLogger;
    if (filePath !== ':memory:') mkdirSync(dirname(filePath), { recursive: true });
    this.db = new Database(filePath);
    this.db.pragma('journal_mode = WAL');
    // FULL (not NORMAL): in WAL mode NORMAL may lose the last commits on power loss
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.db.exec(SQLITE_SCHEMA);
    this.stmts = this.prepare();
    this.wal = WalSync.of(this.db, options.walFile);
    // a process that crashed may have left commits that never reached the disk: the first read syncs them
    this.durableHead = this.wal.active ? 0 : Number.MAX_SAFE_INTEGER;
    this.appended.setMaxListeners(0);
    // better-sqlite3 runs a transaction function called inside another one as a SAVEPOINT,
    // which is what isolates each append of a group commit from the others
    this.appendInTransaction = this.db.transaction(
      (streamId: string, events: EncodedEvent[], expected: ExpectedRevision, recordedAt: string, caseHead?: AppendOptions['caseHead']) =>
        this.appendRows(streamId, events, expected, recordedAt, caseHead),
    );
    // the case head is checked before the first part writes anything (a later part may be of the same case)
    this.appendPartsInTransaction = this.db.transaction((parts: EncodedAppend[], recordedAt: string, caseHead?: AppendOptions['caseHead']) =>
      parts.map((p, i) => this.appendRows(p.streamId, p.events, p.expected, recordedAt, i === 0 ? caseHead : undefined)));
  }

  /** Opens (creating the parent directory and the file if needed) the store at `filePath`. */
  static open(filePath: string, options?: SqliteEventStoreOptions): SqliteEventStore {
    return new SqliteEventStore(filePath, options);
  }

  /**
   * The store's connection. Use it to create and read your own tables; never write the
   * `events` or `checkpoints` tables directly. Writes that must be atomic with an append go
   * through `transaction`.
   */
  get database(): Database.Database {
    this.assertOpen();
    return this.db;
  }

  /**
   * Runs `fn` synchronously in one IMMEDIATE transaction on the store's connection: whatever it
   * writes to its own tables and every `tx.append` commit together or not at all. `fn` must not
   * be async (better-sqlite3 refuses a promise). A StreamConflictError thrown by `tx.append` and
   * not caught rolls the whole transaction back. Subscribers are woken after COMMIT.
   *
   * Synchronous, so its COMMIT syncs on the calling thread (FULL): it returns durable, and since
   * that sync covers the whole WAL, every event committed before it is durable too.
   */
  transaction<T>(fn: (tx: SqliteTransaction) => T): T {
    this.assertOpen();
    const recordedAt = new Date().toISOString();
    let last = 0;
    const tx: SqliteTransaction = {
      db: this.db,
      append: (streamId, events, expected) => {
        const encoded = encodeAppend(streamId, events, expected);
        const result = this.appendInTransaction(streamId, encoded, expected, recordedAt);
        last = Math.max(last, result.lastPosition);
        return result;
      },
    };
    const result = this.db.transaction(() => fn(tx)).immediate();
    if (last > 0 && !this.db.inTransaction) {
      this.durableHead = Math.max(this.durableHead, last);
      this.appended.emit('appended');
    }
    return result;
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision, options: AppendOptions = {}): Promise<AppendResult> {
    const [result] = await this.appendMany([{ streamId, events, expected }], options);
    return result;
  }

  appendMany(appends: StreamAppend[], options: AppendOptions = {}): Promise<AppendResult[]> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    if (this.failure) return Promise.reject(this.failure);
    let parts: EncodedAppend[];
    try {
      parts = encodeAppends(appends);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.queue.push({ parts, caseHead: options.caseHead, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate runs after the current tick's microtasks, so every append issued
        // concurrently by the callers of this tick joins the same transaction
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * While a sync runs, the queued appends wait for its end instead (see syncThrough): they could
   * commit now, but their own sync could not start before that one finished anyway, so they
   * commit then, together, in fewer and larger transactions, each with one wake-up of the
   * subscribers. `force`: commit now (close).
   */
  private flush(force = false): void {
    if (this.syncsRunning > 0 && !force) return;
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    if (this.failure) {
      // nothing more is committed: no sync could tell whether it reached the disk
      for (const item of batch) item.reject(this.failure);
      return;
    }
    const recordedAt = new Date().toISOString();
    const outcomes: Array<AppendResult[] | Error> = [];
    try {
      this.wal.unsynced(() => this.db
        .transaction(() => {
          this.writeCheckpoints();
          for (const item of batch) {
            try {
              outcomes.push(this.appendPartsInTransaction(item.parts, recordedAt, item.caseHead));
            } catch (error) {
              if (error instanceof StreamConflictError || error instanceof EventRejectedError) {
                outcomes.push(error);
              } else {
                throw error;
              }
            }
          }
        })
        .immediate());
    } catch (error) {
      // nothing of the batch was committed (the checkpoints stay pending)
      for (const item of batch) item.reject(error);
      return;
    }
    this.pendingCheckpoints.clear();
    let anyStored = false;
    let last = 0;
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      // a conflict stores nothing: its caller may learn it now
      if (outcome instanceof Error) {
        item.reject(outcome);
      } else {
        anyStored = true;
        for (const part of outcome) last = Math.max(last, part.lastPosition);
      }
    });
    if (!anyStored) return;
    const settle = () => {
      batch.forEach((item, i) => {
        const outcome = outcomes[i];
        if (!(outcome instanceof Error)) item.resolve(outcome);
      });
      this.appended.emit('appended');
    };
    // committed but not known to be on disk: not acknowledged, and nobody is woken to read it
    const refuse = (error: unknown) => batch.forEach((item, i) => {
      if (!(outcomes[i] instanceof Error)) item.reject(error);
    });
    if (last <= this.durableHead) {
      settle();
      return;
    }
    if (batch.length === 1 && this.syncsRunning === 0) {
      // a lone writer: nobody else to serve while it waits, and the thread pool's round trip
      // costs it more than the fsync itself. The same fsync of the WAL, on the loop.
      try {
        this.wal.syncNow();
      } catch (error) {
        this.fail(error);
        refuse(error);
        return;
      }
      this.durableHead = Math.max(this.durableHead, last);
      settle();
      return;
    }
    this.syncThrough(last).then(settle, refuse);
  }

  /**
   * Resolves once every event up to `position` (a committed one) is on disk. `covers` is what the
   * sync will make durable: a position committed before this call, at least `position`. Positions
   * are handed out in commit order, so a sync asked for after `covers` was committed also covers
   * every position below it, and a caller whose position a sync already asked for covers waits
   * for that one.
   */
  private syncThrough(position: number, covers = position): Promise<void> {
    if (position <= this.durableHead) return Promise.resolve();
    const latest = this.syncing;
    if (latest && latest.covers >= position) return latest.done;
    const done = this.wal.sync().then(
      () => {
        this.durableHead = Math.max(this.durableHead, covers);
      },
      (error: unknown) => {
        this.fail(error);
        throw error;
      },
    );
    this.syncing = { covers, done };
    this.syncsRunning += 1;
    const ended = () => {
      this.syncsRunning -= 1;
      // not at once: after the settled callers and the subscribers woken by this sync had their
      // turn, so that what they append joins the same transaction
      if (this.syncsRunning === 0 && this.flushScheduled) setImmediate(() => this.closed || this.flush());
    };
    done.then(ended, ended);
    return done;
  }

  /** `events` once every one of them is on disk (see Durable head) */
  private async durable<E extends { position: number }>(events: E[]): Promise<E[]> {
    let last = 0;
    for (const e of events) if (e.position > last) last = e.position;
    // one sync for everything committed so far, so a reader paging through the store waits once
    if (last > this.durableHead) await this.syncThrough(last, this.headNow());
    return events;
  }

  private headNow(): number {
    return (this.stmts.head.get() as { head: number | null }).head ?? 0;
  }

  private appendRows(
    streamId: string,
    events: EncodedEvent[],
    expected: ExpectedRevision,
    recordedAt: string,
    caseHead?: AppendOptions['caseHead'],
  ): AppendResult {
    const { rev } = this.stmts.streamRevision.get(streamId) as { rev: number | null };
    const actual: StreamState = rev === null ? 'no-stream' : rev;
    checkRevision(streamId, expected, actual);
    if (caseHead) {
      // inside the write transaction, so no append of the case can slip in between check and insert
      const { head } = this.stmts.caseHead.get(caseHead.caseId) as { head: number | null };
      if ((head ?? 0) !== caseHead.position) throw new CaseConflictError(streamId, caseHead.caseId, caseHead.position, head ?? 0);
    }
    for (const e of events) {
      if (this.stmts.idExists.get(e.id)) throw duplicateIdConflict(streamId, expected, actual, e.id);
    }
    let revision = actual === 'no-stream' ? -1 : actual;
    let lastPosition = 0;
    for (const e of events) {
      revision += 1;
      try {
        const info = this.stmts.insert.run(
          e.id,
          streamId,
          revision,
          e.type,
          e.caseId,
          e.causationId,
          e.region,
          e.agencyId,
          e.actorJson,
          e.occurredAt,
          e.hlc,
          e.dataJson,
          recordedAt,
        );
        lastPosition = Number(info.lastInsertRowid);
      } catch (error) {
        // the checks above hold the write lock, so this only fires if the file was written
        // behind the store's back; it is still a conflict, never a duplicate
        if ((error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
          throw new StreamConflictError(streamId, expected, actual);
        }
        throw error;
      }
    }
    return { nextExpectedRevision: revision, lastPosition };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const rows = this.stmts.readStream.all(streamId, options.fromRevision ?? 0) as SqliteEventRow[];
    return this.durable(rows.map(storedEventOfRow));
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const after = options.after ?? 0;
    const limit = options.limit ?? 1000;
    const tail = this.tail;
    const to = tail.events.at(-1)?.position;
    if (to === undefined || after < tail.from || after > to) {
      const events = (this.stmts.readAll.all(after, limit) as SqliteEventRow[]).map(storedEventOfRow);
      if (events.length > 0) this.keepTail(after, events);
      return this.durable(events);
    }
    // the tail holds every event in (from, to]: serve what it has, read only what lies beyond it
    let i = tail.events.length;
    while (i > 0 && tail.events[i - 1].position > after) i--;
    // the tail may hold events whose sync a reader is still waiting for: what it serves is checked too
    const served = tail.events.slice(i, i + limit);
    if (served.length === limit) return this.durable(served);
    const newer = (this.stmts.readAll.all(to, limit - served.length) as SqliteEventRow[]).map(storedEventOfRow);
    if (newer.length > 0) this.keepTail(to, newer);
    return this.durable(served.length === 0 ? newer : served.concat(newer));
  }

  /**
   * Near the head, where the process's followers read the same new events, the tail's full events
   * serve them all (see readAll). Behind the tail (or before anyone read) the reader is catching
   * up alone, e.g. the case files rebuilt at start-up: only the lean columns are read, and the
   * pages are not kept.
   */
  async readAllLean(options: ReadAllOptions = {}): Promise<LeanEvent[]> {
    this.assertOpen();
    const after = options.after ?? 0;
    if (this.tail.events.length > 0 && after >= this.tail.from) return this.readAll(options);
    return this.durable((this.stmts.readAllLean.all(after, options.limit ?? 1000) as SqliteLeanRow[]).map(leanEventOfRow));
  }

  /**
   * `events` are every event after `after`, in order (one readAll): they extend the tail when they
   * continue it, or start a new one. Positions are handed out in commit order under the write lock
   * (an import only writes above the head), so no event can later appear inside a range read.
   */
  private keepTail(after: number, events: StoredEvent[]): void {
    const tail = this.tail;
    if (after === tail.events.at(-1)?.position) {
      for (const e of events) tail.events.push(e);
    } else {
      tail.events = events.slice();
      tail.from = after;
    }
    const excess = tail.events.length - TAIL_EVENTS;
    if (excess > 0) {
      tail.from = tail.events[excess - 1].position;
      tail.events.splice(0, excess);
    }
  }

  /** positions start at 1: the whole case is what follows position 0 */
  async readByCase(caseId: string): Promise<StoredEvent[]> {
    return this.readByCaseAfter(caseId, 0);
  }

  async readByCaseAfter(caseId: string, after: number): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.durable((this.stmts.readByCaseAfter.all(caseId, after) as SqliteEventRow[]).map(storedEventOfRow));
  }

  /** the write path's view: the newest committed event of the case, synced or not (see Durable head) */
  async caseHead(caseId: string): Promise<number> {
    this.assertOpen();
    const { head } = this.stmts.caseHead.get(caseId) as { head: number | null };
    return head ?? 0;
  }

  /** the newest position, answered once it is on disk */
  async headPosition(): Promise<number> {
    this.assertOpen();
    const head = this.headNow();
    await this.syncThrough(head);
    return head;
  }

  async loadCheckpoint(id: string): Promise<number> {
    this.assertOpen();
    const pending = this.pendingCheckpoints.get(id);
    if (pending !== undefined) return pending;
    const row = this.stmts.loadCheckpoint.get(id) as { position: number } | undefined;
    return row?.position ?? 0;
  }

  /**
   * Without a sync of its own, nor a wait for one: a checkpoint only says how far a subscriber
   * got, so a power cut that takes it back to an earlier position costs a redelivery of a few
   * events, which every subscriber takes (at-least-once, idempotent handlers), and never an
   * acknowledged event. The WAL's checksums keep the file whole; the next sync (any append's)
   * covers this one too. A sync per subscriber per batch was the largest single cost of the
   * standalone's commands (B2 profile).
   *
   * Nor a commit of its own: every subscriber saves after each batch, each batch follows a group
   * commit, and a commit per subscriber per batch cost more than the reads. The checkpoint is kept
   * in memory (this connection's loads answer it) and written in the next group commit's
   * transaction, or CHECKPOINT_WRITE_MS later when no append comes, or at close. A crash in
   * between takes the subscribers back to the checkpoints written before: a redelivery, as above.
   * Inside a caller's transaction it is written at once and joins it.
   */
  async saveCheckpoint(id: string, position: number): Promise<void> {
    this.assertOpen();
    if (this.db.inTransaction) {
      this.pendingCheckpoints.delete(id);
      this.stmts.saveCheckpoint.run(id, position, new Date().toISOString());
      return;
    }
    this.pendingCheckpoints.set(id, position);
    if (!this.checkpointTimer) {
      this.checkpointTimer = setTimeout(() => {
        this.checkpointTimer = null;
        if (!this.closed) this.writePendingCheckpoints();
      }, CHECKPOINT_WRITE_MS);
      this.checkpointTimer.unref();
    }
  }

  /** the pending checkpoints in a commit of their own (unsynced, as above) */
  private writePendingCheckpoints(): void {
    if (this.pendingCheckpoints.size === 0) return;
    this.wal.unsynced(() => this.db.transaction(() => this.writeCheckpoints()).immediate());
    this.pendingCheckpoints.clear();
  }

  /** inside a transaction: the caller clears them once it committed */
  private writeCheckpoints(): void {
    if (this.pendingCheckpoints.size === 0) return;
    const at = new Date().toISOString();
    for (const [id, position] of this.pendingCheckpoints) this.stmts.saveCheckpoint.run(id, position, at);
  }

  /** See Importable: one IMMEDIATE transaction, positions kept, `recordedAt` as given. */
  async importEvents(events: StoredEvent[], options: ImportOptions = {}): Promise<ImportResult> {
    this.assertOpen();
    const encoded = encodeImport(events);
    checkCheckpoint(options.checkpoint);
    let last = 0;
    const result = this.db
      .transaction((): ImportResult => {
        const existing = new Map<string, StoredAt>();
        const heads = new Map<string, number>();
        for (const e of encoded) {
          const at = this.stmts.storedAt.get(e.id) as { stream_id: string; revision: number } | undefined;
          if (at) existing.set(e.id, { streamId: at.stream_id, revision: at.revision });
          if (!heads.has(e.streamId)) {
            const { rev } = this.stmts.streamRevision.get(e.streamId) as { rev: number | null };
            if (rev !== null) heads.set(e.streamId, rev);
          }
        }
        const { toWrite, skipped } = planImport(encoded, existing, heads);
        if (toWrite.length > 0) {
          const { head } = this.stmts.head.get() as { head: number | null };
          if (toWrite[0].position <= (head ?? 0)) {
            throw new EventRejectedError(
              `import: event ${toWrite[0].id} at position ${toWrite[0].position} is not above the store's head ${head}`,
            );
          }
        }
        for (const e of toWrite) {
          last = Math.max(last, e.position);
          this.stmts.insertAt.run(
            e.position, e.id, e.streamId, e.revision, e.type, e.caseId, e.causationId, e.region,
            e.agencyId, e.actorJson, e.occurredAt, e.hlc, e.dataJson, e.recordedAt,
          );
        }
        if (options.checkpoint) {
          this.pendingCheckpoints.delete(options.checkpoint.id);
          this.stmts.saveCheckpoint.run(options.checkpoint.id, options.checkpoint.position, new Date().toISOString());
        }
        return { imported: toWrite.length, skipped };
      })
      .immediate();
    if (result.imported > 0) {
      // a FULL commit: synced
      this.durableHead = Math.max(this.durableHead, last);
      this.appended.emit('appended');
    }
    return result;
  }

  async countEvents(range: EventRange = {}): Promise<number> {
    this.assertOpen();
    const { n } = this.stmts.count.get(range.after ?? 0, range.until ?? Number.MAX_SAFE_INTEGER) as { n: number };
    return n;
  }

  async listCheckpoints(): Promise<StoredCheckpoint[]> {
    this.assertOpen();
    this.writePendingCheckpoints();
    return this.stmts.listCheckpoints.all() as StoredCheckpoint[];
  }

  subscribe(options: SubscribeOptions): SubscriptionHandle {
    this.assertOpen();
    const handle = startPollingSubscription(
      {
        readAfter: (after, limit) => this.readAll({ after, limit }),
        loadCheckpoint: (id) => this.loadCheckpoint(id),
        saveCheckpoint: (id, position) => this.saveCheckpoint(id, position),
        onAppended: (listener) => {
          this.appended.on('appended', listener);
          return () => this.appended.off('appended', listener);
        },
      },
      options,
      this.logger,
    );
    const tracked: SubscriptionHandle = {
      stop: async () => {
        this.subscriptions.delete(tracked);
        await handle.stop();
      },
    };
    this.subscriptions.add(tracked);
    return tracked;
  }

  /** Writes the queued appends, stops the subscriptions, waits for the syncs, closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.flush(true);
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    if (this.queue.length > 0) this.flush(true);
    this.writePendingCheckpoints();
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    this.closed = true;
    await this.wal.close();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
    if (this.failure) throw this.failure;
  }

  /**
   * See EventStore.onFailure. A failed fsync of the WAL fails every later one (WalSync): whatever
   * was committed since the last good sync may never reach the disk, and no later sync can say,
   * so the store serves nothing more; a fresh process opening the file syncs what is there before
   * its first read.
   */
  onFailure(listener: (error: Error) => void): () => void {
    this.appended.on('failed', listener);
    return () => this.appended.off('failed', listener);
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    const reason = error instanceof Error ? error.message : String(error);
    this.failure = new Error(`event store: a sync of the WAL failed (${reason}); nothing more is served until the store is opened again`, { cause: error });
    this.logger.warn(this.failure.message);
    this.appended.emit('failed', this.failure);
  }

  private prepare() {
    const db = this.db;
    return {
      streamRevision: db.prepare('SELECT MAX(revision) AS rev FROM events WHERE stream_id = ?'),
      caseHead: db.prepare('SELECT MAX(position) AS head FROM events WHERE case_id = ?'),
      idExists: db.prepare('SELECT 1 FROM events WHERE id = ?').pluck(),
      insert: db.prepare(
        `INSERT INTO events (id, stream_id, revision, type, case_id, causation_id, region, agency_id,
                             actor, occurred_at, hlc, data, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // an explicit position for INTEGER PRIMARY KEY AUTOINCREMENT also moves the sequence past it
      insertAt: db.prepare(
        `INSERT INTO events (position, id, stream_id, revision, type, case_id, causation_id, region,
                             agency_id, actor, occurred_at, hlc, data, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      storedAt: db.prepare('SELECT stream_id, revision FROM events WHERE id = ?'),
      count: db.prepare('SELECT count(*) AS n FROM events WHERE position > ? AND position <= ?'),
      listCheckpoints: db.prepare('SELECT id, position FROM checkpoints ORDER BY id'),
      readStream: db.prepare(`SELECT ${SQLITE_EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision`).raw(),
      readAll: db.prepare(`SELECT ${SQLITE_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(),
      readAllLean: db.prepare(`SELECT ${SQLITE_LEAN_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(),
      readByCaseAfter: db.prepare(`SELECT ${SQLITE_EVENT_COLUMNS} FROM events WHERE case_id = ? AND position > ? ORDER BY position`).raw(),
      head: db.prepare('SELECT MAX(position) AS head FROM events'),
      loadCheckpoint: db.prepare('SELECT position FROM checkpoints WHERE id = ?'),
      saveCheckpoint: db.prepare(
        `INSERT INTO checkpoints (id, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      ),
    };
  }
}
