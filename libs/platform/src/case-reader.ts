import { Inject, Injectable } from '@nestjs/common';
import type { StoredEvent } from '@lianban/contracts';
import { CaseEventTypes, evolveCaseFile, foldCaseFile, taskForceStreamId, type CaseFile, type TaskForceJoined } from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import { notFound } from './http-errors';
import { EVENT_STORE } from './tokens';

/** How many cases' last reads are kept; only the cases being worked on right now need to be. */
const RECENT_CASES = 128;

interface RecentRead {
  /** the position of the newest event read: the case's head when it was read */
  head: number;
  events: readonly StoredEvent[];
  /** folded on first use; null: no registration among the events */
  file?: CaseFile | null;
}

/**
 * Reads a case straight from the store: always current, optionally as of a past moment.
 *
 * Every read asks the store for the case's head position first (an index lookup) and reuses
 * the events (and their fold) of the last read of that case when the head has not moved: events
 * are only ever appended, at higher positions (DESIGN 2), so an unchanged head means the same
 * events. One request reads a case several times — the policy guard for the scope, the handler,
 * the runner — and each time it is the store that says whether anything changed, so what a
 * decision reads is still everything already acknowledged. When the head moved, only the events
 * after the kept ones are read (readByCaseAfter, where the store has it) and folded on. The events and files handed out are
 * shared between callers: nobody may change them (nobody does; the fold itself copies).
 */
@Injectable()
export class CaseReader {
  private readonly recent = new Map<string, RecentRead>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  private async read(caseId: string): Promise<RecentRead> {
    const head = this.store.caseHead ? await this.store.caseHead(caseId) : null;
    const kept = this.recent.get(caseId);
    if (kept && head !== null && kept.head === head) {
      // least recently used goes first
      this.recent.delete(caseId);
      this.recent.set(caseId, kept);
      return kept;
    }
    let read: RecentRead;
    if (kept && head !== null && head > kept.head && this.store.readByCaseAfter) {
      // only what was appended since: the fold goes on from where it was (a left fold, pure)
      const newer = await this.store.readByCaseAfter(caseId, kept.head);
      let file = kept.file;
      if (file !== undefined) for (const e of newer) file = evolveCaseFile(file, e);
      read = { head: newer.length > 0 ? newer[newer.length - 1].position : kept.head, events: kept.events.concat(newer), file };
    } else {
      const events = await this.store.readByCase(caseId);
      // keyed by what was read, which may be newer than the head asked for a moment ago
      read = { head: events.length > 0 ? events[events.length - 1].position : 0, events };
    }
    const events = read.events;
    this.recent.delete(caseId);
    if (head !== null && events.length > 0) {
      this.recent.set(caseId, read);
      if (this.recent.size > RECENT_CASES) this.recent.delete(this.recent.keys().next().value!);
    }
    return read;
  }

  /** every event of the case, in global order; with `asOf`, only those that had happened by then */
  async events(caseId: string, asOf?: string): Promise<StoredEvent[]> {
    const all = (await this.read(caseId)).events as StoredEvent[];
    if (!asOf) return all;
    const limit = Date.parse(asOf);
    return all.filter((e) => Date.parse(e.occurredAt) <= limit);
  }

  async file(caseId: string, asOf?: string): Promise<{ file: CaseFile; events: StoredEvent[] } | null> {
    if (asOf) {
      const events = await this.events(caseId, asOf);
      const file = foldCaseFile(events);
      return file ? { file, events } : null;
    }
    const read = await this.read(caseId);
    if (read.file === undefined) read.file = foldCaseFile(read.events);
    return read.file ? { file: read.file, events: read.events as StoredEvent[] } : null;
  }

  /**
   * Events that belong to the case's story but live in streams of their own: those of every
   * 工作专班 the case joined (one task force may take up several cases, and its events are
   * written once, in its own stream). Found through the case's own `task-force-joined` links,
   * so as of a moment the case shows a task force only once it had joined it.
   */
  async linkedEvents(caseEvents: readonly StoredEvent[], asOf?: string): Promise<StoredEvent[]> {
    const taskForces = new Set(caseEvents.filter((e) => e.type === CaseEventTypes.TaskForceJoined).map((e) => (e.data as TaskForceJoined['data']).taskForceId));
    const limit = asOf ? Date.parse(asOf) : Infinity;
    const linked: StoredEvent[] = [];
    for (const id of taskForces) {
      for (const e of await this.store.readStream(taskForceStreamId(id))) if (Date.parse(e.occurredAt) <= limit) linked.push(e);
    }
    return linked;
  }

  /**
   * The case's events, or 404 when it has none registered, without folding them: a case file
   * exists exactly when a registration is among its events (the fold is null until then and
   * never null after), so a caller that only needs the events need not pay for the fold.
   */
  async eventsOr404(caseId: string): Promise<StoredEvent[]> {
    const events = await this.events(caseId);
    if (!events.some((e) => e.type === CaseEventTypes.PetitionRegistered)) throw notFound('CASE_NOT_FOUND', `no case ${caseId}`);
    return events;
  }

  /** see EventStore.caseHead; null when the store cannot tell cheaply */
  async caseHead(caseId: string): Promise<number | null> {
    return this.store.caseHead ? this.store.caseHead(caseId) : null;
  }

  async fileOr404(caseId: string, asOf?: string): Promise<{ file: CaseFile; events: StoredEvent[] }> {
    const found = await this.file(caseId, asOf);
    if (!found) throw notFound('CASE_NOT_FOUND', asOf ? `no case ${caseId} as of ${asOf}` : `no case ${caseId}`);
    return found;
  }
}
