import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Principal } from '@lianban/auth';
import type { Region, StoredEvent } from '@lianban/contracts';
import {
  addCalendarDays, caseDecider, foldTaskForce, refuse, milestoneStateOf, taskForceDecider, taskForceProgress, taskForceStreamId, type GatheringKind,
  type TaskForceCommand, type TaskForceOutcome, type TaskForceProgress, type TaskForceView,
} from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import {
  badRequest, canReadCase, CaseCommandRunner, CaseFilesProjection, CaseReader, CONFIG, conflict, EVENT_STORE, keptHere, notFound, type LianbanConfig,
} from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { requireActiveAgency } from '../agency-checks';
import { canSeeCoordination, dryRun, idFor } from '../coordination-support';
import { CoordinationDirectory } from '../coordination-directory';
import { TaskForceCaseLinks } from './task-force-links';
import type { FormTaskForceDto, GatheringDto, ListTaskForcesDto } from './task-forces.dto';

export class FormTaskForceCommand {
  constructor(readonly body: FormTaskForceDto, readonly at: string, readonly caller: Principal, readonly idempotencyKey?: string) {}
}

/** What the coordinator records on a task force after its formation: members, milestones, gatherings, closing. */
export type TaskForceAction =
  | { kind: 'AddMember'; agencyId: string; duty?: string }
  | { kind: 'ReleaseMember'; agencyId: string; reason: string }
  | { kind: 'SetMilestone'; title: string; dueDate: string }
  | { kind: 'CompleteMilestone'; milestoneId: string; note: string }
  | { kind: 'RecordGathering'; gathering: GatheringKind; body: GatheringDto }
  | { kind: 'CloseTaskForce'; outcome: TaskForceOutcome; summary: string };

export class ActOnTaskForceCommand {
  constructor(readonly taskForceId: string, readonly action: TaskForceAction, readonly at: string, readonly caller: Principal) {}
}

export class GetTaskForceQuery {
  constructor(readonly taskForceId: string, readonly at: string, readonly caller: Principal) {}
}

export class ListTaskForcesQuery {
  constructor(readonly filter: ListTaskForcesDto, readonly at: string, readonly caller: Principal) {}
}

export interface TaskForceSummary {
  taskForceId: string;
  name: string;
  leader: TaskForceView['leader'] & { divisionName: string | null };
  region: Region;
  formedAt: string;
  caseIds: string[];
  progress: TaskForceProgress;
}

/** Reads one task force from its stream (never a projection), with the region it was formed in. */
async function readTaskForce(store: EventStore, taskForceId: string): Promise<{ view: TaskForceView; region: Region; events: StoredEvent[] } | null> {
  const events = await store.readStream(taskForceStreamId(taskForceId));
  const view = foldTaskForce(events);
  return view ? { view, region: events[0].region, events } : null;
}

const actorOf = (p: Principal) => ({ id: p.sub, role: p.role });

