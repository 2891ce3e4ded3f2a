import { Inject, Injectable } from '@nestjs/common';
import type { StoredEvent } from '@lianban/contracts';
import { CaseEventTypes, foldCaseFile, taskForceStreamId, type CaseFile, type TaskForceJoined } from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import { notFound } from './http-errors';
import { EVENT_STORE } from './tokens';

/** Reads a case straight from the store: always current, optionally as of a past moment. */
@Injectable()
export class CaseReader {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** every event of the case, in global order; with `asOf`, only those that had happened by then */
  async events(caseId: string, asOf?: string): Promise<StoredEvent[]> {
    const all = await this.store.readByCase(caseId);
    if (!asOf) return all;
    const limit = Date.parse(asOf);
    return all.filter((e) => Date.parse(e.occurredAt) <= limit);
  }

  async file(caseId: string, asOf?: string): Promise<{ file: CaseFile; events: StoredEvent[] } | null> {
    const events = await this.events(caseId, asOf);
    const file = foldCaseFile(events);
    return file ? { file, events } : null;
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
    const events = await this.store.readByCase(caseId);
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
