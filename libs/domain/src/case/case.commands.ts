import type { AppealKind, AssignmentMode, Channel, DemandClass, Leader, Rating, ReplyOutcome, Route, TaskRole } from '../shared/vocabulary';
import type { ReceptionRecord, RepeatSubmission, SealedPetitioner } from './case.events';

/** Every command carries the moment it is decided at; deciders never read a clock. */
interface Timed {
  at: string;
}

export interface RegisterPetition extends Timed {
  kind: 'RegisterPetition';
  caseNumber: string;
  channel: Channel;
  petitioner: SealedPetitioner;
  regionCode: string;
  subject: string;
  content: string;
  demandClass?: DemandClass | null;
  matterOccurredAt?: string | null;
  petitionerKeys?: string[];
  /** a visit received at a leader reception, with the leader who received it */
  reception?: ReceptionRecord | null;
}

export interface ClassifyPetition extends Timed {
  kind: 'ClassifyPetition';
  demandClass: DemandClass;
  category: string;
  route: Route;
  /** for a route out of the petition track: what the petitioner is told (Art. 31) */
  guidance?: string | null;
  /** the 政法委 / 纪委监委 of the level, as the registry names it for the case's division */
  routedToAgencyId?: string | null;
}

export interface AssignAgencies extends Timed {
  kind: 'AssignAgencies';
  mode: AssignmentMode;
  agencies: { agencyId: string; role: TaskRole }[];
}

export interface ReleaseCoHandler extends Timed {
  kind: 'ReleaseCoHandler';
  agencyId: string;
  reason: string;
}

/** issued by the coordinator's process manager when the lead's reply arrives */
export interface RecordCaseAnswered extends Timed {
  kind: 'RecordCaseAnswered';
  leadAgencyId: string;
  outcome: ReplyOutcome;
  text: string;
  replyEventId: string;
  repliedAt?: string;
}

export interface RateReply extends Timed {
  kind: 'RateReply';
  rating: Rating;
  comment?: string | null;
}

/** a petition from the same petitioner on the same matter, found by intake (Art. 19, 36) */
export interface RecordRepeatPetition extends Timed, RepeatSubmission {
  kind: 'RecordRepeatPetition';
  level: 'same' | 'higher';
}

export interface RaiseDispute extends Timed {
  kind: 'RaiseDispute';
  disputeId: string;
  raisedBy: string;
  /** the other agencies of the dispute (the raiser is added first) */
  otherParties: string[];
  reason: string;
  /** from the registry: the common superior's bureau, or the joint conference */
  deciderId: string;
  deciderKind: 'division' | 'joint-conference';
  divisionCode: string | null;
}

export interface DecideDispute extends Timed {
  kind: 'DecideDispute';
  disputeId: string;
  /** the decider the caller acts for */
  actingFor: string;
  agencyId: string;
}

export interface IssueSupervision extends Timed {
  kind: 'IssueSupervision';
  supervisionId: string;
  agencyId: string;
  reason: string;
  /** the bureau that supervises: the caller's own */
  supervisorId?: string | null;
  /** days allowed for the written answer (configured; LIMITS.supervisionAnswerDays by default) */
  answerDays?: number;
}

export interface RequestAppeal extends Timed {
  kind: 'RequestAppeal';
  appealId: string;
  appealKind: AppealKind;
  reason: string;
  /** one level above the appealed agency, from the registry; null when the registry knows none */
  reviewerAgencyId: string | null;
}

/** issued by the coordinator's process manager when the 复核 decision arrives */
export interface RecordCaseConcluded extends Timed {
  kind: 'RecordCaseConcluded';
  appealId: string;
  decisionEventId: string;
}

/** issued by the watch when the registry says an agency holding a task no longer exists */
export interface TransferTasks extends Timed {
  kind: 'TransferTasks';
  transfers: { fromAgencyId: string; toAgencyId: string; effectiveFrom: string }[];
}

/** the coordinator links a case to the 工作专班 that takes it up (包案) */
export interface JoinTaskForce extends Timed {
  kind: 'JoinTaskForce';
  taskForceId: string;
  name: string;
  leader: Leader;
}

/** the campaign as its own stream defines it: the decision needs its period */
export interface EnrollInCampaign extends Timed {
  kind: 'EnrollInCampaign';
  campaignId: string;
  name: string;
  from: string;
  to: string;
}

export type CaseCommand =
  | RegisterPetition
  | ClassifyPetition
  | AssignAgencies
  | ReleaseCoHandler
  | RecordCaseAnswered
  | RateReply
  | RecordRepeatPetition
  | RaiseDispute
  | DecideDispute
  | IssueSupervision
  | RequestAppeal
  | RecordCaseConcluded
  | TransferTasks
  | JoinTaskForce
  | EnrollInCampaign;
