import type { StoredEvent } from '@lianban/contracts';
import { EventRejectedError, StreamConflictError } from '../port';
import type { StoredCheckpoint } from '../import';
import { encodeAppend, type EncodedEvent, type StreamState } from './encode';

/** An imported event, checked by the same rules as an append, with what the source stored. */
export interface ImportedEvent extends EncodedEvent {
  streamId: string;
  revision: number;
  /** the source's position: kept by the SQL stores, only an order for EventStoreDB */
  position: number;
  recordedAt: string;
}

/**
 * Validates a batch before anything is written, so a refused import changes nothing and every
 * adapter refuses the same input. Each event goes through the append rules (ids, stream ids,
 * sizes, serialisable data).
 */
export function encodeImport(events: StoredEvent[]): ImportedEvent[] {
  if (!Array.isArray(events)) throw new EventRejectedError('import needs an array of events');
  const seen = new Set<string>();
  let lastPosition = 0;
  return events.map((event, index) => {
    if (event === null || typeof event !== 'object') throw new EventRejectedError(`imported event #${index} is not an object`);
    const [encoded] = encodeAppend(event.streamId, [event], 'any');
    const { revision, position, recordedAt } = event;
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new EventRejectedError(`imported event ${encoded.id}: revision ${String(revision)} is not a non-negative integer`);
    }
    if (!Number.isSafeInteger(position) || position <= 0) {
      throw new EventRejectedError(`imported event ${encoded.id}: position ${String(position)} is not a positive integer`);
    }
    // the batch is the source's global order; anything else would reorder history
    if (position <= lastPosition) {
      throw new EventRejectedError(`imported event ${encoded.id}: position ${position} is not after ${lastPosition} (events must come in global order)`);
    }
    lastPosition = position;
    if (typeof recordedAt !== 'string' || Number.isNaN(Date.parse(recordedAt))) {
      throw new EventRejectedError(`imported event ${encoded.id}: recordedAt ${String(recordedAt)} is not a timestamp`);
    }
    if (seen.has(encoded.id)) throw new EventRejectedError(`import contains event ${encoded.id} twice`);
    seen.add(encoded.id);
    return { ...encoded, streamId: event.streamId, revision, position, recordedAt };
  });
}

export interface StoredAt {
  streamId: string;
  revision: number;
}

export interface ImportPlan {
  /** the events to write, in order */
  toWrite: ImportedEvent[];
  skipped: number;
}

/**
 * Decides, from what the store already holds, which events of a batch to write: an id stored at
 * the same stream and revision is a resumed copy (skipped); an id stored elsewhere, or a
 * revision that does not continue its stream, means the target is not a copy of this source.
 *
 * @param existing where each of the batch's ids is already stored (ids absent: not stored)
 * @param heads the current last revision of each of the batch's streams (absent: no stream)
 */
export function planImport(
  events: ImportedEvent[],
  existing: ReadonlyMap<string, StoredAt>,
  heads: ReadonlyMap<string, number>,
): ImportPlan {
  const current = new Map(heads);
  const toWrite: ImportedEvent[] = [];
  let skipped = 0;
  for (const e of events) {
    const stored = existing.get(e.id);
    const head: StreamState = current.get(e.streamId) ?? 'no-stream';
    if (stored) {
      if (stored.streamId === e.streamId && stored.revision === e.revision) {
        skipped += 1;
        continue;
      }
      const error = new StreamConflictError(e.streamId, e.revision === 0 ? 'no-stream' : e.revision - 1, head);
      error.message = `import: event ${e.id} (${e.streamId}@${e.revision}) is already stored as ${stored.streamId}@${stored.revision}`;
      throw error;
    }
    const expected = e.revision - 1;
    if ((head === 'no-stream' ? -1 : head) !== expected) {
      const error = new StreamConflictError(e.streamId, expected < 0 ? 'no-stream' : expected, head);
      error.message = `import: event ${e.id} has revision ${e.revision} of ${e.streamId}, but the stream is at ${String(head)}`;
      throw error;
    }
    current.set(e.streamId, e.revision);
    toWrite.push(e);
  }
  return { toWrite, skipped };
}

export function checkCheckpoint(checkpoint: StoredCheckpoint | undefined): void {
  if (checkpoint === undefined) return;
  if (typeof checkpoint.id !== 'string' || checkpoint.id.length === 0) {
    throw new EventRejectedError('import checkpoint needs an id');
  }
  if (!Number.isSafeInteger(checkpoint.position) || checkpoint.position < 0) {
    throw new EventRejectedError(`import checkpoint position ${String(checkpoint.position)} is not a non-negative integer`);
  }
}

/** Splits a batch into runs of consecutive events of one stream (one EventStoreDB append each). */
export function streamRuns<T extends { streamId: string }>(events: T[]): T[][] {
  const runs: T[][] = [];
  for (const e of events) {
    const last = runs[runs.length - 1];
    if (last && last[0].streamId === e.streamId) last.push(e);
    else runs.push([e]);
  }
  return runs;
}
