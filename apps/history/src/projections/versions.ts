import type { StoredEvent } from '@lianban/contracts';
import { iso } from '../moment';
import { encodeFacts, evolveFold, factsOf, initialFoldState, type CaseFacts, type FoldState } from './case-facts';

/**
 * A case's facts as they stood from `validFrom` (inclusive) until `validTo` (exclusive; null:
 * still so). "As of T" means the events that had occurred by T (occurredAt ≤ T, the moment the
 * law counts from, as CaseReader does), so the version valid at T is exactly the fold of those
 * events: as-of statistics read one row per case instead of replaying the store.
 */
export interface FactsVersion {
  caseId: string;
  validFrom: string;
  validTo: string | null;
  facts: CaseFacts;
}

/**
 * How a case's stored versions change: drop those starting at or after `deleteFrom` (null:
 * drop none), then append `insert` (oldest first). The version left last before the insert is
 * closed by the first inserted one, or reopened when nothing is inserted.
 */
export interface VersionChange {
  caseId: string;
  deleteFrom: string | null;
  insert: VersionInsert[];
}

export interface VersionInsert {
  validFrom: string;
  facts: CaseFacts;
  /** `encodeFacts(facts)` when the one who made the change already made it: a store then writes it as it is */
  json?: string;
}

const byTime = (a: StoredEvent, b: StoredEvent) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || a.position - b.position;

/**
 * The reference definition, used to rebuild a case and to check the incremental path: for
 * every distinct moment t at which the case has events, the fold of the events with
 * occurredAt ≤ t in store order; consecutive equal facts collapse into one version.
 */
export function referenceVersions(caseId: string, events: readonly StoredEvent[]): FactsVersion[] {
  const inStoreOrder = [...events].sort((a, b) => a.position - b.position);
  const moments = [...new Set(inStoreOrder.map((e) => iso(e.occurredAt)))].sort();
  const out: FactsVersion[] = [];
  let lastJson: string | null = null;
  for (const t of moments) {
    let s = initialFoldState();
    for (const e of inStoreOrder) if (iso(e.occurredAt) <= t) s = evolveFold(s, e);
    const facts = factsOf(s);
    if (!facts) continue;
    const json = encodeFacts(facts);
    if (json === lastJson) continue;
    if (out.length > 0) out[out.length - 1].validTo = t;
    out.push({ caseId, validFrom: t, validTo: null, facts });
    lastJson = json;
  }
  return out;
}

/**
 * One case followed event by event. Events of a case normally arrive in time order (a command
 * dated before the case's last event is refused), and then each event costs one fold step. An
 * event dated before one already applied (two streams of the case written at nearly the same
 * moment, or a clock header in dev mode) makes the tracker rebuild the case from its events by
 * the reference definition, so the result never depends on the order of arrival.
 */
export class CaseTracker {
  private state: FoldState = initialFoldState();
  private lastJson: string | null = null;
  private lastFrom: string | null = null;
  /** facts of the version before the last, when known: a same-moment change may fall back to it */
  private prevJson: string | null = null;
  private lastAt: string | null = null;

  constructor(readonly caseId: string) {}

  /** a tracker positioned after `events` (the case's events already applied, in store order) */
  static rebuilt(caseId: string, events: readonly StoredEvent[]): { tracker: CaseTracker; versions: FactsVersion[] } {
    const t = new CaseTracker(caseId);
    const versions = referenceVersions(caseId, events);
    const inStoreOrder = [...events].sort((a, b) => a.position - b.position);
    for (const e of inStoreOrder) t.state = evolveFold(t.state, e);
    const sorted = [...events].sort(byTime);
    t.lastAt = sorted.length ? iso(sorted[sorted.length - 1].occurredAt) : null;
    const last = versions[versions.length - 1];
    const prev = versions[versions.length - 2];
    t.lastJson = last ? encodeFacts(last.facts) : null;
    t.lastFrom = last?.validFrom ?? null;
    t.prevJson = prev ? encodeFacts(prev.facts) : null;
    return { tracker: t, versions };
  }

  /** Whether `e` can be applied incrementally (it is not dated before what was applied). */
  inOrder(e: StoredEvent): boolean {
    return this.lastAt === null || iso(e.occurredAt) >= this.lastAt;
  }

  /** Applies an in-order event; answers the change of versions, or null when the facts did not change. */
  apply(e: StoredEvent): VersionChange | null {
    const at = iso(e.occurredAt);
    this.lastAt = this.lastAt === null || at > this.lastAt ? at : this.lastAt;
    this.state = evolveFold(this.state, e);
    const facts = factsOf(this.state);
    if (!facts) return null;
    const json = encodeFacts(facts);
    if (json === this.lastJson) return null;
    if (this.lastFrom === at) {
      // the same moment as the open version: that version never stood on its own
      if (json === this.prevJson) {
        this.lastJson = this.prevJson;
        this.lastFrom = null;
        this.prevJson = null;
        return { caseId: this.caseId, deleteFrom: at, insert: [] };
      }
      this.lastJson = json;
      return { caseId: this.caseId, deleteFrom: at, insert: [{ validFrom: at, facts, json }] };
    }
    this.prevJson = this.lastJson;
    this.lastJson = json;
    this.lastFrom = at;
    return { caseId: this.caseId, deleteFrom: null, insert: [{ validFrom: at, facts, json }] };
  }
}

/** Two changes of one case applied one after the other, as one change. */
export function mergeChanges(a: VersionChange, b: VersionChange): VersionChange {
  const deleteFrom = a.deleteFrom === null ? b.deleteFrom : b.deleteFrom === null ? a.deleteFrom : a.deleteFrom < b.deleteFrom ? a.deleteFrom : b.deleteFrom;
  const kept = b.deleteFrom === null ? a.insert : a.insert.filter((v) => v.validFrom < b.deleteFrom!);
  return { caseId: a.caseId, deleteFrom, insert: [...kept, ...b.insert] };
}

/** Applies a change to a list of versions (oldest first): what every store does. */
export function applyChange(versions: FactsVersion[], change: VersionChange): FactsVersion[] {
  const kept = change.deleteFrom === null ? versions.map((v) => ({ ...v })) : versions.filter((v) => v.validFrom < change.deleteFrom!).map((v) => ({ ...v }));
  const added = change.insert.map((v) => ({ caseId: change.caseId, validFrom: v.validFrom, validTo: null as string | null, facts: v.facts }));
  const all = [...kept, ...added];
  for (let i = 0; i < all.length; i++) all[i].validTo = i + 1 < all.length ? all[i + 1].validFrom : null;
  return all;
}
