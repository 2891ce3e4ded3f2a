import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Actor, NewEvent, Region, StoredEvent } from '@lianban/contracts';

/** An event as the runner appended it: its place in its stream is known, its global position is the store's business. */
export type AppendedEvent = NewEvent & { streamId: string; revision: number };
import { DomainError, taskForceStreamId, type Decider, type DomainEvent } from '@lianban/domain';
import { CaseConflictError, StreamConflictError, type EventStore, type StreamAppend } from '@lianban/eventstore';
import { regionOfAgency } from '@lianban/registry';
import type { LianbanConfig } from './config';
import { keptHere } from './cross-region/home-region';
import { HlcService } from './hlc.service';
import { Metrics } from './metrics';
import { CONFIG, EVENT_STORE } from './tokens';

export interface RunOptions<C extends { at: string }, S, E extends DomainEvent> {
  caseId: string;
  /** the stream the decision appends to */
  streamId: string;
  decider: Decider<C, S, E>;
  command: C;
  actor: Actor;
  /** the agency acting (task streams) */
  agencyId?: string | null;
  /** the command id or the event that caused this command */
  causationId: string;
  /** region for a case not yet stored (registration); otherwise the case's own */
  region?: Region;
  /** event ids to use, for writers that must be able to recognise their own retry */
  eventIds?: string[];
  /**
   * The case's events as the caller just read them (readByCase), to decide the first attempt on
   * instead of reading them again; a conflict retry reads afresh, as without it.
   */
  history?: readonly StoredEvent[];
  /**
   * Appends to other streams written in the same atomic write as the decision's (the store's
   * appendMany, which the caller checked it has). Their refusal is the caller's to handle: it is
   * not decided again.
   */
  alongside?: StreamAppend[];
}

/**
 * How far another region's clock may run ahead of ours before its events stop lifting our
 * commands' time (see CaseCommandRunner.run); beyond it a clock is broken, and the domain's
 * refusal of a command dated before the case's last event stands.
 */
export const CROSS_REGION_MAX_SKEW_MS = 60 * 60_000;

/** How many times a decision is retried when another writer got to the stream first. */
const MAX_ATTEMPTS = 4;

/**
 * The read–decide–append loop. It reads every event of the case from the store (never a
 * projection, so a rule spanning streams sees everything already acknowledged), folds it
 * through the decider, decides, and appends with the stream's revision as expected revision.
 * On a concurrent append it reads again and decides again: the second decision either
 * succeeds on the new state or is refused by a rule (409 with the rule's code).
 */
