import type { GatheringKind, Leader, TaskForceOutcome } from '../shared/vocabulary';
import type { Attendee, TaskForceMember } from './task-force.events';

interface Timed {
  at: string;
}

export interface FormTaskForce extends Timed {
  kind: 'FormTaskForce';
  taskForceId: string;
  name: string;
  purpose: string;
  leader: Leader;
  caseIds: string[];
  members: TaskForceMember[];
  formedBy: string | null;
}

export interface AddMember extends Timed, TaskForceMember {
  kind: 'AddMember';
}

export interface ReleaseMember extends Timed {
  kind: 'ReleaseMember';
  agencyId: string;
  reason: string;
}

export interface SetMilestone extends Timed {
  kind: 'SetMilestone';
  milestoneId: string;
  title: string;
  dueAt: string;
}

export interface CompleteMilestone extends Timed {
  kind: 'CompleteMilestone';
  milestoneId: string;
  note: string;
}

/** a 专题会 or a site visit, recorded after it took place */
export interface RecordGathering extends Timed {
  kind: 'RecordGathering';
  gathering: GatheringKind;
  recordId: string;
  heldAt: string;
  place: string;
  topic: string;
  attendees: Attendee[];
  conclusions: string[];
}

export interface CloseTaskForce extends Timed {
  kind: 'CloseTaskForce';
  outcome: TaskForceOutcome;
  summary: string;
}

export type TaskForceCommand = FormTaskForce | AddMember | ReleaseMember | SetMilestone | CompleteMilestone | RecordGathering | CloseTaskForce;
