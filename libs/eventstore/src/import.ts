import type { StoredEvent } from '@lianban/contracts';
import type { EventStore } from './port';

export interface StoredCheckpoint {
  id: string;
  position: number;
}

export interface ImportOptions {
  /**
   * Saved together with the events: in the same transaction on sqlite and postgres, right after
   * them on EventStoreDB (which has no transaction across streams). A copier resuming from it may
   * therefore re-send events that are already there; importEvents skips those.
   */
  checkpoint?: StoredCheckpoint;
}

export interface ImportResult {
  /** events written by this call */
  imported: number;
  /** events already stored with the same id, stream and revision (a resumed copy) */
  skipped: number;
}

export interface EventRange {
  /** exclusive; default 0 */
  after?: number;
  /** inclusive; default: no bound */
  until?: number;
}

/**
 * What a store offers beyond the EventStore port so that a whole store can be copied into
 * another (scripts/migrate-store). Kept off the port on purpose: live writers must go through
 * `append`, which stamps `recordedAt` and assigns revisions itself.
 */
export interface Importable {
  /**
   * Stores events copied from another store exactly as they were stored there — id, stream,
   * revision, metadata, data and `recordedAt` — in the order given, which must be the source's
   * global order. The store's own rules still hold: every event is validated like an append
   * (EventRejectedError), and a stream must continue at its next revision (StreamConflictError).
   * An event whose id is already stored at the same stream and revision is skipped, so an
   * interrupted copy can be re-sent; the same id anywhere else is a StreamConflictError.
   *
   * Positions: sqlite and postgres keep the given positions (they must be above the store's
   * head), so checkpoints keep their meaning; EventStoreDB assigns its own (log offsets).
   * Atomicity: one call is one transaction on sqlite and postgres; on EventStoreDB each run of
   * consecutive events of one stream is one append.
   */
  importEvents(events: StoredEvent[], options?: ImportOptions): Promise<ImportResult>;
  /** how many events lie in the range (positions as this store numbers them) */
  countEvents(range?: EventRange): Promise<number>;
  /** every checkpoint stored, e.g. to carry subscribers' progress over to a copy */
  listCheckpoints(): Promise<StoredCheckpoint[]>;
}

export function isImportable(store: EventStore): store is EventStore & Importable {
  const s = store as Partial<Importable>;
  return (
    typeof s.importEvents === 'function' &&
    typeof s.countEvents === 'function' &&
    typeof s.listCheckpoints === 'function'
  );
}