@CommandHandler(FormTaskForceCommand)
export class FormTaskForceHandler implements ICommandHandler<FormTaskForceCommand> {
  constructor(
    private readonly runner: CaseCommandRunner,
    private readonly reader: CaseReader,
    private readonly registry: Registry,
    private readonly links: TaskForceCaseLinks,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONFIG) private readonly config: LianbanConfig,
  ) {}

  async execute({ body, at, caller, idempotencyKey }: FormTaskForceCommand): Promise<{ taskForceId: string; caseIds: string[]; linked: string[] }> {
    const taskForceId = idFor('lianban:taskforce', idempotencyKey, randomUUID);
    const existing = await this.store.readStream(taskForceStreamId(taskForceId));
    if (existing.length > 0) {
      // a retry of the same request: its answer again, and the links it may not have finished;
      // a key someone else's task force was formed under is no retry
      if (existing[0].actor.id !== caller.sub) throw conflict('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for another task force; use a new key');
      return this.answer(taskForceId, existing[0]);
    }

    const divisionCode = body.leader.divisionCode ?? (caller.agency ? this.registry.agency(caller.agency)?.divisionCode : undefined);
    if (!divisionCode || !this.registry.division(divisionCode)) {
      throw badRequest('UNKNOWN_DIVISION', `leader.divisionCode: ${divisionCode ?? '(none)'} is not a division`, [{ field: 'leader.divisionCode', problems: ['unknown division'] }]);
    }
    if (!this.registry.isDivisionActive(divisionCode, at)) {
      const successor = this.registry.division(divisionCode)?.successorCode;
      refuse('DIVISION_NOT_ACTIVE', `${divisionCode} does not exist at ${at}${successor ? `; its successor is ${successor}` : ''}`, undefined, successor ? { successorCode: successor } : undefined);
    }
    const agencyIds = body.agencyIds ?? [];
    agencyIds.forEach((id, i) => requireActiveAgency(this.registry, id, at, `agencyIds[${i}]`));
    const leader = { name: body.leader.name, title: body.leader.title, divisionCode };
    const name = body.name;
    // every case is checked before anything is written: a task force never takes up half its cases
    for (const [i, caseId] of body.caseIds.entries()) {
      const found = await this.reader.file(caseId);
      if (!found || !canReadCase(caller, found.file)) {
        throw badRequest('UNKNOWN_CASE', `caseIds[${i}]: no case ${caseId}`, [{ field: `caseIds[${i}]`, problems: ['unknown case'] }]);
      }
      // the link goes on the case's own stream, which only its home region writes (DESIGN 6)
      if (!keptHere(this.config, found.file.region)) {
        refuse('CASE_OF_OTHER_REGION', `caseIds[${i}]: case ${caseId} was registered in region ${found.file.region}; a task force taking it up is formed there`);
      }
      dryRun(caseDecider, found.events, { kind: 'JoinTaskForce', at, taskForceId, name, leader });
    }
    const [formed] = await this.runner.run({
      caseId: taskForceId, streamId: taskForceStreamId(taskForceId), decider: taskForceDecider, actor: actorOf(caller), agencyId: caller.agency ?? null,
      region: this.config.region, causationId: `request:${idempotencyKey ?? taskForceId}`,
      command: {
        kind: 'FormTaskForce', at, taskForceId, name, purpose: body.purpose ?? '', leader, caseIds: body.caseIds,
        members: agencyIds.map((agencyId) => ({ agencyId, duty: '' })), formedBy: caller.agency ?? null,
      },
    });
    return this.answer(taskForceId, { ...formed, position: 0, recordedAt: at });
  }

  private async answer(taskForceId: string, formed: StoredEvent): Promise<{ taskForceId: string; caseIds: string[]; linked: string[] }> {
    await this.links.linkAll(formed);
    const caseIds = (formed.data as { caseIds: string[] }).caseIds;
    return { taskForceId, caseIds, linked: caseIds };
  }
}

@CommandHandler(ActOnTaskForceCommand)
export class ActOnTaskForceHandler implements ICommandHandler<ActOnTaskForceCommand> {
  constructor(
    private readonly runner: CaseCommandRunner,
    private readonly registry: Registry,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ taskForceId, action, at, caller }: ActOnTaskForceCommand): Promise<Record<string, unknown>> {
    const found = await readTaskForce(this.store, taskForceId);
    if (!found || !canSeeCoordination(caller, found.region, found.view.members.map((m) => m.agencyId))) {
      throw notFound('TASK_FORCE_NOT_FOUND', `no task force ${taskForceId}`);
    }
    let command: TaskForceCommand;
    let answer: Record<string, unknown> = {};
    switch (action.kind) {
      case 'AddMember':
        requireActiveAgency(this.registry, action.agencyId, at);
        command = { kind: 'AddMember', at, agencyId: action.agencyId, duty: action.duty ?? '' };
        answer = { agencyId: action.agencyId };
        break;
      case 'ReleaseMember':
        command = { kind: 'ReleaseMember', at, agencyId: action.agencyId, reason: action.reason };
        answer = { agencyId: action.agencyId };
        break;
      case 'SetMilestone': {
        const milestoneId = randomUUID();
        const dueAt = addCalendarDays(action.dueDate, 0);
        command = { kind: 'SetMilestone', at, milestoneId, title: action.title, dueAt };
        answer = { milestoneId, dueAt };
        break;
      }
      case 'CompleteMilestone':
        command = { kind: 'CompleteMilestone', at, milestoneId: action.milestoneId, note: action.note };
        answer = { milestoneId: action.milestoneId };
        break;
      case 'RecordGathering': {
        const recordId = randomUUID();
        const b = action.body;
        (b.attendees ?? []).forEach((a, i) => {
          if (a.agencyId && !this.registry.agency(a.agencyId)) {
            throw badRequest('UNKNOWN_AGENCY', `attendees[${i}].agencyId: ${a.agencyId} is not an agency in the registry`, [{ field: `attendees[${i}].agencyId`, problems: ['unknown agency'] }]);
          }
        });
        command = {
          kind: 'RecordGathering', at, gathering: action.gathering, recordId, heldAt: new Date(b.heldAt).toISOString(), place: b.place, topic: b.topic,
          attendees: b.attendees.map((a) => ({ name: a.name, title: a.title ?? null, agencyId: a.agencyId ?? null })), conclusions: b.conclusions,
        };
        answer = { recordId };
        break;
      }
      case 'CloseTaskForce':
        command = { kind: 'CloseTaskForce', at, outcome: action.outcome, summary: action.summary };
        break;
    }
    const events = await this.runner.run({
      caseId: taskForceId, streamId: taskForceStreamId(taskForceId), decider: taskForceDecider, actor: actorOf(caller), agencyId: caller.agency ?? null,
      causationId: `request:${randomUUID()}`, command,
    });
    return { taskForceId, ...answer, ...(action.kind === 'CompleteMilestone' || action.kind === 'CloseTaskForce' ? { ...(events[0]?.data as object) } : {}) };
  }
}

