import { EventEmitter } from 'node:events';
import { Client, Pool, type PoolClient } from 'pg';
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

export interface PostgresEventStoreOptions {
  /** schema holding the tables (created if missing); default: the connection's search_path */
  schema?: string;
  /** connections of the pool; default 10 */
  poolSize?: number;
  /** where subscriber and connection failures are reported; default console.warn */
  logger?: SubscriptionLogger;
}

interface EventRow {
  position: string;
  id: string;
  stream_id: string;
  revision: number;
  type: string;
  case_id: string;
  causation_id: string | null;
  region: string;
  agency_id: string | null;
  actor: { id: string; role: string };
  occurred_at: string;
  hlc: string;
  data: unknown;
  recorded_at: Date;
}

const NOTIFY_CHANNEL = 'lianban_events';
const LISTEN_RETRY_MS = 1_000;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    type: row.type,
    caseId: row.case_id,
    causationId: row.causation_id,
    region: row.region as StoredEvent['region'],
    agencyId: row.agency_id,
    actor: row.actor,
    occurredAt: row.occurred_at,
    hlc: row.hlc,
    data: row.data,
    streamId: row.stream_id,
    revision: row.revision,
    position: Number(row.position),
    recordedAt: row.recorded_at.toISOString(),
  };
}

/** readAllLean's columns, in the order of LeanRow */
const LEAN_COLUMNS = 'position, type, case_id, region, agency_id, occurred_at, data';

type LeanRow = [position: string, type: string, caseId: string, region: string, agencyId: string | null, occurredAt: string, data: unknown];

