/**
 * Pure translations between the port and @eventstore/db-client, kept apart from the adapter so
 * they are unit-tested without a server.
 */
import {
  ANY,
  NO_STREAM,
  START,
  WrongExpectedVersionError,
  MaxAppendSizeExceededError,
  jsonEvent,
  type AppendExpectedRevision,
  type EventData,
  type JSONType,
  type Position,
  type ReadPosition,
  type RecordedEvent,
} from '@eventstore/db-client';
import type { Actor, StoredEvent } from '@lianban/contracts';
import { EventRejectedError, StreamConflictError, type ExpectedRevision } from '../port';
import type { EncodedEvent, StreamState } from '../internal/encode';

/** Normal streams (not `$`-system streams) so no admin rights are needed; one per subscriber. */
export const CHECKPOINT_STREAM_PREFIX = 'lianban-checkpoint-';
export const CHECKPOINT_EVENT_TYPE = 'lianban.checkpoint.v1';

/**
 * Server-side filter for subscriptions (.NET regex on the stream name): leaves out every
 * `$`-stream — system and projection streams, `$$` metadata streams, `$>` links — and the
 * checkpoint streams, which live in $all like any stream.
 */
export const SUBSCRIPTION_STREAM_REGEX = `^(?!\\$|${CHECKPOINT_STREAM_PREFIX})`;

export function checkpointStreamName(subscriberId: string): string {
  return `${CHECKPOINT_STREAM_PREFIX}${subscriberId}`;
}

/** The same rule as SUBSCRIPTION_STREAM_REGEX, for $all reads (this client cannot filter them). */
export function isInternal(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$') || streamId.startsWith(CHECKPOINT_STREAM_PREFIX);
}

export function toAppendExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no-stream') return NO_STREAM;
  return BigInt(expected);
}

export function toStreamState(state: StreamState): AppendExpectedRevision {
  return state === 'no-stream' ? NO_STREAM : BigInt(state);
}

/**
 * The port's global position is a JS number. EventStoreDB's is the event's byte offset in the
 * transaction log (commit position; equal to the prepare position for every event written
 * through gRPC, which has no explicit transactions). A double holds it exactly up to 2^53 bytes
 * (8 PiB of log), far beyond one region's store; past that we refuse rather than round.
 */
export function toPortPosition(commit: bigint): number {
  if (commit < 0n || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`EventStoreDB position ${commit} does not fit the port's number position`);
  }
  return Number(commit);
}

/** Where to read or subscribe from, given a port position (0 = the beginning). */
export function toReadPosition(position: number): ReadPosition {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new RangeError(`invalid position ${position}`);
  }
  if (position === 0) return START;
  const p = BigInt(position);
  return { commit: p, prepare: p } satisfies Position;
}

export interface LianbanMetadata {
  caseId: string;
  causationId: string | null;
  region: string;
  agencyId: string | null;
  actor: Actor;
  occurredAt: string;
  hlc: string;
  recordedAt: string;
  /** read by EventStoreDB's $by_correlation_id projection where system projections run */
  $correlationId: string;
  $causationId?: string;
}

export function toMetadata(e: EncodedEvent, recordedAt: string): LianbanMetadata {
  const metadata: LianbanMetadata = {
    caseId: e.caseId,
    causationId: e.causationId,
    region: e.region,
    agencyId: e.agencyId,
    actor: e.actor,
    occurredAt: e.occurredAt,
    hlc: e.hlc,
    recordedAt,
    $correlationId: e.caseId,
  };
  if (e.causationId !== null) metadata.$causationId = e.causationId;
  return metadata;
}

export function toEventData(e: EncodedEvent, recordedAt: string): EventData {
  return jsonEvent({
    id: e.id,
    type: e.type,
    // the port allows any JSON value; the client's type only lists objects, arrays and strings
    data: e.data as JSONType,
    metadata: toMetadata(e, recordedAt),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * A recorded event back into the port's shape. Returns null for internal events (system
 * streams, checkpoints); throws for an ordinary event that Lianban did not write, because
 * silently dropping it would hide a misconfigured cluster.
 */
export function fromRecordedEvent(event: RecordedEvent, commitPosition?: bigint): StoredEvent | null {
  if (isInternal(event.streamId, event.type)) return null;
  const m = event.metadata;
  if (!event.isJson || !isRecord(m) || typeof m.caseId !== 'string' || !isRecord(m.actor)) {
    throw new Error(
      `EventStoreDB event ${event.id} in stream ${event.streamId} has no Lianban metadata; ` +
        'the cluster holds events this service did not write',
    );
  }
  const commit = event.position?.commit ?? commitPosition;
  if (commit === undefined) {
    throw new Error(
      `EventStoreDB returned event ${event.id} without its position; Lianban needs server 22.10 or later`,
    );
  }
  return {
    id: event.id,
    type: event.type,
    caseId: m.caseId,
    causationId: typeof m.causationId === 'string' ? m.causationId : null,
    region: m.region as StoredEvent['region'],
    agencyId: typeof m.agencyId === 'string' ? m.agencyId : null,
    actor: { id: String(m.actor.id), role: String(m.actor.role) },
    occurredAt: String(m.occurredAt),
    hlc: String(m.hlc),
    data: event.data,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: toPortPosition(commit),
    recordedAt: typeof m.recordedAt === 'string' ? m.recordedAt : event.created.toISOString(),
  };
}

/** The client's errors in the port's terms; anything else is passed through unchanged. */
export function mapAppendError(error: unknown, streamId: string, expected: ExpectedRevision): unknown {
  if (error instanceof WrongExpectedVersionError) {
    const current = error.actualVersion;
    const actual: StreamState = typeof current === 'bigint' ? Number(current) : 'no-stream';
    return new StreamConflictError(streamId, expected, actual);
  }
  if (error instanceof MaxAppendSizeExceededError) {
    return new EventRejectedError(
      `append to ${streamId} is larger than the server's maximum append size (${error.maxAppendSize} bytes)`,
    );
  }
  return error;
}

/** Credentials must not end up in logs or error messages. */
export function redactConnectionString(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/?#]*@/, '//***@');
}