@QueryHandler(GetTaskForceQuery)
export class GetTaskForceHandler implements IQueryHandler<GetTaskForceQuery> {
  constructor(
    private readonly registry: Registry,
    private readonly files: CaseFilesProjection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ taskForceId, at, caller }: GetTaskForceQuery) {
    const found = await readTaskForce(this.store, taskForceId);
    if (!found || !canSeeCoordination(caller, found.region, found.view.members.map((m) => m.agencyId))) {
      throw notFound('TASK_FORCE_NOT_FOUND', `no task force ${taskForceId}`);
    }
    const tf = found.view;
    const nameOf = (id: string | null) => (id ? this.registry.agency(id, at)?.name ?? id : null);
    await this.files.catchUp();
    const gathering = (kind: GatheringKind) => tf.gatherings.filter((g) => g.kind === kind).map(({ kind: _k, ...g }) => ({
      ...g, attendees: g.attendees.map((a) => ({ ...a, agencyName: nameOf(a.agencyId) })),
    }));
    return {
      taskForceId: tf.taskForceId, name: tf.name, purpose: tf.purpose, region: found.region,
      leader: { ...tf.leader, divisionName: this.registry.division(tf.leader.divisionCode, at)?.name ?? null },
      formedAt: tf.formedAt, formedBy: tf.formedBy, formedByName: nameOf(tf.formedBy), closed: tf.closed,
      members: tf.members.map((m) => ({ ...m, agencyName: nameOf(m.agencyId) })),
      milestones: tf.milestones.map((m) => ({ ...m, state: milestoneStateOf(m, at, tf.closed?.at ?? null) })),
      meetings: gathering('meeting'),
      siteVisits: gathering('site-visit'),
      // the cases the caller may read, where they stand now
      cases: tf.caseIds.map((id) => this.files.get(id)).filter((f) => !!f && canReadCase(caller, f))
        .map((f) => ({ caseId: f!.caseId, caseNumber: f!.caseNumber, subject: f!.subject, step: f!.step })),
      progress: taskForceProgress(tf, at),
      asOf: at,
    };
  }
}

@QueryHandler(ListTaskForcesQuery)
export class ListTaskForcesHandler implements IQueryHandler<ListTaskForcesQuery> {
  constructor(private readonly directory: CoordinationDirectory, private readonly registry: Registry) {}

  async execute({ filter, at, caller }: ListTaskForcesQuery): Promise<{ asOf: string; total: number; items: TaskForceSummary[] }> {
    const items = (await this.directory.allTaskForces())
      .filter(({ view, region }) => canSeeCoordination(caller, region, view.members.map((m) => m.agencyId)))
      .filter(({ view }) => !filter.status || (filter.status === 'closed') === !!view.closed)
      .filter(({ view }) => !filter.leader || view.leader.name === filter.leader)
      .filter(({ view }) => !filter.caseId || view.caseIds.includes(filter.caseId))
      .map(({ view, region }) => ({
        taskForceId: view.taskForceId, name: view.name, region, formedAt: view.formedAt, caseIds: view.caseIds,
        leader: { ...view.leader, divisionName: this.registry.division(view.leader.divisionCode, at)?.name ?? null },
        progress: taskForceProgress(view, at),
      }))
      // the ones that need attention first: active with overdue milestones, then the latest formed
      .sort((a, b) => Number(a.progress.status === 'closed') - Number(b.progress.status === 'closed')
        || b.progress.milestones.overdue - a.progress.milestones.overdue || b.formedAt.localeCompare(a.formedAt));
    return { asOf: at, total: items.length, items };
  }
}
