import type { DomainEvent } from '../shared/events';
import type { Leader, TaskForceOutcome } from '../shared/vocabulary';

/**
 * Events of a task-force stream `taskforce-<taskForceId>` (工作专班), written by the
 * coordinator. Their correlation id (the envelope's `caseId`) is the task force's own id: a
 * task force may take up several cases, and its events belong to each case's story, which the
 * case reaches through the `task-force-joined` link on its own stream.
 */
export const TaskForceEventTypes = {
  /** 成立工作专班: a leader who owns the cases (包案), member agencies of any region */
  TaskForceFormed: 'lianban.taskforce.formed.v1',
  MemberAdded: 'lianban.taskforce.member-added.v1',
  MemberReleased: 'lianban.taskforce.member-released.v1',
  /** 节点: a step the task force commits to, with its due date */
  MilestoneSet: 'lianban.taskforce.milestone-set.v1',
  MilestoneCompleted: 'lianban.taskforce.milestone-completed.v1',
  /** 专题会: a dedicated meeting on the matter */
  MeetingHeld: 'lianban.taskforce.meeting-held.v1',
  /** 实地查看: a visit to the site of the matter */
  SiteVisited: 'lianban.taskforce.site-visited.v1',
  /** 专班撤销: closed with its outcome */
  TaskForceClosed: 'lianban.taskforce.closed.v1',
} as const;

export interface TaskForceMember {
  agencyId: string;
  /** what the agency does in the task force (牵头核查, 政策解释…) */
  duty: string;
}

export interface Attendee {
  name: string;
  title: string | null;
  agencyId: string | null;
}

/** what a 专题会 or a site visit records */
export interface GatheringRecord {
  recordId: string;
  /** when it took place; recorded afterwards */
  heldAt: string;
  place: string;
  topic: string;
  attendees: Attendee[];
  /** 会议纪要 / 查看结论: what was found or agreed */
  conclusions: string[];
}

export type TaskForceFormed = DomainEvent<typeof TaskForceEventTypes.TaskForceFormed, {
  taskForceId: string;
  name: string;
  purpose: string;
  leader: Leader;
  caseIds: string[];
  members: TaskForceMember[];
  /** the bureau that formed it */
  formedBy: string | null;
}>;

export type MemberAdded = DomainEvent<typeof TaskForceEventTypes.MemberAdded, TaskForceMember>;
export type MemberReleased = DomainEvent<typeof TaskForceEventTypes.MemberReleased, { agencyId: string; reason: string }>;

export type MilestoneSet = DomainEvent<typeof TaskForceEventTypes.MilestoneSet, {
  milestoneId: string;
  title: string;
  dueAt: string;
}>;

export type MilestoneCompleted = DomainEvent<typeof TaskForceEventTypes.MilestoneCompleted, {
  milestoneId: string;
  note: string;
  dueAt: string;
  /** completed after its due date */
  late: boolean;
}>;

export type MeetingHeld = DomainEvent<typeof TaskForceEventTypes.MeetingHeld, GatheringRecord>;
export type SiteVisited = DomainEvent<typeof TaskForceEventTypes.SiteVisited, GatheringRecord>;

export type TaskForceClosed = DomainEvent<typeof TaskForceEventTypes.TaskForceClosed, {
  outcome: TaskForceOutcome;
  summary: string;
  /** milestones still open when it closed: never met */
  openMilestones: string[];
}>;

export type TaskForceEvent =
  | TaskForceFormed
  | MemberAdded
  | MemberReleased
  | MilestoneSet
  | MilestoneCompleted
  | MeetingHeld
  | SiteVisited
  | TaskForceClosed;
