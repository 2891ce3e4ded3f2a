import { addCalendarDays, addWorkingDays, localDate } from '../calendar';
import { CaseEventTypes, type CaseEvent } from '../case/case.events';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/errors';
import type { Recorded } from '../shared/events';
import { ensureNotBefore, isAfter } from '../shared/time';
import { LIMITS, type AssignmentMode, type TaskRole } from '../shared/vocabulary';
import type {
  AcceptTask, AnswerSupervision, ExtendHandlingLimit, IssueReply, RecordHandlingAction, ReturnTask, SubmitOpinion, TaskCommand,
} from './task.commands';
import { TaskEventTypes as T, type TaskEvent } from './task.events';

export type TaskStatus = 'assigned' | 'accepted' | 'opinion-submitted' | 'replied' | 'released' | 'returned' | 'transferred';

/** One agency's task on the case. */
export interface AgencyTask {
  role: TaskRole;
  status: TaskStatus;
  assignedAt: string;
  acknowledgeDueAt: string;
  /** Art. 23: end of the 5 工作日 return window */
  returnDueAt: string;
  /** the assignment event that gave this agency its task: the cause of its acceptance */
  assignmentEventId: string | null;
  acceptedAt: string | null;
  handleDueAt: string | null;
  /** Art. 34: extended once already */
  extended: boolean;
  /** set when the task passed to a successor agency */
  transferredTo: string | null;
}

/**
 * One agency's task, decided against every task of the case. It is folded from every event of
 * the case: the task streams of all agencies, and the assignment, disputes, supervision and
 * transfers on the case stream — read from the region's store, so the lead never decides on a
 * lagging view of its co-handlers (DESIGN 3.1). Every agency's task is kept (not only the
 * deciding one's) because a successor inherits its predecessor's task whole (Art. 24).
 */
export interface TaskState {
  agencyId: string;
  mode: AssignmentMode | null;
  tasks: Record<string, AgencyTask>;
  openDisputeId: string | null;
  supervisions: Record<string, { agencyId: string; answerDueAt: string; answered: boolean }>;
  caseAnswered: boolean;
  concluded: boolean;
  lastEventAt: string | null;
}

export function initialTaskState(agencyId: string): TaskState {
  return { agencyId, mode: null, tasks: {}, openDisputeId: null, supervisions: {}, caseAnswered: false, concluded: false, lastEventAt: null };
}

function requireAssigned(s: TaskState): AgencyTask {
  const t = s.tasks[s.agencyId];
  if (!t) refuse('TASK_NOT_ASSIGNED', `${s.agencyId} holds no task on this case`);
  if (t.status === 'released') refuse('TASK_RELEASED', `${s.agencyId} was released from this case`);
  if (t.status === 'returned') refuse('TASK_RETURNED', `${s.agencyId} returned this case to the bureau`, 'Art. 23');
  if (t.status === 'transferred') {
    refuse('TASK_TRANSFERRED', `${s.agencyId} no longer exists; its task passed to ${t.transferredTo}`, 'Art. 24', { successorId: t.transferredTo });
  }
  if (s.concluded) refuse('CASE_CONCLUDED', 'the matter was concluded (终结); nothing more is done on it', 'Art. 36');
  return t;
}

function requireOpen(s: TaskState): AgencyTask {
  const t = requireAssigned(s);
  if (t.status === 'assigned') refuse('TASK_NOT_ACCEPTED', 'accept the task (受理) before working on it', 'Art. 23');
  if (t.status === 'replied' || s.caseAnswered) refuse('TASK_CLOSED', 'the case has been answered; the task is closed', 'Art. 32');
  return t;
}

function accept(c: AcceptTask, s: TaskState): TaskEvent[] {
  const t = requireAssigned(s);
  if (t.status !== 'assigned') refuse('TASK_ALREADY_ACCEPTED', `the task was accepted at ${t.acceptedAt}`);
  // A late acknowledgement is still made — the law wants the petitioner told — but it is
  // recorded as late so 及时受理率 counts it.
  return [{
    type: T.TaskAccepted,
    ...(t.assignmentEventId ? { causedBy: t.assignmentEventId } : {}),
    data: {
      acknowledgedInTime: !isAfter(c.at, t.acknowledgeDueAt),
      acknowledgeDueAt: t.acknowledgeDueAt,
      handleDueAt: addCalendarDays(c.at, LIMITS.handleDays),
    },
  }];
}

function recordAction(c: RecordHandlingAction, s: TaskState): TaskEvent[] {
  requireOpen(s);
  return [{ type: T.HandlingActionRecorded, data: { kind: c.action, note: c.note } }];
}

function submitOpinion(c: SubmitOpinion, s: TaskState): TaskEvent[] {
  const t = requireAssigned(s);
  if (t.role !== 'co') refuse('NOT_A_CO_HANDLER', 'only a co-handling agency (协办) submits an opinion; the lead replies', 'Art. 24');
  if (t.status === 'opinion-submitted') refuse('OPINION_ALREADY_SUBMITTED', 'this agency has already submitted its opinion', 'Art. 24');
  requireOpen(s);
  return [{ type: T.OpinionSubmitted, data: { text: c.text } }];
}

