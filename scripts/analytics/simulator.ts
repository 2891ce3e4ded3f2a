import type { Actor, NewEvent, Region } from '@lianban/contracts';
import {
  appealDecider,
  caseDecider,
  fold,
  taskDecider,
  taskStreamId,
  type AppealCommand,
  type CaseCommand,
  type CaseState,
  type DomainEvent,
  type TaskCommand,
} from '@lianban/domain';

/** An event the simulator decided, with the stream it goes to (hlc is stamped when the year is put in order). */
export interface SimEvent extends NewEvent {
  streamId: string;
}

/**
 * One case driven through the real deciders of libs/domain, without HTTP or a store: each
 * command is decided on the fold of the case's events so far, exactly as the services'
 * read–decide–append loop does, so a synthetic case obeys every rule a real one does (a
 * command the rules refuse throws DomainError here too).
 */
export class CaseSimulator {
  readonly events: SimEvent[] = [];

  constructor(
    readonly caseId: string,
    readonly region: Region,
    private readonly newId: () => string,
  ) {}

  /** a command on the case stream (bureau side) */
  onCase(command: CaseCommand, actor: Actor, causationId: string | null = null): SimEvent[] {
    const decided = caseDecider.decide(command, fold(caseDecider, this.events));
    return this.push(`case-${this.caseId}`, decided, command.at, actor, null, causationId);
  }

  /** a command on one agency's task stream */
  onTask(agencyId: string, command: TaskCommand, actor: Actor, causationId: string | null = null): SimEvent[] {
    const decider = taskDecider(agencyId);
    const decided = decider.decide(command, fold(decider, this.events));
    return this.push(taskStreamId(this.caseId, agencyId), decided, command.at, actor, agencyId, causationId);
  }

  /** a reviewing agency's command on an appeal (复查 / 复核), in its own task stream */
  onAppeal(agencyId: string, command: AppealCommand, actor: Actor, causationId: string | null = null): SimEvent[] {
    const decider = appealDecider(agencyId);
    const decided = decider.decide(command, fold(decider, this.events));
    return this.push(taskStreamId(this.caseId, agencyId), decided, command.at, actor, agencyId, causationId);
  }

  /** the case as the bureau's decider sees it now */
  caseState(): CaseState {
    return fold(caseDecider, this.events);
  }

  /** an event written by a service outside any decider (the case-number allocation) */
  raw(streamId: string, type: string, data: unknown, at: string, actor: Actor): SimEvent {
    const e: SimEvent = {
      id: this.newId(), type, caseId: this.caseId, causationId: null, region: this.region, agencyId: null,
      actor, occurredAt: at, hlc: '', data, streamId,
    };
    this.events.push(e);
    return e;
  }

  get lastAt(): string | null {
    return this.events.length ? this.events[this.events.length - 1].occurredAt : null;
  }

  private push(streamId: string, decided: DomainEvent[], at: string, actor: Actor, agencyId: string | null, causationId: string | null): SimEvent[] {
    const out = decided.map((d): SimEvent => ({
      id: this.newId(),
      type: d.type,
      caseId: this.caseId,
      causationId: d.causedBy ?? causationId ?? `command:${this.newId()}`,
      region: this.region,
      agencyId,
      actor,
      occurredAt: at,
      hlc: '',
      data: d.data,
      streamId,
    }));
    this.events.push(...out);
    return out;
  }
}
