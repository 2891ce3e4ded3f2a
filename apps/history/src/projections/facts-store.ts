import type { CaseFacts } from './case-facts';
import type { FactsVersion, VersionChange } from './versions';

/** What a projection store remembers besides the versions. */
export interface ProjectionMeta {
  /** global position of the last event applied (0: nothing yet) */
  checkpoint: number;
  /** FACTS_VERSION of the code that built the rows; another value means: rebuild */
  version: string | null;
  /** changes each time the store is emptied, so a follower in another process notices a rebuild */
  generation: number;
}

/**
 * The projection store port: where the history service keeps the case facts it folds from the
 * event stream. The embedded adapter is a SQLite file beside the event store; a PostgreSQL
 * adapter implements the same few calls (the versions table plus a meta row, written in one
 * transaction).
 *
 * Idempotent by position: `commit` carries the position of the last event it covers and is
 * refused (answers false, changes nothing) unless that position is past the stored checkpoint,
 * so a batch delivered twice, or by two followers, is applied once.
 */
export interface FactsStore {
  readonly kind: string;
  meta(): Promise<ProjectionMeta>;
  /** atomically: apply the changes and move the checkpoint to `position` (> the current one) */
  commit(changes: VersionChange[], position: number): Promise<boolean>;
  /** the facts of every case as they stood at `at` (null: as they stand now) */
  factsAt(at: string | null): Promise<CaseFacts[]>;
  /** one case's versions, oldest first */
  versions(caseId: string): Promise<FactsVersion[]>;
  /** every version, by case id then validFrom, a page at a time */
  allVersions(): AsyncIterable<FactsVersion[]>;
  /** replaces one case's versions wholesale (a one-case rebuild), leaving the checkpoint alone */
  replaceCase(caseId: string, versions: FactsVersion[]): Promise<void>;
  /** empties the store for a rebuild by `version`: checkpoint 0, a new generation */
  reset(version: string): Promise<void>;
  close(): Promise<void>;
}
