import type { NewEvent, StoredEvent } from '@lianban/contracts';

/**
 * What a writer expects the stream to look like before its append:
 * - a number: the revision of the stream's last event (so `0` = exactly one event so far)
 * - 'no-stream': the stream must not exist yet
 * - 'any': no check (only for streams with a single natural writer, never for aggregates)
 */
export type ExpectedRevision = number | 'no-stream' | 'any';

export interface AppendResult {
  /** revision of the last event appended */
  nextExpectedRevision: number;
  /** global position of the last event appended */
  lastPosition: number;
}

/**
 * Decisions that read the whole case (every stream correlated to it) pass the case's head — the
 * highest global position they read — so that an append is refused (CaseConflictError) when any
 * stream of the case changed in between, not only the stream appended to. Without it, two
 * commands on different streams of one case, decided on the same state, could both succeed
 * where no serial order allows it (a co-handler released while it submits its opinion).
 */
export interface AppendOptions {
  caseHead?: { caseId: string; position: number };
}

/** One stream's part of an EventStore.appendMany. */
export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expected: ExpectedRevision;
}

export interface ReadStreamOptions {
  /** first revision to return (inclusive), default 0 */
  fromRevision?: number;
}

export interface ReadAllOptions {
  /** return events with position strictly greater than this; default 0 (from the beginning) */
  after?: number;
  /** at most this many; default 1000 */
  limit?: number;
}

/** What a fold of the whole store into an in-memory view (the case files) reads of an event: readAllLean's events. */
export type LeanEvent = Pick<StoredEvent, 'position' | 'type' | 'caseId' | 'region' | 'agencyId' | 'occurredAt' | 'data'>;

export interface SubscriptionHandle {
  /** stops delivery; resolves once no handler call is in flight */
  stop(): Promise<void>;
}

export interface SubscribeOptions {
  /** durable subscriber name: its checkpoint is stored under this id */
  subscriberId: string;
  /**
   * Called with each batch of events in global order. The checkpoint is saved after the
   * handler resolves, so a crash inside the handler means the batch is delivered again
   * (at-least-once); handlers must be idempotent. A rejected handler is retried after a pause.
   */
  handler: (events: StoredEvent[]) => Promise<void>;
  /** how many events per batch, default 500 */
  batchSize?: number;
  /** polling fallback interval in ms, default 200 */
  pollIntervalMs?: number;
}

/**
 * The event store port (DESIGN 3.1). Every adapter (sqlite, postgres, eventstoredb) passes the
 * contract suite in libs/testing.
 *
 * Durability: a resolved `append` means the events survive a crash and a power loss.
 */
export interface EventStore {
  readonly kind: string;
  /** append atomically to one stream; rejects with StreamConflictError on a revision mismatch */
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult>;
  /**
   * Appends to several streams in one atomic write: every part or none, refused as a whole (with
   * the refusal a part alone would get) when any part is. `options.caseHead` is checked before
   * anything is written. Optional: EventStoreDB has no transaction across streams; a caller
   * without it appends one stream after another.
   */
  appendMany?(appends: StreamAppend[], options?: AppendOptions): Promise<AppendResult[]>;
  /** the stream's events in revision order; [] for a stream that does not exist */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** events of all streams in global order */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /**
   * readAll for a reader that takes only LeanEvent's fields, such as the case files rebuilt from
   * position 0 at start-up: the adapter may leave the rest of each event unread (ids, actors and
   * timestamps nobody reads were a fifth of that replay's cost, B4). Optional: readAll's events
   * have these fields too (see readAllLean in read-all-stream).
   */
  readAllLean?(options?: ReadAllOptions): Promise<LeanEvent[]>;
  /** every event whose caseId is this one, from every stream, in global order */
  readByCase(caseId: string): Promise<StoredEvent[]>;
  /**
   * The highest global position among the case's events (0 when it has none): an index lookup
   * that tells a reader whether the case changed since it last read it. Optional: a reader
   * without it reads the case again (readByCase).
   */
  caseHead?(caseId: string): Promise<number>;
  /**
   * The case's events after a global position, in global order: what a readByCase now holds
   * beyond an earlier one whose newest event was at `after` (positions become visible in order).
   * Optional: a reader without it reads the whole case again.
   */
  readByCaseAfter?(caseId: string, after: number): Promise<StoredEvent[]>;
  /** the highest global position stored so far (0 when empty) */
  headPosition(): Promise<number>;
  /**
   * a subscriber's or a relay's checkpoint; 0 when never saved. It may come back lower after a
   * power cut or a crash (an adapter need not sync, nor even write, it before answering: SQLite
   * writes it with the next append), so whatever follows the store from it must take a
   * redelivery (at-least-once); it never moves past what was saved.
   */
  loadCheckpoint(id: string): Promise<number>;
  saveCheckpoint(id: string, position: number): Promise<void>;
  /** follow the store from the subscriber's stored checkpoint, live */
  subscribe(options: SubscribeOptions): SubscriptionHandle;
  /**
   * Calls `listener` once if the store fails for good: from then on it refuses every call until
   * it is opened again, by a fresh process (SQLite: a failed fsync of its WAL). Returns the
   * unsubscribe. Optional: an adapter whose failures pass by themselves (a server that comes
   * back) has none.
   */
  onFailure?(listener: (error: Error) => void): () => void;
  /**
   * settles the appends already queued, stops this store's subscriptions (waiting for their
   * handlers in flight) and releases its connections; idempotent
   */
  close(): Promise<void>;
}

/** Optimistic concurrency failure: someone else appended to the stream first. */
export class StreamConflictError extends Error {
  readonly code = 'STREAM_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no-stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, found ${String(actual)}`);
    this.name = 'StreamConflictError';
  }
}

/** Another stream of the same case moved since the decision read it (see AppendOptions). */
export class CaseConflictError extends StreamConflictError {
  constructor(
    streamId: string,
    readonly caseId: string,
    readonly expectedHead: number,
    readonly actualHead: number,
  ) {
    super(streamId, 'any', 'no-stream');
    this.message = `case ${caseId}: decided on position ${expectedHead}, but the case has moved to ${actualHead}`;
    this.name = 'CaseConflictError';
  }
}

/** An event too large or otherwise not storable; the append changed nothing. */
export class EventRejectedError extends Error {
  readonly code = 'EVENT_REJECTED';
  constructor(message: string) {
    super(message);
    this.name = 'EventRejectedError';
  }
}

/** Events above this size (serialised `data` + metadata) are refused by every adapter. */
export const MAX_EVENT_BYTES = 512 * 1024;
