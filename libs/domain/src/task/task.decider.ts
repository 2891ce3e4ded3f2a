import { addCalendarDays } from '../calendar';
import { CaseEventTypes, type CaseEvent } from '../case/case.events';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/errors';
import type { Recorded } from '../shared/events';
import { ensureNotBefore, isAfter } from '../shared/time';
import { LIMITS, type AssignmentMode, type TaskRole } from '../shared/vocabulary';
import type { AcceptTask, IssueReply, RecordHandlingAction, SubmitOpinion, TaskCommand } from './task.commands';
import { TaskEventTypes as T, type TaskEvent } from './task.events';

/**
 * One agency's task on one case. It is folded from every event of the case: its own task
 * stream, the assignment on the case stream, and — for the lead — its co-handlers' streams,
 * read from the region's store so the lead never decides on a lagging view (DESIGN 3.1).
 */
export interface TaskState {
  agencyId: string;
  status: 'unassigned' | 'assigned' | 'accepted' | 'opinion-submitted' | 'replied' | 'released';
  role: TaskRole | null;
  mode: AssignmentMode | null;
  assignedAt: string | null;
  acknowledgeDueAt: string | null;
  /** the assignment event that gave this agency its task: the cause of its acceptance */
  assignmentEventId: string | null;
  acceptedAt: string | null;
  handleDueAt: string | null;
  /** for the lead: where each co-handler stands */
  coHandlers: Record<string, { accepted: boolean; opinion: boolean; released: boolean }>;
  caseAnswered: boolean;
  lastEventAt: string | null;
}

export function initialTaskState(agencyId: string): TaskState {
  return {
    agencyId, status: 'unassigned', role: null, mode: null, assignedAt: null, acknowledgeDueAt: null, assignmentEventId: null,
    acceptedAt: null, handleDueAt: null, coHandlers: {}, caseAnswered: false, lastEventAt: null,
  };
}

function requireAssigned(s: TaskState): void {
  if (s.status === 'unassigned') refuse('TASK_NOT_ASSIGNED', `${s.agencyId} holds no task on this case`);
  if (s.status === 'released') refuse('TASK_RELEASED', `${s.agencyId} was released from this case`);
}

function requireOpen(s: TaskState): void {
  requireAssigned(s);
  if (s.status === 'assigned') refuse('TASK_NOT_ACCEPTED', 'accept the task (受理) before working on it', 'Art. 23');
  if (s.status === 'replied' || s.caseAnswered) refuse('TASK_CLOSED', 'the case has been answered; the task is closed', 'Art. 32');
}

function accept(c: AcceptTask, s: TaskState): TaskEvent[] {
  requireAssigned(s);
  if (s.status !== 'assigned') refuse('TASK_ALREADY_ACCEPTED', `the task was accepted at ${s.acceptedAt}`);
  // A late acknowledgement is still made — the law wants the petitioner told — but it is
  // recorded as late so 及时受理率 counts it.
  const acknowledgeDueAt = s.acknowledgeDueAt!;
  return [{
    type: T.TaskAccepted,
    ...(s.assignmentEventId ? { causedBy: s.assignmentEventId } : {}),
    data: {
      acknowledgedInTime: !isAfter(c.at, acknowledgeDueAt),
      acknowledgeDueAt,
      handleDueAt: addCalendarDays(c.at, LIMITS.handleDays),
    },
  }];
}

function recordAction(c: RecordHandlingAction, s: TaskState): TaskEvent[] {
  requireOpen(s);
  return [{ type: T.HandlingActionRecorded, data: { kind: c.action, note: c.note } }];
}

function submitOpinion(c: SubmitOpinion, s: TaskState): TaskEvent[] {
  requireAssigned(s);
  if (s.role !== 'co') refuse('NOT_A_CO_HANDLER', 'only a co-handling agency (协办) submits an opinion; the lead replies', 'Art. 24');
  if (s.status === 'opinion-submitted') refuse('OPINION_ALREADY_SUBMITTED', 'this agency has already submitted its opinion', 'Art. 24');
  requireOpen(s);
  return [{ type: T.OpinionSubmitted, data: { text: c.text } }];
}