function leanEventOfRow(row: LeanRow): LeanEvent {
  return {
    position: Number(row[0]), type: row[1], caseId: row[2], region: row[3] as LeanEvent['region'], agencyId: row[4], occurredAt: row[5], data: row[6],
  };
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** What the checks of a batch read, in one statement, under the append lock. */
interface BatchState {
  head: number;
  revisions: Map<string, StreamState>;
  storedIds: Set<string>;
  caseHeads: Map<string, number>;
}

interface BatchRow {
  position: number;
  streamId: string;
  revision: number;
  event: EncodedEvent;
}

/**
 * The same checks, in the same order, as appendRows makes with its queries (revision, case
 * head, ids), against the state read for the batch advanced by each accepted append, so that
 * a later append of the batch sees the earlier ones exactly as it would in the database.
 */
function decideBatch(batch: PendingAppend[], state: BatchState): { outcomes: Array<AppendResult[] | Error>; rows: BatchRow[] } {
  let revisions = new Map(state.revisions);
  let storedIds = new Set(state.storedIds);
  let caseHeads = new Map(state.caseHeads);
  let nextPosition = state.head + 1;
  const outcomes: Array<AppendResult[] | Error> = [];
  const rows: BatchRow[] = [];
  for (const item of batch) {
    // an item's parts advance a copy of the state, kept only if every part passes
    const revs = item.parts.length > 1 ? new Map(revisions) : revisions;
    const ids = item.parts.length > 1 ? new Set(storedIds) : storedIds;
    const heads = item.parts.length > 1 ? new Map(caseHeads) : caseHeads;
    let next = nextPosition;
    const itemRows: BatchRow[] = [];
    const results: AppendResult[] = [];
    try {
      item.parts.forEach(({ streamId, events, expected }, p) => {
        const actual = revs.get(streamId) ?? 'no-stream';
        checkRevision(streamId, expected, actual);
        // checked before the first part is written: a later part may be of the same case
        if (p === 0 && item.caseHead) {
          const actualHead = heads.get(item.caseHead.caseId) ?? 0;
          if (actualHead !== item.caseHead.position) {
            throw new CaseConflictError(streamId, item.caseHead.caseId, item.caseHead.position, actualHead);
          }
        }
        const dup = events.find((e) => ids.has(e.id));
        if (dup) throw duplicateIdConflict(streamId, expected, actual, dup.id);
        const firstRevision = actual === 'no-stream' ? 0 : actual + 1;
        events.forEach((event, i) => {
          const position = next + i;
          itemRows.push({ position, streamId, revision: firstRevision + i, event });
          ids.add(event.id);
          if (heads.has(event.caseId)) heads.set(event.caseId, position);
        });
        revs.set(streamId, firstRevision + events.length - 1);
        next += events.length;
        results.push({ nextExpectedRevision: firstRevision + events.length - 1, lastPosition: next - 1 });
      });
    } catch (error) {
      outcomes.push(error as Error);
      continue;
    }
    revisions = revs;
    storedIds = ids;
    caseHeads = heads;
    nextPosition = next;
    rows.push(...itemRows);
    outcomes.push(results);
  }
  return { outcomes, rows };
}

/**
 * The lone append's stored function (see writeOne). A VOLATILE function takes a fresh snapshot
 * for each statement it runs, so the reads after the lock see every append committed before
 * the lock was ours, as the separate statements of writeBatch do. Expected revision: NULL for
 * 'any', -1 for 'no-stream'; the case head is checked only when a case is given. Event ids are
 * not looked up first: a stored id (a retry) fails the INSERT on UNIQUE (id), and writeOne
 * then takes the batch path, which names the duplicate.
 */
function appendOneFunctionDdl(name: string, events: string): string {
  return `
    CREATE OR REPLACE FUNCTION ${name}(
      p_lock text, p_stream text, p_expected integer, p_case text, p_case_head bigint, p_recorded_at timestamptz,
      p_ids text[], p_types text[], p_case_ids text[], p_causations text[], p_regions text[], p_agencies text[],
      p_actors text[], p_occurred text[], p_hlcs text[], p_data text[], p_channel text, p_tag text,
      OUT head bigint, OUT rev integer, OUT case_head bigint, OUT inserted boolean)
    LANGUAGE plpgsql VOLATILE AS $fn$
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtext(p_lock));
      SELECT (SELECT coalesce(max(e.position), 0) FROM ${events} e),
             (SELECT max(e.revision) FROM ${events} e WHERE e.stream_id = p_stream),
             CASE WHEN p_case IS NOT NULL
               THEN (SELECT coalesce(max(e.position), 0) FROM ${events} e WHERE e.case_id = p_case) END
        INTO head, rev, case_head;
      inserted := (p_expected IS NULL OR coalesce(rev, -1) = p_expected)
        AND (p_case IS NULL OR case_head = p_case_head);
      IF inserted THEN
        INSERT INTO ${events}
          (position, id, stream_id, revision, type, case_id, causation_id, region, agency_id,
           actor, occurred_at, hlc, data, recorded_at)
        SELECT head + u.n, u.id, p_stream, coalesce(rev, -1) + u.n::integer, u.type, u.case_id, u.causation_id,
               u.region, u.agency_id, u.actor::jsonb, u.occurred_at, u.hlc, u.data::jsonb, p_recorded_at
        FROM unnest(p_ids, p_types, p_case_ids, p_causations, p_regions, p_agencies, p_actors, p_occurred,
                    p_hlcs, p_data) WITH ORDINALITY
          AS u(id, type, case_id, causation_id, region, agency_id, actor, occurred_at, hlc, data, n);
        PERFORM pg_notify(p_channel, p_tag);
      END IF;
    END
    $fn$`;
}

/** The per-event columns after id, stream and revision, one array each, in table order. */
function eventColumns(events: EncodedEvent[]): Array<Array<string | null>> {
  return [
    events.map((e) => e.type),
    events.map((e) => e.caseId),
    events.map((e) => e.causationId),
    events.map((e) => e.region),
    events.map((e) => e.agencyId),
    events.map((e) => e.actorJson),
    events.map((e) => e.occurredAt),
    events.map((e) => e.hlc),
    events.map((e) => e.dataJson),
  ];
}

/** SQLSTATE classes 22 (data exception) and 54 (limit exceeded): the input cannot be stored. */
function isUnstorableInput(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}

/**
 * The events table and its index, for a (quoted, possibly schema-qualified) table name; exported
 * so the benchmark's raw baseline inserts into exactly these.
 */
export function postgresEventsDdl(events: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${events} (
      position     bigint      PRIMARY KEY,
      id           text        NOT NULL UNIQUE,
      stream_id    text        NOT NULL,
      revision     integer     NOT NULL,
      type         text        NOT NULL,
      case_id      text        NOT NULL,
      causation_id text,
      region       text        NOT NULL,
      agency_id    text,
      actor        jsonb       NOT NULL,
      occurred_at  text        NOT NULL,
      hlc          text        NOT NULL,
      data         jsonb       NOT NULL,
      recorded_at  timestamptz NOT NULL,
      UNIQUE (stream_id, revision)
    )`,
    `CREATE INDEX IF NOT EXISTS events_case_id ON ${events} (case_id, position)`,
  ];
}

/**
 * The event store on PostgreSQL (distributed mode).
 *
 * Global order — the problem: a position taken from a sequence is assigned when a row is
 * inserted, but rows become visible when their transaction commits, in any order. A reader that
 * saw position 11 (committed) while 10 was still in flight moves its checkpoint past 10 and never
 * sees it. The technique used here: every append transaction first takes ONE transaction-scoped
 * advisory lock (`pg_advisory_xact_lock`), then assigns positions as max(position)+1.., then
 * commits. PostgreSQL makes a committing transaction visible (ProcArrayEndTransaction) before it
 * releases its locks, so the next writer obtains the lock — and its positions — only after the
 * previous writer's events are visible (or rolled back, leaving no trace). Position order is
 * therefore visibility order, readers can use a plain `position > checkpoint` and never skip,
 * and positions have no gaps. The cost is that appends to the database are serialised; group
 * commit (below) recovers throughput by putting all appends queued in this process into one
 * transaction, one lock and one WAL flush. (The alternative, an xid column filtered with
 * `pg_snapshot_xmin(pg_current_snapshot())`, orders by (xid, id) and cannot give the port its
 * single monotonic number.)
 *
 * Optimistic concurrency: under that lock the expected revision and the event ids are checked
 * before inserting; UNIQUE (stream_id, revision) and UNIQUE (id) remain as the backstop.
 * Subscribers are woken by LISTEN/NOTIFY (the NOTIFY is sent inside the append transaction, so it
 * is delivered only on commit) and poll as the fallback.
 */
export class PostgresEventStore implements EventStore, Importable {
  readonly kind = 'postgres';
  private readonly pool: Pool;
  private readonly logger: SubscriptionLogger;
  private readonly t: { events: string; checkpoints: string; appendOne: string };
  private readonly lockKey: string;
  private readonly notifyTag: string;
  private readonly appended = new EventEmitter();
  private readonly subscriptions = new Set<SubscriptionHandle>();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | null = null;
  private listener: Client | null = null;
  private listenerStarting = false;
  private listenRetry: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    private readonly connectionString: string,
    private readonly options: PostgresEventStoreOptions,
  ) {
    this.logger = options.logger ?? consoleLogger;
    this.pool = new Pool({ connectionString, max: options.poolSize ?? 10 });
    // an idle client losing its connection must not crash the process; the next query reconnects
    this.pool.on('error', (error) => this.logger.warn(`postgres pool: ${error.message}`));
    const prefix = options.schema ? `${quoteIdent(options.schema)}.` : '';
    this.t = { events: `${prefix}events`, checkpoints: `${prefix}checkpoints`, appendOne: `${prefix}lianban_append_one` };
    this.lockKey = `lianban.events:${options.schema ?? ''}`;
    this.notifyTag = options.schema ?? '';
    this.appended.setMaxListeners(0);
  }

  /** Connects, creates the schema if needed (idempotent, safe from several processes at once). */
  static async connect(
    connectionString: string,
    options: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(connectionString, options);
    try {
      await store.createSchema();
      await store.checkDurabilitySettings();
    } catch (error) {
      await store.pool.end().catch(() => undefined);
      throw new Error(`PostgreSQL event store: cannot start: ${(error as Error).message}`);
    }
    return store;
  }

  /**
   * An acknowledged append is durable only if the server flushes its WAL at commit; these are
   * server settings the store cannot change, so a weakened server is reported, not refused
   * (a disposable test database may run that way on purpose).
   */
  private async checkDurabilitySettings(): Promise<void> {
    const { rows } = await this.pool.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')`,
    );
    for (const { name, setting } of rows) {
      if (setting === 'off') {
        this.logger.warn(`PostgreSQL ${name}=${setting}: acknowledged appends may be lost on a crash`);
      }
    }
  }

  private async createSchema(): Promise<void> {
    const { events, checkpoints } = this.t;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // concurrent CREATE ... IF NOT EXISTS can still collide in the catalog; serialise them
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.lockKey}:schema`]);
      if (this.options.schema) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.options.schema)}`);
      }
      for (const statement of postgresEventsDdl(events)) await client.query(statement);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${checkpoints} (
          id         text        PRIMARY KEY,
          position   bigint      NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`);
      await client.query(appendOneFunctionDdl(this.t.appendOne, events));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision, options: AppendOptions = {}): Promise<AppendResult> {
    const [result] = await this.appendMany([{ streamId, events, expected }], options);
    return result;
  }

  appendMany(appends: StreamAppend[], options: AppendOptions = {}): Promise<AppendResult[]> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    let parts: EncodedAppend[];
    try {
      parts = encodeAppends(appends);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.queue.push({ parts, caseHead: options.caseHead, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    // appends of the current tick, and all those queued while a transaction is in flight, go
    // into the next transaction together
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.scheduleFlush();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Array<AppendResult[] | Error>;
    try {
      outcomes = batch.length === 1 && batch[0].parts.length === 1 ? [await this.writeOne(batch[0])] : await this.writeBatch(batch);
    } catch (error) {
      // a COMMIT that failed on a lost connection may still have committed: a caller that
      // retries then gets a StreamConflictError (duplicate id), never a duplicate event
      for (const item of batch) item.reject(error);
      return;
    }
    let anyStored = false;
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome instanceof Error) {
        item.reject(outcome);
      } else {
        anyStored = true;
        item.resolve(outcome);
      }
    });
    if (anyStored) this.appended.emit('appended');
  }

  /**
   * One transaction for the whole batch, in a fixed number of round trips whatever its size:
   * BEGIN + lock, one statement reading every state the checks need, one multi-row INSERT that
   * also sends the NOTIFY, COMMIT. Appends are decided in code, in queue order, on that state advanced by
   * the appends accepted before them, so a conflicting append is refused alone, exactly as if
   * each had been checked by its own queries. Should the INSERT still fail on a per-row reason
   * (a unique violation: someone wrote without the lock; data PostgreSQL cannot store), the
   * transaction is rolled back and the batch redone one append per savepoint, which isolates
   * the offender.
   */
  private async writeBatch(batch: PendingAppend[]): Promise<Array<AppendResult[] | Error>> {
    const client = await this.pool.connect();
    try {
      // the lock and the reads must be separate statements: a statement's snapshot is taken
      // when it starts, and the reads must see every append committed before the lock was ours
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext(${quoteLiteral(this.lockKey)}))`);
      const state = await this.readBatchState(client, batch);
      const recordedAt = new Date().toISOString();
      const { outcomes, rows } = decideBatch(batch, state);
      let final = outcomes;
      if (rows.length > 0) {
        try {
          await this.insertRows(client, rows, recordedAt);
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code !== '23505' && !isUnstorableInput(error)) throw error;
          // rare enough not to pay for a savepoint around every batch: start the transaction over
          await client.query('ROLLBACK');
          await client.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext(${quoteLiteral(this.lockKey)}))`);
          const head = await client.query<{ head: string }>(`SELECT coalesce(max(position), 0) AS head FROM ${this.t.events}`);
          final = await this.appendOneByOne(client, batch, Number(head.rows[0].head) + 1, recordedAt);
          if (final.some((o) => !(o instanceof Error))) {
            await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, this.notifyTag]);
          }
        }
      }
      await client.query('COMMIT');
      client.release();
      return final;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // the connection's state is unknown after a failure here; do not reuse it
      client.release(error as Error);
      throw error;
    }
  }

  /**
   * A lone append (a single writer, or the first of a burst) in ONE round trip: the stored
   * function takes the lock, reads the state, inserts and notifies, in its own autocommit
   * transaction, so the cost is that of a raw INSERT plus the lock and three index lookups,
   * instead of BEGIN + lock, reads, INSERT and COMMIT as four round trips. The function only says
   * whether the append passed (the same test as decideBatch); the outcome, error included, is
   * decided here by decideBatch on the state it read, so the rules stay in one place. A failed
   * INSERT (unique violation from a writer without the lock, data PostgreSQL cannot store) has
   * rolled the statement back entirely: the batch path then isolates the reason.
   */
  private async writeOne(item: PendingAppend): Promise<AppendResult[] | Error> {
    const recordedAt = new Date().toISOString();
    const [{ streamId, events, expected }] = item.parts;
    let row: { head: string; rev: number | null; case_head: string | null; inserted: boolean };
    try {
      const result = await this.pool.query({
        name: 'lianban_append_one',
        text: `SELECT * FROM ${this.t.appendOne}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
        values: [
          this.lockKey,
          streamId,
          expected === 'any' ? null : expected === 'no-stream' ? -1 : expected,
          item.caseHead?.caseId ?? null,
          item.caseHead ? String(item.caseHead.position) : null,
          recordedAt,
          events.map((e) => e.id),
          ...eventColumns(events),
          NOTIFY_CHANNEL,
          this.notifyTag,
        ],
      });
      row = result.rows[0];
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== '23505' && !isUnstorableInput(error)) throw error;
      return (await this.writeBatch([item]))[0];
    }
    const state: BatchState = {
      head: Number(row.head),
      revisions: new Map(row.rev === null ? [] : [[streamId, row.rev]]),
      storedIds: new Set(),
      caseHeads: new Map(item.caseHead ? [[item.caseHead.caseId, Number(row.case_head ?? 0)]] : []),
    };
    const [outcome] = decideBatch([item], state).outcomes;
    if (outcome instanceof Error !== !row.inserted) {
      // cannot happen unless the function and decideBatch disagree; the database holds the truth
      throw new Error(`append to ${streamId}: the stored function ${row.inserted ? 'stored' : 'refused'} it, the checks ${row.inserted ? 'refuse' : 'accept'} it`);
    }
    return outcome;
  }

  private async readBatchState(client: PoolClient, batch: PendingAppend[]): Promise<BatchState> {
    const parts = batch.flatMap((b) => b.parts);
    const streams = [...new Set(parts.map((p) => p.streamId))];
    const ids = parts.flatMap((p) => p.events.map((e) => e.id));
    const cases = [...new Set(batch.flatMap((b) => (b.caseHead ? [b.caseHead.caseId] : [])))];
    // one max() per stream and per case (index lookups), not a GROUP BY over their rows
    const { rows } = await client.query<{ head: string; revs: [string, number | null][]; ids: string[]; cases: [string, string | null][] }>(
      `SELECT
         (SELECT coalesce(max(position), 0) FROM ${this.t.events}) AS head,
         (SELECT coalesce(json_agg(json_build_array(s, (SELECT max(revision) FROM ${this.t.events} WHERE stream_id = s))), '[]')
            FROM unnest($1::text[]) AS s) AS revs,
         (SELECT coalesce(json_agg(id), '[]') FROM ${this.t.events} WHERE id = ANY($2::text[])) AS ids,
         (SELECT coalesce(json_agg(json_build_array(c, (SELECT max(position) FROM ${this.t.events} WHERE case_id = c))), '[]')
            FROM unnest($3::text[]) AS c) AS cases`,
      [streams, ids, cases],
    );
    const r = rows[0];
    return {
      head: Number(r.head),
      revisions: new Map(r.revs.map(([s, rev]) => [s, rev === null ? 'no-stream' : rev])),
      storedIds: new Set(r.ids),
      caseHeads: new Map(r.cases.map(([c, h]) => [c, Number(h ?? 0)])),
    };
  }

  /** Inserts the rows and queues the NOTIFY (delivered on commit), in one statement. */
  private async insertRows(client: PoolClient, rows: BatchRow[], recordedAt: string): Promise<void> {
    // arrays instead of 14 parameters per row: one statement whatever the number of events
    await client.query(
      `WITH inserted AS (INSERT INTO ${this.t.events}
         (position, id, stream_id, revision, type, case_id, causation_id, region, agency_id,
          actor, occurred_at, hlc, data, recorded_at)
       SELECT u.position, u.id, u.stream_id, u.revision, u.type, u.case_id, u.causation_id, u.region,
              u.agency_id, u.actor::jsonb, u.occurred_at, u.hlc, u.data::jsonb, $1::timestamptz
       FROM unnest($2::bigint[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
         AS u(position, id, stream_id, revision, type, case_id, causation_id, region, agency_id, actor,
              occurred_at, hlc, data))
       SELECT pg_notify($15, $16)`,
      [
        recordedAt,
        rows.map((r) => String(r.position)),
        rows.map((r) => r.event.id),
        rows.map((r) => r.streamId),
        rows.map((r) => r.revision),
        ...eventColumns(rows.map((r) => r.event)),
        NOTIFY_CHANNEL,
        this.notifyTag,
      ],
    );
  }

  /** The fallback: each append checked and inserted under its own savepoint. */
  private async appendOneByOne(
    client: PoolClient,
    batch: PendingAppend[],
    firstPosition: number,
    recordedAt: string,
  ): Promise<Array<AppendResult[] | Error>> {
    const outcomes: Array<AppendResult[] | Error> = [];
    let nextPosition = firstPosition;
    for (const item of batch) {
      await client.query('SAVEPOINT lianban_append');
      try {
        const results: AppendResult[] = [];
        let next = nextPosition;
        for (const [p, part] of item.parts.entries()) {
          // the case head is checked before the first part is written: a later part may be of the same case
          const result = await this.appendRows(client, part, p === 0 ? item.caseHead : undefined, next, recordedAt);
          next = result.lastPosition + 1;
          results.push(result);
        }
        await client.query('RELEASE SAVEPOINT lianban_append');
        nextPosition = next;
        outcomes.push(results);
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT lianban_append');
        if (error instanceof StreamConflictError || error instanceof EventRejectedError) {
          outcomes.push(error);
        } else if (isUnstorableInput(error)) {
          outcomes.push(
            new EventRejectedError(`append to ${item.parts.map((p) => p.streamId).join(', ')} refused by PostgreSQL: ${(error as Error).message}`),
          );
        } else {
          throw error;
        }
      }
    }
    return outcomes;
  }

  private async appendRows(
    client: PoolClient,
    { streamId, events, expected }: EncodedAppend,
    caseHead: AppendOptions['caseHead'],
    firstPosition: number,
    recordedAt: string,
  ): Promise<AppendResult> {
    const current = await client.query<{ rev: number | null }>(
      `SELECT max(revision) AS rev FROM ${this.t.events} WHERE stream_id = $1`,
      [streamId],
    );
    const rev = current.rows[0].rev;
    const actual: StreamState = rev === null ? 'no-stream' : rev;
    checkRevision(streamId, expected, actual);
    if (caseHead) {
      // under the append lock, so no append of the case can slip in between check and insert
      const head = await client.query<{ head: string | null }>(
        `SELECT max(position) AS head FROM ${this.t.events} WHERE case_id = $1`,
        [caseHead.caseId],
      );
      const actualHead = Number(head.rows[0].head ?? 0);
      if (actualHead !== caseHead.position) throw new CaseConflictError(streamId, caseHead.caseId, caseHead.position, actualHead);
    }
    const ids = events.map((e) => e.id);
    const dup = await client.query<{ id: string }>(
      `SELECT id FROM ${this.t.events} WHERE id = ANY($1::text[]) LIMIT 1`,
      [ids],
    );
    if (dup.rows.length > 0) throw duplicateIdConflict(streamId, expected, actual, dup.rows[0].id);

    const firstRevision = actual === 'no-stream' ? 0 : actual + 1;
    try {
      // one statement whatever the number of events: arrays instead of 14 parameters per row
      await client.query(
        `INSERT INTO ${this.t.events}
           (position, id, stream_id, revision, type, case_id, causation_id, region, agency_id,
            actor, occurred_at, hlc, data, recorded_at)
         SELECT u.position, u.id, $2, u.revision, u.type, u.case_id, u.causation_id, u.region,
                u.agency_id, u.actor::jsonb, u.occurred_at, u.hlc, u.data::jsonb, $3::timestamptz
         FROM unnest($1::bigint[], $4::text[], $5::integer[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
           AS u(position, id, revision, type, case_id, causation_id, region, agency_id, actor,
                occurred_at, hlc, data)`,
        [
          events.map((_, i) => String(firstPosition + i)),
          streamId,
          recordedAt,
          ids,
          events.map((_, i) => firstRevision + i),
          ...eventColumns(events),
        ],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new StreamConflictError(streamId, expected, actual);
      }
      throw error;
    }
    return {
      nextExpectedRevision: firstRevision + events.length - 1,
      lastPosition: firstPosition + events.length - 1,
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT * FROM ${this.t.events} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision`,
      [streamId, options.fromRevision ?? 0],
    );
    return rows.map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT * FROM ${this.t.events} WHERE position > $1 ORDER BY position LIMIT $2`,
      [options.after ?? 0, options.limit ?? 1000],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * readAll for a replay from position 0 (the case files at start-up): only the lean columns
   * cross the wire and are decoded, and rows come as arrays, not objects keyed by column name.
   */
  async readAllLean(options: ReadAllOptions = {}): Promise<LeanEvent[]> {
    const { rows } = await this.pool.query<LeanRow>({
      text: `SELECT ${LEAN_COLUMNS} FROM ${this.t.events} WHERE position > $1 ORDER BY position LIMIT $2`,
      values: [options.after ?? 0, options.limit ?? 1000],
      rowMode: 'array',
    });
    return rows.map(leanEventOfRow);
  }

  /** positions start at 1: the whole case is what follows position 0 */
  async readByCase(caseId: string): Promise<StoredEvent[]> {
    return this.readByCaseAfter(caseId, 0);
  }

  async readByCaseAfter(caseId: string, after: number): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT * FROM ${this.t.events} WHERE case_id = $1 AND position > $2 ORDER BY position`,
      [caseId, after],
    );
    return rows.map(toStoredEvent);
  }

  async caseHead(caseId: string): Promise<number> {
    const { rows } = await this.pool.query<{ head: string | null }>(
      `SELECT max(position) AS head FROM ${this.t.events} WHERE case_id = $1`,
      [caseId],
    );
    return Number(rows[0].head ?? 0);
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ head: string }>(
      `SELECT coalesce(max(position), 0) AS head FROM ${this.t.events}`,
    );
    return Number(rows[0].head);
  }

  async loadCheckpoint(id: string): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>(
      `SELECT position FROM ${this.t.checkpoints} WHERE id = $1`,
      [id],
    );
    return rows.length ? Number(rows[0].position) : 0;
  }

  /**
   * Committed without waiting for the WAL flush (synchronous_commit off for this transaction
   * only): a checkpoint only says how far a subscriber got, so a crash that takes it back to an
   * earlier position costs a redelivery, which every subscriber takes (at-least-once, idempotent
   * handlers), and never an acknowledged event. The WAL is written in order, so the next append's
   * flush covers it, or the WAL writer within a few hundred ms. set_config(..., true) lasts until
   * this statement's own transaction commits: one round trip, and the pooled connection's next
   * transaction (an append) flushes as before.
   */
  async saveCheckpoint(id: string, position: number): Promise<void> {
    await this.pool.query(
      `WITH unsynced AS (SELECT set_config('synchronous_commit', 'off', true))
       INSERT INTO ${this.t.checkpoints} (id, position, updated_at) SELECT $1, $2, now() FROM unsynced
       ON CONFLICT (id) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      [id, position],
    );
  }

  /**
   * See Importable: one transaction under the same advisory lock as appends (so live writers,
   * if any, keep the visibility-order guarantee), positions and `recordedAt` as given.
   */
  async importEvents(events: StoredEvent[], options: ImportOptions = {}): Promise<ImportResult> {
    if (this.closed) throw new Error('event store is closed');
    const encoded = encodeImport(events);
    checkCheckpoint(options.checkpoint);
    const client = await this.pool.connect();
    let result: ImportResult;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.lockKey]);
      const ids = encoded.map((e) => e.id);
      const streams = [...new Set(encoded.map((e) => e.streamId))];
      const stored = await client.query<{ id: string; stream_id: string; revision: number }>(
        `SELECT id, stream_id, revision FROM ${this.t.events} WHERE id = ANY($1::text[])`,
        [ids],
      );
      const heads = await client.query<{ stream_id: string; rev: number }>(
        `SELECT stream_id, max(revision) AS rev FROM ${this.t.events} WHERE stream_id = ANY($1::text[]) GROUP BY stream_id`,
        [streams],
      );
      const { toWrite, skipped } = planImport(
        encoded,
        new Map<string, StoredAt>(stored.rows.map((r) => [r.id, { streamId: r.stream_id, revision: r.revision }])),
        new Map(heads.rows.map((r) => [r.stream_id, r.rev])),
      );
      if (toWrite.length > 0) {
        const head = await client.query<{ head: string }>(
          `SELECT coalesce(max(position), 0) AS head FROM ${this.t.events}`,
        );
        if (toWrite[0].position <= Number(head.rows[0].head)) {
          throw new EventRejectedError(
            `import: event ${toWrite[0].id} at position ${toWrite[0].position} is not above the store's head ${head.rows[0].head}`,
          );
        }
        await client.query(
          `INSERT INTO ${this.t.events}
             (position, id, stream_id, revision, type, case_id, causation_id, region, agency_id,
              actor, occurred_at, hlc, data, recorded_at)
           SELECT u.position, u.id, u.stream_id, u.revision, u.type, u.case_id, u.causation_id,
                  u.region, u.agency_id, u.actor::jsonb, u.occurred_at, u.hlc, u.data::jsonb,
                  u.recorded_at::timestamptz
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::text[],
                       $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                       $13::text[], $14::text[])
             AS u(position, id, stream_id, revision, type, case_id, causation_id, region, agency_id,
                  actor, occurred_at, hlc, data, recorded_at)`,
          [
            toWrite.map((e) => String(e.position)),
            toWrite.map((e) => e.id),
            toWrite.map((e) => e.streamId),
            toWrite.map((e) => e.revision),
            toWrite.map((e) => e.type),
            toWrite.map((e) => e.caseId),
            toWrite.map((e) => e.causationId),
            toWrite.map((e) => e.region),
            toWrite.map((e) => e.agencyId),
            toWrite.map((e) => e.actorJson),
            toWrite.map((e) => e.occurredAt),
            toWrite.map((e) => e.hlc),
            toWrite.map((e) => e.dataJson),
            toWrite.map((e) => e.recordedAt),
          ],
        );
        await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, this.notifyTag]);
      }
      if (options.checkpoint) {
        await client.query(
          `INSERT INTO ${this.t.checkpoints} (id, position, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (id) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
          [options.checkpoint.id, options.checkpoint.position],
        );
      }
      await client.query('COMMIT');
      result = { imported: toWrite.length, skipped };
    } catch (error) {
      // a connection that cannot even roll back is in an unknown state: drop it, do not reuse it
      const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
      client.release(rolledBack ? undefined : (error as Error));
      if (isUnstorableInput(error)) {
        throw new EventRejectedError(`import refused by PostgreSQL: ${(error as Error).message}`);
      }
      throw error;
    }
    client.release();
    if (result.imported > 0) this.appended.emit('appended');
    return result;
  }

  async countEvents(range: EventRange = {}): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.t.events} WHERE position > $1 AND position <= $2`,
      [range.after ?? 0, range.until ?? Number.MAX_SAFE_INTEGER],
    );
    return Number(rows[0].n);
  }

  async listCheckpoints(): Promise<StoredCheckpoint[]> {
    const { rows } = await this.pool.query<{ id: string; position: string }>(
      `SELECT id, position FROM ${this.t.checkpoints} ORDER BY id`,
    );
    return rows.map((r) => ({ id: r.id, position: Number(r.position) }));
  }

  subscribe(options: SubscribeOptions): SubscriptionHandle {
    if (this.closed) throw new Error('event store is closed');
    this.ensureListener();
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

  /**
   * One LISTEN connection per store, opened with the first subscription. Appends from other
   * processes arrive as notifications; if the connection drops, polling carries on and the
   * listener is re-established in the background.
   */
  private ensureListener(): void {
    if (this.listener || this.listenerStarting || this.closed) return;
    this.listenerStarting = true;
    const client = new Client({ connectionString: this.connectionString });
    const retry = (error: Error) => {
      this.logger.warn(`postgres LISTEN connection: ${error.message}; polling until it is back`);
      if (this.listener === client) this.listener = null;
      client.end().catch(() => undefined);
      if (!this.closed && !this.listenRetry) {
        this.listenRetry = setTimeout(() => {
          this.listenRetry = null;
          if (this.subscriptions.size > 0) this.ensureListener();
        }, LISTEN_RETRY_MS);
      }
    };
    client.on('error', retry);
    client.on('end', () => {
      if (this.listener === client && !this.closed) retry(new Error('connection ended'));
    });
    client.on('notification', (message) => {
      if (message.channel === NOTIFY_CHANNEL && (message.payload ?? '') === this.notifyTag) {
        this.appended.emit('appended');
      }
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${NOTIFY_CHANNEL}`))
      .then(() => {
        this.listenerStarting = false;
        if (this.closed) {
          void client.end().catch(() => undefined);
          return;
        }
        this.listener = client;
        // anything committed while we were connecting is found by this extra wake-up
        this.appended.emit('appended');
      })
      .catch((error: Error) => {
        this.listenerStarting = false;
        retry(error);
      });
  }

  /** Writes the queued appends, stops the subscriptions and the LISTEN connection, ends the pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.queue.length > 0 || this.flushing || this.flushScheduled) {
      if (this.flushing) await this.flushing;
      else await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.closed = true;
    if (this.listenRetry) clearTimeout(this.listenRetry);
    const listener = this.listener;
    this.listener = null;
    if (listener) await listener.end().catch(() => undefined);
    await this.pool.end();
  }
}
