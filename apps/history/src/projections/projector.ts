import type { StoredEvent } from '@lianban/contracts';
import { readAllPages, type EventStore } from '@lianban/eventstore';
import { FACTS_VERSION } from './case-facts';
import type { FactsStore } from './facts-store';
import { CaseTracker, mergeChanges, referenceVersions, type FactsVersion, type VersionChange } from './versions';

export interface ProjectorOptions {
  /** cases whose fold is kept in memory; beyond it the least recently touched is re-read when needed */
  maxCases?: number;
  /** events per batch (one commit each) */
  pageSize?: number;
}

export interface CatchUpProgress {
  /** events applied so far in this run */
  events: number;
  /** position of the last event applied */
  position: number;
}

/**
 * Folds the event stream into a FactsStore, page by page, one commit per page carrying the
 * page's last position. The same code serves the live follower of the history service, the
 * `replay` CLI and the in-memory rebuild of `verify`, so what verify compares is the output of
 * two runs of one definition over the same events.
 *
 * The trackers in memory always describe exactly what the store holds: a commit the store
 * refuses (another process moved the checkpoint) or that fails, or a rebuild seen through a new
 * generation, drops them, and a case is then re-read from the event store when next touched.
 */
export class FactsProjector {
  private readonly trackers = new Map<string, CaseTracker>();
  /** true while the trackers hold every case seen since position 0: an unknown case is then new */
  private complete = false;
  private generation: number | null = null;
  private readonly maxCases: number;
  private readonly pageSize: number;

  constructor(private readonly events: EventStore, readonly store: FactsStore, options: ProjectorOptions = {}) {
    this.maxCases = options.maxCases ?? 100_000;
    this.pageSize = options.pageSize ?? 1000;
  }

  /** Empties the store and starts over from position 0 (a full rebuild). */
  async reset(): Promise<void> {
    await this.store.reset(FACTS_VERSION);
    this.forget();
    this.complete = true;
    this.generation = (await this.store.meta()).generation;
  }

  /** Rebuilds when the stored rows were made by another derivation (or never made). */
  async ensureVersion(): Promise<boolean> {
    const meta = await this.store.meta();
    if (meta.version === FACTS_VERSION) return false;
    await this.reset();
    return true;
  }

  /**
   * Applies every event after the stored checkpoint, up to `until` (inclusive; default: until the
   * store has nothing more). Answers how many events were applied.
   */
  async catchUp(options: { until?: number; onPage?: (p: CatchUpProgress) => void } = {}): Promise<number> {
    const meta = await this.store.meta();
    if (meta.generation !== this.generation) {
      this.forget();
      this.complete = meta.checkpoint === 0;
      this.generation = meta.generation;
    }
    let applied = 0;
    for await (const page of readAllPages(this.events, { after: meta.checkpoint, until: options.until, pageSize: this.pageSize })) {
      let committed: boolean;
      try {
        committed = await this.applyPage(page);
      } catch (e) {
        this.forget();
        throw e;
      }
      if (!committed) {
        this.forget();
        break;
      }
      applied += page.length;
      options.onPage?.({ events: applied, position: page[page.length - 1].position });
    }
    return applied;
  }

  /** Rebuilds one case from its events (up to the stored checkpoint) by the reference definition. */
  async rebuildCase(caseId: string): Promise<FactsVersion[]> {
    const { checkpoint } = await this.store.meta();
    const events = (await this.events.readByCase(caseId)).filter((e) => e.position <= checkpoint);
    const versions = referenceVersions(caseId, events);
    await this.store.replaceCase(caseId, versions);
    this.trackers.delete(caseId);
    return versions;
  }

  private forget(): void {
    this.trackers.clear();
    this.complete = false;
  }

  private async applyPage(page: StoredEvent[]): Promise<boolean> {
    const changes = new Map<string, VersionChange>();
    for (const e of page) {
      const change = await this.applyOne(e);
      if (!change) continue;
      const before = changes.get(e.caseId);
      changes.set(e.caseId, before ? mergeChanges(before, change) : change);
    }
    return this.store.commit([...changes.values()], page[page.length - 1].position);
  }

  private async applyOne(e: StoredEvent): Promise<VersionChange | null> {
    let tracker = this.trackers.get(e.caseId);
    if (tracker) {
      // Map order is insertion order: re-inserting keeps the least recently used first
      this.trackers.delete(e.caseId);
      this.trackers.set(e.caseId, tracker);
    } else {
      tracker = this.complete
        ? new CaseTracker(e.caseId)
        : CaseTracker.rebuilt(e.caseId, await this.caseEventsBefore(e, false)).tracker;
      this.remember(tracker);
    }
    if (tracker.inOrder(e)) return tracker.apply(e);
    const rebuilt = CaseTracker.rebuilt(e.caseId, await this.caseEventsBefore(e, true));
    this.trackers.set(e.caseId, rebuilt.tracker);
    return { caseId: e.caseId, deleteFrom: '', insert: rebuilt.versions.map((v) => ({ validFrom: v.validFrom, facts: v.facts })) };
  }

  private async caseEventsBefore(e: StoredEvent, inclusive: boolean): Promise<StoredEvent[]> {
    const all = await this.events.readByCase(e.caseId);
    return all.filter((x) => (inclusive ? x.position <= e.position : x.position < e.position));
  }

  private remember(tracker: CaseTracker): void {
    this.trackers.set(tracker.caseId, tracker);
    if (this.trackers.size > this.maxCases) {
      const oldest = this.trackers.keys().next().value as string;
      this.trackers.delete(oldest);
      this.complete = false;
    }
  }
}