function issueReply(c: IssueReply, s: TaskState): TaskEvent[] {
  requireAssigned(s);
  if (s.role !== 'lead') refuse('NOT_THE_LEAD', 'only the lead agency (主办) issues the reply', 'Art. 24');
  if (s.status === 'replied') refuse('ALREADY_REPLIED', 'the lead has already replied', 'Art. 32');
  requireOpen(s);
  const pending = Object.entries(s.coHandlers).filter(([, h]) => !h.opinion && !h.released).map(([id]) => id);
  if (pending.length > 0) {
    refuse(
      'CO_HANDLER_OPINIONS_PENDING',
      `every co-handler must submit its opinion or be released before the lead replies; waiting for ${pending.join(', ')}`,
      'Art. 24',
      { pending },
    );
  }
  return [{
    type: T.ReplyIssued,
    data: { outcome: c.outcome, text: c.text, withinLimit: !isAfter(c.at, s.handleDueAt!), handleDueAt: s.handleDueAt! },
  }];
}

export function decideTask(c: TaskCommand, s: TaskState): TaskEvent[] {
  ensureNotBefore(c.at, s.lastEventAt);
  switch (c.kind) {
    case 'AcceptTask': return accept(c, s);
    case 'RecordHandlingAction': return recordAction(c, s);
    case 'SubmitOpinion': return submitOpinion(c, s);
    case 'IssueReply': return issueReply(c, s);
  }
}

export function evolveTask(s: TaskState, e: Recorded): TaskState {
  const next: TaskState = { ...s, lastEventAt: s.lastEventAt === null || isAfter(e.occurredAt, s.lastEventAt) ? e.occurredAt : s.lastEventAt };
  const own = e.agencyId === s.agencyId;
  const ev = e as Recorded<CaseEvent | TaskEvent>;
  switch (ev.type) {
    case CaseEventTypes.AgenciesAssigned: {
      const coHandlers = { ...s.coHandlers };
      let mine = next;
      for (const a of ev.data.agencies) {
        if (a.agencyId === s.agencyId) {
          mine = {
            ...mine, status: 'assigned', role: a.role, mode: ev.data.mode, assignedAt: ev.occurredAt,
            acknowledgeDueAt: a.acknowledgeDueAt, assignmentEventId: ev.id ?? null,
          };
        } else if (a.role === 'co') {
          coHandlers[a.agencyId] = { accepted: false, opinion: false, released: false };
        }
      }
      return { ...mine, coHandlers };
    }
    case CaseEventTypes.CoHandlerReleased:
      if (ev.data.agencyId === s.agencyId) return { ...next, status: 'released' };
      if (!s.coHandlers[ev.data.agencyId]) return next;
      return { ...next, coHandlers: { ...s.coHandlers, [ev.data.agencyId]: { ...s.coHandlers[ev.data.agencyId], released: true } } };
    case CaseEventTypes.CaseAnswered:
      return { ...next, caseAnswered: true };
    case T.TaskAccepted:
      if (own) return { ...next, status: 'accepted', acceptedAt: ev.occurredAt, handleDueAt: ev.data.handleDueAt };
      return withCoHandler(next, e.agencyId, { accepted: true });
    case T.OpinionSubmitted:
      if (own) return { ...next, status: 'opinion-submitted' };
      return withCoHandler(next, e.agencyId, { opinion: true });
    case T.ReplyIssued:
      return own ? { ...next, status: 'replied' } : next;
    default:
      return next;
  }
}

function withCoHandler(s: TaskState, agencyId: string | null | undefined, patch: Partial<TaskState['coHandlers'][string]>): TaskState {
  if (!agencyId || !s.coHandlers[agencyId]) return s;
  return { ...s, coHandlers: { ...s.coHandlers, [agencyId]: { ...s.coHandlers[agencyId], ...patch } } };
}

export function taskDecider(agencyId: string): Decider<TaskCommand, TaskState, TaskEvent> {
  return { decide: decideTask, evolve: evolveTask, initialState: () => initialTaskState(agencyId) };
}

export function taskStreamId(caseId: string, agencyId: string): string {
  return `task-${caseId}-${agencyId}`;
}
