import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type ReadPosition,
  type RecordedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { NewEvent, StoredEvent } from '@lianban/contracts';
import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
  type SubscriptionHandle,
} from '../port';
import {
  checkRevision,
  duplicateIdConflict,
  encodeAppend,
  type StreamState,
} from '../internal/encode';
import { consoleLogger, type SubscriptionLogger } from '../internal/polling-subscription';
import type { EventRange, Importable, ImportOptions, ImportResult, StoredCheckpoint } from '../import';
import {
  checkCheckpoint,
  encodeImport,
  planImport,
  streamRuns,
  type ImportedEvent,
  type StoredAt,
} from '../internal/import';
import {
  CHECKPOINT_EVENT_TYPE,
  CHECKPOINT_STREAM_PREFIX,
  SUBSCRIPTION_STREAM_REGEX,
  checkpointStreamName,
  fromRecordedEvent,
  isInternal,
  mapAppendError,
  redactConnectionString,
  toEventData,
  toPortPosition,
  toReadPosition,
  toStreamState,
} from './mapping';

export interface EventStoreDbEventStoreOptions {
  /** bound on the start-up check and on every call to the server; default 10000 ms */
  timeoutMs?: number;
  logger?: SubscriptionLogger;
}

/** events fetched per gRPC read of $all */
const READ_CHUNK = 500;
/** an 'any' append re-reads and retries this often when other writers keep winning */
const ANY_RETRIES = 20;
const MAX_RETRY_PAUSE_MS = 5_000;

/**
 * The event store on EventStoreDB (distributed mode), through @eventstore/db-client 6.
 *
 * readByCase reads `$all` forwards and keeps the events whose metadata names the case. We chose
 * that over the `$bc-<caseId>` stream of the `$by_correlation_id` system projection because
 * system projections are off by default (and often off in production), and even when running
 * they lag the log, while DESIGN 3.1 wants readers to see every acknowledged event. The price
 * is a scan of the log per call (this client version cannot filter $all reads on the server);
 * hot paths should read streams, and the history service keeps its own projections. The events
 * still carry `$correlationId`/`$causationId`, so `$bc-` streams work where projections run.
 *
 * Event ids: EventStoreDB does not enforce unique event ids. The adapter reads the target stream
 * before appending and refuses an id that is already in it (then appends with the revision it
 * read, so nothing can slip in between); uniqueness ACROSS streams is not checked here.
 * Appending therefore costs one read of the stream, which stays small for case/task streams.
 *
 * Positions: see toPortPosition (commit position as a number, exact up to 2^53).
 * Checkpoints: stream `lianban-checkpoint-<id>`, last event only (`$maxCount` 1).
 */
export class EventStoreDbEventStore implements EventStore, Importable {
  readonly kind = 'eventstoredb';
  private readonly logger: SubscriptionLogger;
  private readonly timeoutMs: number;
  private readonly subscriptions = new Set<SubscriptionHandle>();
  private closed = false;

