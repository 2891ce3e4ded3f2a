import type { Decider } from '../shared/decider';
import { refuse } from '../shared/errors';
import type { Recorded } from '../shared/events';
import { ensureNotBefore, isAfter } from '../shared/time';
import type { GatheringKind, Leader, TaskForceOutcome } from '../shared/vocabulary';
import type {
  AddMember, CloseTaskForce, CompleteMilestone, FormTaskForce, RecordGathering, ReleaseMember, SetMilestone, TaskForceCommand,
} from './task-force.commands';
import { TaskForceEventTypes as F, type GatheringRecord, type TaskForceEvent } from './task-force.events';

export interface MilestoneView {
  milestoneId: string;
  title: string;
  dueAt: string;
  setAt: string;
  completed: { at: string; note: string; late: boolean } | null;
}

export interface TaskForceMemberView {
  agencyId: string;
  duty: string;
  joinedAt: string;
  /** released from the task force (退出专班) */
  released: { at: string; reason: string } | null;
}

/** The task force as its stream tells it: what its rules need, and what its page shows. */
export interface TaskForceView {
  taskForceId: string;
  name: string;
  purpose: string;
  leader: Leader;
  caseIds: string[];
  formedAt: string;
  formedBy: string | null;
  members: TaskForceMemberView[];
  milestones: MilestoneView[];
  gatherings: (GatheringRecord & { kind: GatheringKind; recordedAt: string })[];
  closed: { at: string; outcome: TaskForceOutcome; summary: string; openMilestones: string[] } | null;
  lastEventAt: string;
}

export type TaskForceState = TaskForceView | null;

const activeMember = (s: TaskForceView, agencyId: string) => s.members.find((m) => m.agencyId === agencyId && !m.released);

function requireOpen(s: TaskForceState): TaskForceView {
  if (!s) refuse('TASK_FORCE_NOT_FOUND', 'no such task force');
  if (s.closed) refuse('TASK_FORCE_CLOSED', `the task force was closed at ${s.closed.at} (${s.closed.outcome}); nothing more is recorded on it`);
  return s;
}

function form(c: FormTaskForce, s: TaskForceState): TaskForceEvent[] {
  if (s) refuse('TASK_FORCE_EXISTS', `task force ${c.taskForceId} already exists`);
  if (c.caseIds.length === 0) refuse('NO_CASES', 'a task force takes up at least one case');
  const dupCase = c.caseIds.find((id, i) => c.caseIds.indexOf(id) !== i);
  if (dupCase) refuse('DUPLICATE_CASE', `case ${dupCase} is named twice`);
  const ids = c.members.map((m) => m.agencyId);
  const dupAgency = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dupAgency) refuse('DUPLICATE_AGENCY', `${dupAgency} is named twice among the members`);
  return [{
    type: F.TaskForceFormed,
    data: {
      taskForceId: c.taskForceId, name: c.name, purpose: c.purpose, leader: c.leader, caseIds: c.caseIds, members: c.members, formedBy: c.formedBy,
    },
  }];
}

function addMember(c: AddMember, s: TaskForceView): TaskForceEvent[] {
  if (activeMember(s, c.agencyId)) refuse('ALREADY_A_MEMBER', `${c.agencyId} is already a member of the task force`);
  return [{ type: F.MemberAdded, data: { agencyId: c.agencyId, duty: c.duty } }];
}

function releaseMember(c: ReleaseMember, s: TaskForceView): TaskForceEvent[] {
  if (!activeMember(s, c.agencyId)) refuse('NOT_A_MEMBER', `${c.agencyId} is not a member of the task force`);
  return [{ type: F.MemberReleased, data: { agencyId: c.agencyId, reason: c.reason } }];
}

function setMilestone(c: SetMilestone, s: TaskForceView): TaskForceEvent[] {
  if (!isAfter(c.dueAt, c.at)) refuse('MILESTONE_DUE_IN_PAST', `a milestone is set ahead of its due date; ${c.dueAt} is not after ${c.at}`);
  if (s.milestones.some((m) => m.milestoneId === c.milestoneId)) refuse('MILESTONE_EXISTS', `milestone ${c.milestoneId} already exists`);
  return [{ type: F.MilestoneSet, data: { milestoneId: c.milestoneId, title: c.title, dueAt: c.dueAt } }];
}