function issueReply(c: IssueReply, s: TaskState): TaskEvent[] {
  const t = requireAssigned(s);
  if (t.role !== 'lead') refuse('NOT_THE_LEAD', 'only the lead agency (主办) issues the reply', 'Art. 24');
  if (t.status === 'replied') refuse('ALREADY_REPLIED', 'the lead has already replied', 'Art. 32');
  requireOpen(s);
  if (s.openDisputeId) {
    refuse('DISPUTE_OPEN', `competence is in dispute (${s.openDisputeId}); the reply waits for the decision`, 'Art. 24', { disputeId: s.openDisputeId });
  }
  const pending = Object.entries(s.tasks).filter(([, h]) => h.role === 'co' && (h.status === 'assigned' || h.status === 'accepted')).map(([id]) => id);
  if (pending.length > 0) {
    refuse(
      'CO_HANDLER_OPINIONS_PENDING',
      `every co-handler must submit its opinion or be released before the lead replies; waiting for ${pending.join(', ')}`,
      'Art. 24',
      { pending },
    );
  }
  const report = c.completionReport?.trim();
  if (s.mode === 'assign' && !report) {
    refuse('COMPLETION_REPORT_REQUIRED', 'the matter was 交办 (assigned): the lead reports the result to the bureau with a 办结报告', 'Art. 22');
  }
  const reply: TaskEvent = {
    type: T.ReplyIssued,
    data: { outcome: c.outcome, text: c.text, withinLimit: !isAfter(c.at, t.handleDueAt!), handleDueAt: t.handleDueAt! },
  };
  return report ? [reply, { type: T.CompletionReportFiled, data: { text: report, outcome: c.outcome } }] : [reply];
}

function returnTask(c: ReturnTask, s: TaskState): TaskEvent[] {
  const t = requireAssigned(s);
  if (t.status !== 'assigned') refuse('TASK_ALREADY_ACCEPTED', 'an accepted task is not returned: the agency has taken the matter on', 'Art. 23');
  if (isAfter(c.at, t.returnDueAt)) {
    refuse(
      'RETURN_WINDOW_CLOSED',
      `a task is returned within 5 工作日 of receipt; the window closed at the end of ${localDate(t.returnDueAt)}`,
      'Art. 23',
      { returnDueAt: t.returnDueAt },
    );
  }
  return [{ type: T.TaskReturned, data: { reason: c.reason, returnDueAt: t.returnDueAt } }];
}

function extend(c: ExtendHandlingLimit, s: TaskState): TaskEvent[] {
  const t = requireOpen(s);
  if (t.status === 'opinion-submitted') refuse('TASK_CLOSED', 'this agency has submitted its opinion; its handling is done', 'Art. 34');
  if (t.extended) refuse('EXTENSION_ALREADY_GRANTED', 'the handling limit is extended once only', 'Art. 34');
  if (!Number.isInteger(c.days) || c.days < 1 || c.days > LIMITS.extensionMaxDays) {
    refuse('EXTENSION_TOO_LONG', `an extension is 1 to ${LIMITS.extensionMaxDays} 日; ${c.days} was asked`, 'Art. 34', { maxDays: LIMITS.extensionMaxDays });
  }
  const previousDueAt = t.handleDueAt!;
  if (isAfter(c.at, previousDueAt)) {
    refuse('HANDLING_LIMIT_PASSED', `the handling limit passed at ${previousDueAt}; a limit is extended before it runs out`, 'Art. 34', { handleDueAt: previousDueAt });
  }
  const handleDueAt = addCalendarDays(previousDueAt, c.days);
  return [{
    type: T.HandlingExtended,
    data: {
      days: c.days, reason: c.reason, previousDueAt, handleDueAt, approvedBy: c.approvedBy,
      petitionerNotice: `因${c.reason}，经本机关负责人批准，办理期限延长${c.days}日，至${localDate(handleDueAt)}。`,
    },
  }];
}

function answerSupervision(c: AnswerSupervision, s: TaskState): TaskEvent[] {
  const sup = s.supervisions[c.supervisionId];
  if (!sup) refuse('SUPERVISION_NOT_FOUND', `no supervision ${c.supervisionId} on this case`);
  if (sup.agencyId !== s.agencyId) refuse('NOT_SUPERVISED_AGENCY', `supervision ${c.supervisionId} is addressed to ${sup.agencyId}`, 'Art. 40');
  if (sup.answered) refuse('SUPERVISION_ALREADY_ANSWERED', 'this supervision has its written answer', 'Art. 40');
  return [{
    type: T.SupervisionAnswered,
    data: { supervisionId: c.supervisionId, text: c.text, answerDueAt: sup.answerDueAt, withinLimit: !isAfter(c.at, sup.answerDueAt) },
  }];
}