@Injectable()
export class CaseCommandRunner {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONFIG) private readonly config: LianbanConfig,
    private readonly hlc: HlcService,
    private readonly metrics: Metrics,
  ) {}

  async run<C extends { at: string }, S, E extends DomainEvent>(o: RunOptions<C, S, E>): Promise<AppendedEvent[]> {
    for (let attempt = 1; ; attempt++) {
      const history = attempt === 1 && o.history ? o.history : await this.store.readByCase(o.caseId);
      let state = o.decider.initialState();
      let revision: number | 'no-stream' = 'no-stream';
      let newest: string | null = null;
      let caseHead = 0;
      let foreignNewestAt: string | null = null;
      for (const e of history) {
        if (this.config.crossRegion && e.region !== this.config.region && (foreignNewestAt === null || e.occurredAt > foreignNewestAt)) foreignNewestAt = e.occurredAt;
        if (e.position > caseHead) caseHead = e.position;
        state = o.decider.evolve(state, e);
        if (e.streamId === o.streamId) revision = e.revision;
        if (newest === null || e.hlc > newest) newest = e.hlc;
      }
      // What this decision read may have been stamped by another process whose clock is ahead
      // (another service, the other region): the new events must still sort after it (DESIGN 6).
      if (newest !== null) this.hlc.observe(newest);
      const command = this.liftedPastOtherRegion(o.command, foreignNewestAt);
      let decided: E[];
      try {
        decided = o.decider.decide(command, state);
      } catch (e) {
        this.metrics.decisions.inc({ outcome: 'refused' });
        throw e;
      }
      if (decided.length === 0) return [];
      const region = this.config.crossRegion ? this.crossRegionWriter(o.caseId, o.streamId, history) : (history[0]?.region as Region | undefined) ?? o.region ?? this.config.region;
      const events: NewEvent[] = decided.map((e, i) => ({
        id: o.eventIds?.[i] ?? randomUUID(),
        type: e.type,
        caseId: o.caseId,
        causationId: e.causedBy ?? o.causationId,
        region,
        agencyId: o.agencyId ?? null,
        actor: o.actor,
        occurredAt: command.at,
        hlc: this.hlc.stamp(command.at),
        data: e.data,
      }));
      try {
        // conditional on the whole case, not only this stream: the decision read every stream
        const options = { caseHead: { caseId: o.caseId, position: caseHead } };
        const r = o.alongside
          ? (await this.store.appendMany!([{ streamId: o.streamId, events, expected: revision }, ...o.alongside], options))[0]
          : await this.store.append(o.streamId, events, revision, options);
        this.metrics.decisions.inc({ outcome: 'appended' });
        const first = r.nextExpectedRevision - events.length + 1;
        return events.map((e, i) => ({ ...e, streamId: o.streamId, revision: first + i }));
      } catch (e) {
        // with fixed event ids a plain stream conflict may be our own earlier append (a redelivery):
        // only a moved case is worth deciding again then
        const retryable = e instanceof CaseConflictError || (e instanceof StreamConflictError && !o.eventIds && e.streamId === o.streamId);
        if (retryable && attempt < MAX_ATTEMPTS) {
          this.metrics.decisions.inc({ outcome: 'conflict-retry' });
          continue;
        }
        throw e;
      }
    }
  }

  /**
   * The other region's clock is not ours to correct: when its newest event on the case is dated
   * after this command (its clock runs ahead, by at most CROSS_REGION_MAX_SKEW_MS), the command
   * is dated at that event — the physical part of the hybrid clock — instead of being refused
   * for going back in time. Events of our own region still refuse a command dated before them.
   */
  private liftedPastOtherRegion<C extends { at: string }>(command: C, foreignNewestAt: string | null): C {
    if (foreignNewestAt === null) return command;
    const lag = Date.parse(foreignNewestAt) - Date.parse(command.at);
    if (lag <= 0 || lag > CROSS_REGION_MAX_SKEW_MS) return command;
    return { ...command, at: foreignNewestAt };
  }

  /**
   * DESIGN 6 with two deployments: each stream has one home region, so the two stores never both
   * append to it (each copies the other's events by id and revision). A case's own stream is
   * written where the case was registered; a task stream where its agency sits; a task force's
   * stream where it was formed (its first event's region; the copies keep it). The events are
   * stamped with the writing region, which is what orders two regions' events with the same HLC.
   */
  private crossRegionWriter(caseId: string, streamId: string, history: readonly { streamId: string; region: string }[]): Region {
    const own = this.config.region;
    const registered = history.find((e) => e.streamId === `case-${caseId}`);
    if (streamId === `case-${caseId}` && registered && !keptHere(this.config, registered.region)) {
      throw new DomainError('CASE_OF_OTHER_REGION', `case ${caseId} was registered in region ${registered.region}; its case record is written there (the joint conference and the bureau act through that region)`);
    }
    const taskPrefix = `task-${caseId}-`;
    if (streamId.startsWith(taskPrefix)) {
      const agency = streamId.slice(taskPrefix.length);
      const agencyRegion = regionOfAgency(agency) ?? own;
      if (agencyRegion !== own) {
        throw new DomainError('TASK_OF_OTHER_REGION', `the task of ${agency} is kept by region ${agencyRegion}; act through that region's deployment`);
      }
    }
    if (streamId === taskForceStreamId(caseId) && history.length > 0 && history[0].region !== own) {
      throw new DomainError('TASK_FORCE_OF_OTHER_REGION', `task force ${caseId} was formed in region ${history[0].region}; it is recorded there`);
    }
    return own;
  }
}