  private constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions,
  ) {
    this.logger = options.logger ?? consoleLogger;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Connects and proves the server answers (a one-event read of $all) before returning, so a
   * wrong address fails at start-up with a clear error instead of at the first command.
   */
  static async connect(
    connectionString: string,
    options: EventStoreDbEventStoreOptions = {},
  ): Promise<EventStoreDbEventStore> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const where = redactConnectionString(connectionString);
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      throw new Error(`EventStoreDB connection string ${where} is invalid: ${(error as Error).message}`);
    }
    const store = new EventStoreDbEventStore(client, options);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        store.ping(),
        // the gRPC deadline covers the call; this also covers cluster discovery before it
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      await client.dispose().catch(() => undefined);
      throw new Error(`EventStoreDB at ${where} is unreachable: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    return store;
  }

  private async ping(): Promise<void> {
    const read = this.client.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: 1,
      deadline: this.timeoutMs,
    });
    for await (const _ of read) {
      // draining the one event is enough
    }
  }

  /**
   * `options.caseHead` is NOT enforced here: EventStoreDB checks one stream's revision per append
   * and cannot make an append conditional on other streams. On this adapter two commands on
   * different streams of one case may both be decided on the same state (the stream's own
   * revision still protects each stream). Known limitation, named in the README; the remedy is a
   * per-case guard stream or the multi-stream append of newer servers.
   */
  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision, _options?: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const encoded = encodeAppend(streamId, events, expected);
    for (let attempt = 1; ; attempt++) {
      const { state, ids } = await this.streamState(streamId);
      checkRevision(streamId, expected, state);
      const dup = encoded.find((e) => ids.has(e.id));
      if (dup) throw duplicateIdConflict(streamId, expected, state, dup.id);
      const recordedAt = new Date().toISOString();
      try {
        const result = await this.client.appendToStream(
          streamId,
          encoded.map((e) => toEventData(e, recordedAt)),
          // the revision just read, not the caller's 'any': pins the id check to this state
          { expectedRevision: toStreamState(state), deadline: this.timeoutMs },
        );
        if (!result.position) {
          throw new Error('EventStoreDB did not return the append position; Lianban needs server 22.10 or later');
        }
        return {
          nextExpectedRevision: Number(result.nextExpectedRevision),
          lastPosition: toPortPosition(result.position.commit),
        };
      } catch (error) {
        if (error instanceof WrongExpectedVersionError && expected === 'any' && attempt < ANY_RETRIES) continue;
        throw mapAppendError(error, streamId, expected);
      }
    }
  }

  private async streamState(streamId: string): Promise<{ state: StreamState; ids: Set<string> }> {
    const ids = new Set<string>();
    let last: StreamState = 'no-stream';
    try {
      for await (const resolved of this.client.readStream(streamId, {
        direction: FORWARDS,
        deadline: this.timeoutMs,
      })) {
        if (!resolved.event) continue;
        ids.add(resolved.event.id);
        last = Number(resolved.event.revision);
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return { state: last, ids };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const out: StoredEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, {
        direction: FORWARDS,
        fromRevision: BigInt(options.fromRevision ?? 0),
        deadline: this.timeoutMs,
      })) {
        const stored = this.fromResolved(resolved);
        if (stored) out.push(stored);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return out;
  }

  private fromResolved(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null {
    if (!resolved.event) return null;
    return fromRecordedEvent(resolved.event, resolved.commitPosition);
  }

  /**
   * $all forwards from `after`, in chunks, skipping internal events. A read from a position
   * includes the event at that position, hence the strict comparison.
   */
  private async *scanAll(after: number): AsyncGenerator<StoredEvent> {
    let from: ReadPosition = toReadPosition(after);
    let lastSeen = after;
    for (;;) {
      let count = 0;
      for await (const resolved of this.client.readAll({
        direction: FORWARDS,
        fromPosition: from,
        maxCount: READ_CHUNK,
        deadline: this.timeoutMs,
      })) {
        count += 1;
        const commit = resolved.event?.position.commit ?? resolved.commitPosition;
        if (commit === undefined) continue;
        const position = toPortPosition(commit);
        if (position <= lastSeen) continue;
        lastSeen = position;
        const stored = this.fromResolved(resolved);
        if (stored) yield stored;
      }
      if (count < READ_CHUNK) return;
      from = toReadPosition(lastSeen);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const limit = options.limit ?? 1000;
    const out: StoredEvent[] = [];
    if (limit <= 0) return out;
    for await (const event of this.scanAll(options.after ?? 0)) {
      out.push(event);
      if (out.length >= limit) break;
    }
    return out;
  }

  async readByCase(caseId: string): Promise<StoredEvent[]> {
    this.assertOpen();
    const out: StoredEvent[] = [];
    for await (const event of this.scanAll(0)) {
      if (event.caseId === caseId) out.push(event);
    }
    return out;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    let from: ReadPosition = END;
    for (;;) {
      let count = 0;
      let lastCommit: bigint | undefined;
      for await (const resolved of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: from,
        maxCount: READ_CHUNK,
        deadline: this.timeoutMs,
      })) {
        count += 1;
        const event = resolved.event;
        if (!event) continue;
        lastCommit = event.position.commit;
        if (!isInternal(event.streamId, event.type)) return toPortPosition(event.position.commit);
      }
      if (count < READ_CHUNK || lastCommit === undefined) return 0;
      // a backwards read from a position starts before it
      from = { commit: lastCommit, prepare: lastCommit };
    }
  }

  async loadCheckpoint(id: string): Promise<number> {
    this.assertOpen();
    try {
      for await (const resolved of this.client.readStream(checkpointStreamName(id), {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
        deadline: this.timeoutMs,
      })) {
        const data = resolved.event?.data as { position?: unknown } | undefined;
        if (typeof data?.position === 'number') return data.position;
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return 0;
  }

  async saveCheckpoint(id: string, position: number): Promise<void> {
    this.assertOpen();
    const stream = checkpointStreamName(id);
    const result = await this.client.appendToStream(
      stream,
      jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: { position } }),
      { expectedRevision: ANY, deadline: this.timeoutMs },
    );
    if (result.nextExpectedRevision === 0n) {
      // first checkpoint of this subscriber: only the latest one is worth keeping
      await this.client.setStreamMetadata(stream, { maxCount: 1 }, { deadline: this.timeoutMs });
    }
  }

  /**
   * See Importable. Each run of consecutive events of one stream is one append with the expected
   * revision the source implies, carrying the source's `recordedAt` in the metadata; the server
   * assigns positions. A resumed copy finds the run's events already in the stream and skips
   * them. As with append, an id is only checked against the target stream, not across streams.
   */
  async importEvents(events: StoredEvent[], options: ImportOptions = {}): Promise<ImportResult> {
    this.assertOpen();
    const encoded = encodeImport(events);
    checkCheckpoint(options.checkpoint);
    const total: ImportResult = { imported: 0, skipped: 0 };
    for (const run of streamRuns(encoded)) {
      const { imported, skipped } = await this.importRun(run);
      total.imported += imported;
      total.skipped += skipped;
    }
    // no transaction spans streams here: the checkpoint follows the events, never precedes them
    if (options.checkpoint) await this.saveCheckpoint(options.checkpoint.id, options.checkpoint.position);
    return total;
  }

  private async importRun(run: ImportedEvent[]): Promise<ImportResult> {
    const streamId = run[0].streamId;
    const heads = new Map<string, number>();
    const existing = new Map<string, StoredAt>();
    // the whole stream, as append reads it: an id at another revision must be refused too
    for (const e of await this.readStream(streamId)) {
      existing.set(e.id, { streamId, revision: e.revision });
      heads.set(streamId, e.revision);
    }
    const { toWrite, skipped } = planImport(run, existing, heads);
    if (toWrite.length === 0) return { imported: 0, skipped };
    const first = toWrite[0].revision;
    try {
      await this.client.appendToStream(
        streamId,
        toWrite.map((e) => toEventData(e, e.recordedAt)),
        { expectedRevision: first === 0 ? NO_STREAM : BigInt(first - 1), deadline: this.timeoutMs },
      );
    } catch (error) {
      throw mapAppendError(error, streamId, first === 0 ? 'no-stream' : first - 1);
    }
    return { imported: toWrite.length, skipped };
  }

  /** A scan of $all: EventStoreDB keeps no count of a range. */
  async countEvents(range: EventRange = {}): Promise<number> {
    this.assertOpen();
    const until = range.until ?? Number.POSITIVE_INFINITY;
    let n = 0;
    for await (const event of this.scanAll(range.after ?? 0)) {
      if (event.position > until) break;
      n += 1;
    }
    return n;
  }

  /** A scan of $all for the checkpoint streams, the latest event of each. */
  async listCheckpoints(): Promise<StoredCheckpoint[]> {
    this.assertOpen();
    const latest = new Map<string, number>();
    for await (const event of this.scanRecorded()) {
      if (!event.streamId.startsWith(CHECKPOINT_STREAM_PREFIX) || event.type !== CHECKPOINT_EVENT_TYPE) continue;
      const position = (event.data as { position?: unknown } | undefined)?.position;
      if (typeof position === 'number') latest.set(event.streamId.slice(CHECKPOINT_STREAM_PREFIX.length), position);
    }
    return [...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, position]) => ({ id, position }));
  }

  /** Every recorded event of $all, internal ones included, each once. */
  private async *scanRecorded(): AsyncGenerator<RecordedEvent> {
    let from: ReadPosition = START;
    let lastSeen = -1n;
    for (;;) {
      let count = 0;
      for await (const resolved of this.client.readAll({
        direction: FORWARDS,
        fromPosition: from,
        maxCount: READ_CHUNK,
        deadline: this.timeoutMs,
      })) {
        count += 1;
        const commit = resolved.event?.position.commit ?? resolved.commitPosition;
        if (!resolved.event || commit === undefined || commit <= lastSeen) continue;
        lastSeen = commit;
        yield resolved.event;
      }
      if (count < READ_CHUNK || lastSeen < 0n) return;
      // a forward read from a position includes the event there; lastSeen filters it out
      from = { commit: lastSeen, prepare: lastSeen };
    }
  }

  /**
   * A catch-up subscription to $all with a server-side stream-name filter, restarted from the
   * stored checkpoint whenever it drops. Events are buffered and handed over in batches; the
   * subscription is paused while a full batch waits, so a slow handler does not pile up memory.
   */
  subscribe(options: SubscribeOptions): SubscriptionHandle {
    this.assertOpen();
    const { subscriberId, handler } = options;
    const batchSize = options.batchSize ?? 500;
    const retryBase = Math.max(options.pollIntervalMs ?? 200, 10);
    let running = true;
    let wake: (() => void) | null = null;
    let current: AllStreamSubscription | null = null;

    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        if (!running) return resolve();
        const timer = setTimeout(done, ms);
        wake = done;
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
      });

    const loop = async () => {
      let failures = 0;
      const pauseAfterFailure = async (error: unknown) => {
        failures += 1;
        const wait = Math.min(retryBase * 2 ** Math.min(failures - 1, 10), MAX_RETRY_PAUSE_MS);
        this.logger.warn(
          `subscriber ${subscriberId}: ${(error as Error)?.message ?? String(error)}; retrying in ${wait} ms`,
        );
        await sleep(wait);
      };
      while (running) {
        let checkpoint: number;
        try {
          checkpoint = await this.loadCheckpoint(subscriberId);
        } catch (error) {
          await pauseAfterFailure(error);
          continue;
        }
        const buffer: StoredEvent[] = [];
        let dropped: unknown = null;
        const subscription = this.client.subscribeToAll({
          fromPosition: toReadPosition(checkpoint),
          filter: streamNameFilter({ regex: SUBSCRIPTION_STREAM_REGEX }),
        });
        current = subscription;
        subscription.on('data', (resolved: AllStreamResolvedEvent) => {
          try {
            const stored = this.fromResolved(resolved);
            if (stored && stored.position > checkpoint) buffer.push(stored);
          } catch (error) {
            dropped = error;
          }
          if (buffer.length >= batchSize) subscription.pause();
          wake?.();
        });
        subscription.on('error', (error) => {
          dropped = error;
          wake?.();
        });
        subscription.on('end', () => {
          dropped ??= new Error('subscription ended by the server');
          wake?.();
        });

        while (running && dropped === null) {
          if (buffer.length === 0) {
            await sleep(60_000);
            continue;
          }
          // let the rest of the events that arrived in this tick join the batch
          await new Promise((resolve) => setImmediate(resolve));
          const batch = buffer.slice(0, batchSize);
          try {
            await handler(batch);
            failures = 0;
          } catch (error) {
            await pauseAfterFailure(error);
            continue;
          }
          buffer.splice(0, batch.length);
          checkpoint = batch[batch.length - 1].position;
          try {
            await this.saveCheckpoint(subscriberId, checkpoint);
          } catch (error) {
            // at-least-once: after a restart the batch comes again
            this.logger.warn(`subscriber ${subscriberId}: checkpoint not saved: ${(error as Error).message}`);
          }
          if (subscription.isPaused() && buffer.length < batchSize) subscription.resume();
        }
        current = null;
        await subscription.unsubscribe().catch(() => undefined);
        if (running && dropped !== null) await pauseAfterFailure(dropped);
      }
    };
    const done = loop();

    const handle: SubscriptionHandle = {
      stop: async () => {
        this.subscriptions.delete(handle);
        if (running) {
          running = false;
          wake?.();
          await current?.unsubscribe().catch(() => undefined);
        }
        await done;
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.closed = true;
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }
}