function completeMilestone(c: CompleteMilestone, s: TaskForceView): TaskForceEvent[] {
  const m = s.milestones.find((x) => x.milestoneId === c.milestoneId);
  if (!m) refuse('MILESTONE_NOT_FOUND', `no milestone ${c.milestoneId} in this task force`);
  if (m.completed) refuse('MILESTONE_ALREADY_COMPLETED', `milestone ${c.milestoneId} was completed at ${m.completed.at}`);
  return [{ type: F.MilestoneCompleted, data: { milestoneId: m.milestoneId, note: c.note, dueAt: m.dueAt, late: isAfter(c.at, m.dueAt) } }];
}

function recordGathering(c: RecordGathering, s: TaskForceView): TaskForceEvent[] {
  // recorded after the fact, never ahead of it, and only what the task force itself held
  if (isAfter(c.heldAt, c.at)) refuse('HELD_IN_FUTURE', `a ${c.gathering} is recorded after it took place; ${c.heldAt} is after ${c.at}`);
  if (isAfter(s.formedAt, c.heldAt)) refuse('HELD_BEFORE_FORMATION', `the task force was formed at ${s.formedAt}, after ${c.heldAt}`);
  const record: GatheringRecord = {
    recordId: c.recordId, heldAt: c.heldAt, place: c.place, topic: c.topic, attendees: c.attendees, conclusions: c.conclusions,
  };
  return [c.gathering === 'meeting' ? { type: F.MeetingHeld, data: record } : { type: F.SiteVisited, data: record }];
}

function close(c: CloseTaskForce, s: TaskForceView): TaskForceEvent[] {
  const open = s.milestones.filter((m) => !m.completed).map((m) => m.milestoneId);
  // "resolved" is a claim that the task force did what it set out to do
  if (c.outcome === 'resolved' && open.length > 0) {
    refuse('MILESTONES_OPEN', `a task force closed as resolved has met its milestones; ${open.length} still open`, undefined, { openMilestones: open });
  }
  return [{ type: F.TaskForceClosed, data: { outcome: c.outcome, summary: c.summary, openMilestones: open } }];
}

export function decideTaskForce(c: TaskForceCommand, s: TaskForceState): TaskForceEvent[] {
  if (c.kind === 'FormTaskForce') return form(c, s);
  const open = requireOpen(s);
  ensureNotBefore(c.at, open.lastEventAt);
  switch (c.kind) {
    case 'AddMember': return addMember(c, open);
    case 'ReleaseMember': return releaseMember(c, open);
    case 'SetMilestone': return setMilestone(c, open);
    case 'CompleteMilestone': return completeMilestone(c, open);
    case 'RecordGathering': return recordGathering(c, open);
    case 'CloseTaskForce': return close(c, open);
  }
}

export function evolveTaskForce(s: TaskForceState, e: Recorded<TaskForceEvent> | Recorded): TaskForceState {
  const ev = e as Recorded<TaskForceEvent>;
  if (ev.type === F.TaskForceFormed) {
    const d = ev.data;
    return {
      taskForceId: d.taskForceId, name: d.name, purpose: d.purpose, leader: d.leader, caseIds: d.caseIds, formedAt: ev.occurredAt,
      formedBy: d.formedBy, members: d.members.map((m) => ({ ...m, joinedAt: ev.occurredAt, released: null })), milestones: [], gatherings: [],
      closed: null, lastEventAt: ev.occurredAt,
    };
  }
  if (!s) return s;
  const n: TaskForceView = { ...s, lastEventAt: isAfter(ev.occurredAt, s.lastEventAt) ? ev.occurredAt : s.lastEventAt };
  switch (ev.type) {
    case F.MemberAdded:
      return { ...n, members: [...n.members, { agencyId: ev.data.agencyId, duty: ev.data.duty, joinedAt: ev.occurredAt, released: null }] };
    case F.MemberReleased:
      return {
        ...n,
        members: n.members.map((m) => (m.agencyId === ev.data.agencyId && !m.released ? { ...m, released: { at: ev.occurredAt, reason: ev.data.reason } } : m)),
      };
    case F.MilestoneSet:
      return { ...n, milestones: [...n.milestones, { milestoneId: ev.data.milestoneId, title: ev.data.title, dueAt: ev.data.dueAt, setAt: ev.occurredAt, completed: null }] };
    case F.MilestoneCompleted:
      return {
        ...n,
        milestones: n.milestones.map((m) => (m.milestoneId === ev.data.milestoneId
          ? { ...m, completed: { at: ev.occurredAt, note: ev.data.note, late: ev.data.late } } : m)),
      };
    case F.MeetingHeld:
    case F.SiteVisited:
      return { ...n, gatherings: [...n.gatherings, { ...ev.data, kind: ev.type === F.MeetingHeld ? 'meeting' : 'site-visit', recordedAt: ev.occurredAt }] };
    case F.TaskForceClosed:
      return { ...n, closed: { at: ev.occurredAt, outcome: ev.data.outcome, summary: ev.data.summary, openMilestones: ev.data.openMilestones } };
    default:
      return n;
  }
}