export function decideTask(c: TaskCommand, s: TaskState): TaskEvent[] {
  ensureNotBefore(c.at, s.lastEventAt);
  switch (c.kind) {
    case 'AcceptTask': return accept(c, s);
    case 'RecordHandlingAction': return recordAction(c, s);
    case 'SubmitOpinion': return submitOpinion(c, s);
    case 'IssueReply': return issueReply(c, s);
    case 'ReturnTask': return returnTask(c, s);
    case 'ExtendHandlingLimit': return extend(c, s);
    case 'AnswerSupervision': return answerSupervision(c, s);
  }
}

function patch(s: TaskState, agencyId: string | null | undefined, p: Partial<AgencyTask>): TaskState['tasks'] {
  if (!agencyId || !s.tasks[agencyId]) return s.tasks;
  return { ...s.tasks, [agencyId]: { ...s.tasks[agencyId], ...p } };
}

export function evolveTask(s: TaskState, e: Recorded): TaskState {
  const next: TaskState = { ...s, lastEventAt: s.lastEventAt === null || isAfter(e.occurredAt, s.lastEventAt) ? e.occurredAt : s.lastEventAt };
  const ev = e as Recorded<CaseEvent | TaskEvent>;
  switch (ev.type) {
    case CaseEventTypes.AgenciesAssigned: {
      const tasks = { ...s.tasks };
      for (const a of ev.data.agencies) {
        tasks[a.agencyId] = {
          role: a.role, status: 'assigned', assignedAt: ev.occurredAt, acknowledgeDueAt: a.acknowledgeDueAt,
          returnDueAt: a.returnDueAt ?? addWorkingDays(ev.occurredAt, LIMITS.returnWorkingDays),
          assignmentEventId: ev.id ?? null, acceptedAt: null, handleDueAt: null, extended: false, transferredTo: null,
        };
      }
      return { ...next, mode: ev.data.mode, tasks };
    }
    case CaseEventTypes.CoHandlerReleased:
      return { ...next, tasks: patch(s, ev.data.agencyId, { status: 'released' }) };
    case CaseEventTypes.DisputeRaised:
      return { ...next, openDisputeId: ev.data.disputeId };
    case CaseEventTypes.DisputeDecided: {
      let tasks = s.tasks;
      for (const id of ev.data.relieved) tasks = patch({ ...s, tasks }, id, { status: 'released' });
      return { ...next, tasks, openDisputeId: null };
    }
    case CaseEventTypes.CaseAnswered:
      return { ...next, caseAnswered: true };
    case CaseEventTypes.CaseConcluded:
      return { ...next, concluded: true };
    case CaseEventTypes.SupervisionIssued:
      return {
        ...next,
        supervisions: { ...s.supervisions, [ev.data.supervisionId]: { agencyId: ev.data.agencyId, answerDueAt: ev.data.answerDueAt, answered: false } },
      };
    case CaseEventTypes.TaskTransferred: {
      const { fromAgencyId: from, toAgencyId: to } = ev.data;
      const old = s.tasks[from];
      if (!old) return next;
      const held = s.tasks[to];
      const inherited = held && ['assigned', 'accepted', 'opinion-submitted', 'replied'].includes(held.status)
        ? { ...held, role: old.role === 'lead' ? 'lead' as const : held.role }
        : { ...old, transferredTo: null };
      const supervisions = Object.fromEntries(Object.entries(s.supervisions).map(([id, x]) => [id, x.agencyId === from && !x.answered ? { ...x, agencyId: to } : x]));
      return { ...next, supervisions, tasks: { ...s.tasks, [from]: { ...old, status: 'transferred', transferredTo: to }, [to]: inherited } };
    }
    case T.TaskAccepted:
      return { ...next, tasks: patch(s, e.agencyId, { status: 'accepted', acceptedAt: ev.occurredAt, handleDueAt: ev.data.handleDueAt }) };
    case T.OpinionSubmitted:
      return { ...next, tasks: patch(s, e.agencyId, { status: 'opinion-submitted' }) };
    case T.ReplyIssued:
      return { ...next, tasks: patch(s, e.agencyId, { status: 'replied' }) };
    case T.TaskReturned:
      return { ...next, tasks: patch(s, e.agencyId, { status: 'returned' }) };
    case T.HandlingExtended:
      return { ...next, tasks: patch(s, e.agencyId, { handleDueAt: ev.data.handleDueAt, extended: true }) };
    case T.SupervisionAnswered: {
      const sup = s.supervisions[ev.data.supervisionId];
      return sup ? { ...next, supervisions: { ...s.supervisions, [ev.data.supervisionId]: { ...sup, answered: true } } } : next;
    }
    default:
      return next;
  }
}

export function taskDecider(agencyId: string): Decider<TaskCommand, TaskState, TaskEvent> {
  return { decide: decideTask, evolve: evolveTask, initialState: () => initialTaskState(agencyId) };
}

export function taskStreamId(caseId: string, agencyId: string): string {
  return `task-${caseId}-${agencyId}`;
}
