import type { NewEvent } from '@lianban/contracts';
import {
  EventRejectedError,
  MAX_EVENT_BYTES,
  StreamConflictError,
  type AppendOptions,
  type AppendResult,
  type ExpectedRevision,
  type StreamAppend,
} from '../port';

/**
 * An event checked and serialised once, before any adapter touches storage, so every adapter
 * refuses exactly the same input and the size limit is measured on the bytes actually stored.
 */
export interface EncodedEvent {
  id: string;
  type: string;
  caseId: string;
  causationId: string | null;
  region: string;
  agencyId: string | null;
  actor: { id: string; role: string };
  actorJson: string;
  occurredAt: string;
  hlc: string;
  data: unknown;
  dataJson: string;
  /** serialised `data` plus every other field, in UTF-8 bytes */
  bytes: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new EventRejectedError(`${what} must be a non-empty string`);
  }
  return value;
}

export function checkExpectedRevision(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no-stream') return;
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
    throw new EventRejectedError(
      `expected revision must be 'any', 'no-stream' or a non-negative integer, got ${String(expected)}`,
    );
  }
}

export function checkStreamId(streamId: string): void {
  requireString(streamId, 'stream id');
  // `$` marks system streams in EventStoreDB; refusing it everywhere keeps the adapters equivalent.
  if (streamId.startsWith('$')) {
    throw new EventRejectedError(`stream id ${streamId} is reserved: it must not start with '$'`);
  }
}

function encodeOne(event: NewEvent, index: number): EncodedEvent {
  if (event === null || typeof event !== 'object') {
    throw new EventRejectedError(`event #${index} is not an object`);
  }
  const id = requireString(event.id, `event #${index} id`);
  if (!UUID.test(id)) throw new EventRejectedError(`event #${index} id ${id} is not a UUID`);
  const type = requireString(event.type, `event ${id} type`);
  const caseId = requireString(event.caseId, `event ${id} caseId`);
  const region = requireString(event.region, `event ${id} region`);
  const occurredAt = requireString(event.occurredAt, `event ${id} occurredAt`);
  const hlc = requireString(event.hlc, `event ${id} hlc`);
  if (event.causationId !== null && typeof event.causationId !== 'string') {
    throw new EventRejectedError(`event ${id} causationId must be a string or null`);
  }
  if (event.agencyId !== undefined && event.agencyId !== null && typeof event.agencyId !== 'string') {
    throw new EventRejectedError(`event ${id} agencyId must be a string or null`);
  }
  const actor = event.actor;
  if (!actor || typeof actor !== 'object') throw new EventRejectedError(`event ${id} has no actor`);
  const actorId = requireString(actor.id, `event ${id} actor.id`);
  const actorRole = requireString(actor.role, `event ${id} actor.role`);

  let dataJson: string | undefined;
  try {
    dataJson = JSON.stringify(event.data);
  } catch (error) {
    throw new EventRejectedError(`event ${id} data is not serialisable: ${(error as Error).message}`);
  }
  if (dataJson === undefined) throw new EventRejectedError(`event ${id} data is not serialisable`);
  const actorJson = JSON.stringify({ id: actorId, role: actorRole });
  const causationId = event.causationId ?? null;
  const agencyId = event.agencyId ?? null;

  const bytes =
    Buffer.byteLength(dataJson) +
    Buffer.byteLength(actorJson) +
    [id, type, caseId, causationId ?? '', region, agencyId ?? '', occurredAt, hlc].reduce(
      (sum, s) => sum + Buffer.byteLength(s),
      0,
    );
  if (bytes > MAX_EVENT_BYTES) {
    throw new EventRejectedError(
      `event ${id} (${type}) is ${bytes} bytes, above the limit of ${MAX_EVENT_BYTES}`,
    );
  }
  return {
    id,
    type,
    caseId,
    causationId,
    region,
    agencyId,
    actor: { id: actorId, role: actorRole },
    actorJson,
    occurredAt,
    hlc,
    // the parsed copy is what every adapter stores, so readers get exactly what JSON keeps
    data: JSON.parse(dataJson),
    dataJson,
    bytes,
  };
}

/**
 * Validates a whole append before anything is written; throws EventRejectedError so that a
 * refused append has changed nothing in any adapter.
 */
export function encodeAppend(
  streamId: string,
  events: NewEvent[],
  expected: ExpectedRevision,
): EncodedEvent[] {
  checkStreamId(streamId);
  checkExpectedRevision(expected);
  if (!Array.isArray(events) || events.length === 0) {
    throw new EventRejectedError(`append to ${streamId} has no events`);
  }
  const encoded = events.map(encodeOne);
  const seen = new Set<string>();
  for (const e of encoded) {
    if (seen.has(e.id)) throw new EventRejectedError(`append to ${streamId} contains event ${e.id} twice`);
    seen.add(e.id);
  }
  return encoded;
}

/** One stream's part of an append, checked and serialised (encodeAppends). */
export interface EncodedAppend {
  streamId: string;
  events: EncodedEvent[];
  expected: ExpectedRevision;
}

/** One append, or one appendMany, queued for a group commit: its parts are written together or not at all. */
export interface PendingAppend {
  parts: EncodedAppend[];
  caseHead?: AppendOptions['caseHead'];
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
}

/** An appendMany's parts, each validated as encodeAppend does; throws EventRejectedError before anything is written. */
export function encodeAppends(appends: StreamAppend[]): EncodedAppend[] {
  if (appends.length === 0) throw new EventRejectedError('appendMany has no streams');
  return appends.map((a) => ({ streamId: a.streamId, events: encodeAppend(a.streamId, a.events, a.expected), expected: a.expected }));
}

export type StreamState = number | 'no-stream';

/** The optimistic-concurrency rule shared by every adapter that checks revisions itself. */
export function checkRevision(streamId: string, expected: ExpectedRevision, actual: StreamState): void {
  if (expected === 'any') return;
  if (expected !== actual) throw new StreamConflictError(streamId, expected, actual);
}

/** A retried or replayed event id is refused as a conflict, never stored twice. */
export function duplicateIdConflict(
  streamId: string,
  expected: ExpectedRevision,
  actual: StreamState,
  eventId: string,
): StreamConflictError {
  const error = new StreamConflictError(streamId, expected, actual);
  error.message = `stream ${streamId}: event ${eventId} is already stored (duplicate append refused)`;
  return error;
}