export function foldTaskForce(events: Iterable<Recorded>): TaskForceState {
  let s: TaskForceState = null;
  for (const e of events) s = evolveTaskForce(s, e);
  return s;
}

export const taskForceDecider: Decider<TaskForceCommand, TaskForceState, TaskForceEvent> = {
  decide: decideTaskForce,
  evolve: evolveTaskForce,
  initialState: () => null,
};

export const taskForceStreamId = (taskForceId: string) => `taskforce-${taskForceId}`;

export type MilestoneState = 'open' | 'overdue' | 'completed' | 'completed-late' | 'unmet';

/**
 * A milestone as of `at`. A closed task force is judged as of its closing: a milestone it left
 * open is unmet, not overdue for ever after.
 */
export function milestoneStateOf(m: MilestoneView, at: string, closedAt: string | null = null): MilestoneState {
  if (m.completed) return m.completed.late ? 'completed-late' : 'completed';
  if (closedAt && !isAfter(closedAt, at)) return 'unmet';
  return isAfter(at, m.dueAt) ? 'overdue' : 'open';
}

export interface TaskForceProgress {
  status: 'active' | 'closed';
  outcome: TaskForceOutcome | null;
  cases: number;
  members: number;
  milestones: { total: number; completed: number; completedLate: number; overdue: number; open: number; unmet: number };
  /** completed ÷ total; null without milestones */
  completedShare: number | null;
  meetings: number;
  siteVisits: number;
  /** the open milestone due first */
  nextMilestone: { milestoneId: string; title: string; dueAt: string } | null;
  lastActivityAt: string;
}

/** The progress view (进展) of a task force as of `at`. */
export function taskForceProgress(tf: TaskForceView, at: string): TaskForceProgress {
  const closedAt = tf.closed?.at ?? null;
  const states = tf.milestones.map((m) => milestoneStateOf(m, at, closedAt));
  const count = (...which: MilestoneState[]) => states.filter((x) => which.includes(x)).length;
  const completed = count('completed', 'completed-late');
  const pending = tf.milestones.filter((m, i) => states[i] === 'open' || states[i] === 'overdue').sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  return {
    status: tf.closed ? 'closed' : 'active',
    outcome: tf.closed?.outcome ?? null,
    cases: tf.caseIds.length,
    members: tf.members.filter((m) => !m.released).length,
    milestones: {
      total: tf.milestones.length, completed, completedLate: count('completed-late'), overdue: count('overdue'), open: count('open'), unmet: count('unmet'),
    },
    completedShare: tf.milestones.length ? completed / tf.milestones.length : null,
    meetings: tf.gatherings.filter((g) => g.kind === 'meeting').length,
    siteVisits: tf.gatherings.filter((g) => g.kind === 'site-visit').length,
    nextMilestone: pending[0] ? { milestoneId: pending[0].milestoneId, title: pending[0].title, dueAt: pending[0].dueAt } : null,
    lastActivityAt: tf.lastEventAt,
  };
}
