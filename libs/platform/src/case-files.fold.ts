import { evolveCaseFile, type CaseFile, type CaseFileEvent } from '@lianban/domain';

/** Distinct due dates remembered for sharing; past it the pool starts afresh (it only saves memory). */
const MAX_SHARED_DUE_DATES = 50_000;

/**
 * Every case of a region folded into its CaseFile (CaseFilesProjection's memory; no Nest here, so
 * the benchmark's replay child measures exactly this). A process holds one file per case of its
 * region for its whole life, so the files are kept small where that costs nothing:
 *
 * - due dates (`…DueAt` in event data) are end-of-day instants that thousands of cases share, yet
 *   each event's JSON arrives with its own copy of the string; one copy of each is kept;
 * - the empty lists of a new case are one shared frozen array (see the domain's fold).
 *
 * Event times (`occurredAt`) are not shared: they differ from event to event in real use.
 */
export class CaseFileSet {
  private readonly files = new Map<string, CaseFile>();
  private readonly dueDates = new Map<string, string>();

  apply(e: CaseFileEvent): void {
    this.shareDueDates(e.data);
    const next = evolveCaseFile(this.files.get(e.caseId) ?? null, e);
    if (next) this.files.set(e.caseId, next);
  }

  get(caseId: string): CaseFile | undefined {
    return this.files.get(caseId);
  }

  values(): IterableIterator<CaseFile> {
    return this.files.values();
  }

  get size(): number {
    return this.files.size;
  }

  /** Replaces each due date in the event's data (and in its lists, e.g. assigned agencies) with the shared copy. */
  private shareDueDates(data: unknown): void {
    if (data === null || typeof data !== 'object') return;
    const d = data as Record<string, unknown>;
    for (const key in d) {
      const value = d[key];
      if (typeof value === 'string') {
        if (key.endsWith('DueAt')) d[key] = this.sharedDueDate(value);
      } else if (Array.isArray(value)) {
        for (const item of value) this.shareDueDates(item);
      }
    }
  }

  private sharedDueDate(value: string): string {
    const shared = this.dueDates.get(value);
    if (shared !== undefined) return shared;
    if (this.dueDates.size >= MAX_SHARED_DUE_DATES) this.dueDates.clear();
    this.dueDates.set(value, value);
    return value;
  }
}
