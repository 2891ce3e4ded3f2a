import type { DomainEvent } from '../shared/events';
import type {
  AppealKind, AssignmentMode, Channel, DemandClass, Leader, LimitKind, Rating, ReplyOutcome, Route, TaskRole,
} from '../shared/vocabulary';

/**
 * Events of the case stream `case-<caseId>`, written by the petition bureau side
 * (intake + coordinator) of the region where the case was registered.
 */
export const CaseEventTypes = {
  /** 登记 */
  PetitionRegistered: 'lianban.case.registered.v1',
  /** 分类 and choice of route (诉访分离) */
  PetitionClassified: 'lianban.case.classified.v1',
  /** 转送/交办 to one lead and any co-handlers at once (Art. 24) */
  AgenciesAssigned: 'lianban.case.agencies-assigned.v1',
  /** the bureau releases a co-handler from giving an opinion */
  CoHandlerReleased: 'lianban.case.co-handler-released.v1',
  /** the lead's reply has reached the bureau: the case is answered (答复) */
  CaseAnswered: 'lianban.case.answered.v1',
  /** the petitioner rated the reply (满意度评价) */
  ReplyRated: 'lianban.case.reply-rated.v1',
  /** 诉访分离: the matter leaves the petition track for a statutory procedure (Art. 28, 31) */
  RoutedOut: 'lianban.case.routed-out.v1',
  /** the same petitioner raised the same matter again while it is open (Art. 19) */
  RepeatPetitionLinked: 'lianban.case.repeat-linked.v1',
  /** the same petitioner raised a concluded (终结) matter again; not accepted (Art. 36) */
  RaisedAfterConclusion: 'lianban.case.raised-after-conclusion.v1',
  /** agencies dispute competence; the common superior or the joint conference decides (Art. 24) */
  DisputeRaised: 'lianban.case.dispute-raised.v1',
  DisputeDecided: 'lianban.case.dispute-decided.v1',
  /** 督办 (Art. 40) */
  SupervisionIssued: 'lianban.case.supervision-issued.v1',
  /** the petitioner asks for 复查 (Art. 35) or 复核 (Art. 36) */
  AppealRequested: 'lianban.case.appeal-requested.v1',
  /** 终结: after the 复核 decision the matter is closed for good (Art. 36) */
  CaseConcluded: 'lianban.case.concluded.v1',
  /** an abolished agency's open task passes to its successor (Art. 24, DESIGN 4.4) */
  TaskTransferred: 'lianban.case.task-transferred.v1',
  /** the deadline watch: 预警 before a limit, and the limit passed */
  DeadlineWarning: 'lianban.case.deadline-warning.v1',
  DeadlineOverdue: 'lianban.case.deadline-overdue.v1',
  /** 包案: the case is taken up by a 工作专班 whose leader owns it */
  TaskForceJoined: 'lianban.case.task-force-joined.v1',
  /** 专项工作: the case is put into a campaign (治理重复信访、化解信访积案) */
  CampaignEnrolled: 'lianban.case.campaign-enrolled.v1',
} as const;

/** A visit received at a leader reception (领导接访): the session and the leader who received it. */
export interface ReceptionRecord {
  sessionId: string;
  scheduleId: string;
  /** the session's China-local date */
  date: string;
  place: string;
  /** the town of a roving reception (巡回接访), else null */
  town: string | null;
  leader: Leader;
}

/** Personal data as stored: sealed (encrypted with the petitioner's own key), never in clear. */
export interface SealedPetitioner {
  petitionerId: string;
  /** AES-256-GCM ciphertext of {name, phone?, idNumber?, address?}, base64 */
  sealed: string;
  anonymous: boolean;
}

export type PetitionRegistered = DomainEvent<typeof CaseEventTypes.PetitionRegistered, {
  caseNumber: string;
  channel: Channel;
  petitioner: SealedPetitioner;
  /** 行政区划代码 of the place the matter concerns */
  regionCode: string;
  subject: string;
  content: string;
  demandClass: DemandClass | null;
  /** when the matter itself happened / was first raised, if the petitioner says */
  matterOccurredAt: string | null;
  /** Art. 22: routing due */
  routeDueAt: string;
  /**
   * Keyed hashes (HMAC-SHA256, a configured secret) of the normalised ID number and phone, to
   * recognise the same petitioner (Art. 19) without keeping either in clear. Absent when neither
   * was given, and on events written before repeats were recognised.
   */
  petitionerKeys?: string[];
  /** set when the visit was received at a leader reception */
  reception?: ReceptionRecord;
}>;

export type PetitionClassified = DomainEvent<typeof CaseEventTypes.PetitionClassified, {
  demandClass: DemandClass;
  category: string;
  route: Route;
}>;

export interface AssignedAgency {
  agencyId: string;
  role: TaskRole;
  /** Art. 23: 告知 due */
  acknowledgeDueAt: string;
  /** Art. 23: end of the 5 工作日 return window (absent on events written before it was recorded) */
  returnDueAt?: string;
}

export type AgenciesAssigned = DomainEvent<typeof CaseEventTypes.AgenciesAssigned, {
  mode: AssignmentMode;
  agencies: AssignedAgency[];
  /** set when the assignment carries out a dispute decision */
  disputeId?: string;
}>;

export type CoHandlerReleased = DomainEvent<typeof CaseEventTypes.CoHandlerReleased, {
  agencyId: string;
  reason: string;
}>;

export type CaseAnswered = DomainEvent<typeof CaseEventTypes.CaseAnswered, {
  leadAgencyId: string;
  outcome: ReplyOutcome;
  text: string;
  /** the lead's ReplyIssued event this answer carries */
  replyEventId: string;
  /** when the lead replied: the 30 日 review window runs from here (absent on older events) */
  repliedAt?: string;
}>;

export type ReplyRated = DomainEvent<typeof CaseEventTypes.ReplyRated, {
  rating: Rating;
  comment: string | null;
}>;

export type RoutedOut = DomainEvent<typeof CaseEventTypes.RoutedOut, {
  route: Exclude<Route, 'petition'>;
  /** what the petitioner is told: where to take the matter and how */
  guidance: string;
  /** 涉法涉诉 → the 政法委 of the level; 纪检监察 → the 纪委监委; otherwise none in the registry */
  agencyId: string | null;
}>;

/** A repeat is recorded on the open case, not opened anew; its text is kept, its identity is not. */
export interface RepeatSubmission {
  channel: Channel;
  regionCode: string;
  subject: string;
  content: string;
  /** which keyed identity matched: the ID number or the phone */
  matchedBy: 'idNumber' | 'phone';
  /** hash of the request's Idempotency-Key, so a retried request is recorded once */
  requestKey: string | null;
  /** set when the repeat was a visit received at a leader reception */
  reception?: ReceptionRecord;
}

export type RepeatPetitionLinked = DomainEvent<typeof CaseEventTypes.RepeatPetitionLinked, RepeatSubmission & {
  /** raised at the case's own division, or at a division above it (Art. 19) */
  level: 'same' | 'higher';
}>;

export type RaisedAfterConclusion = DomainEvent<typeof CaseEventTypes.RaisedAfterConclusion, RepeatSubmission>;

export type DisputeRaised = DomainEvent<typeof CaseEventTypes.DisputeRaised, {
  disputeId: string;
  raisedBy: string;
  /** every agency in the dispute, the raiser first */
  parties: string[];
  reason: string;
  /** the common superior's petition bureau, or the joint conference (联席会议) */
  deciderId: string;
  deciderKind: 'division' | 'joint-conference';
  /** the division whose government decides, when one does */
  divisionCode: string | null;
}>;

export type DisputeDecided = DomainEvent<typeof CaseEventTypes.DisputeDecided, {
  disputeId: string;
  deciderId: string;
  /** the agency that handles the matter (主办) */
  agencyId: string;
  /** agencies that held a task on the case and are relieved of it by the decision */
  relieved: string[];
}>;

export type SupervisionIssued = DomainEvent<typeof CaseEventTypes.SupervisionIssued, {
  supervisionId: string;
  agencyId: string;
  reason: string;
  answerDueAt: string;
  /** the petition bureau that supervises (absent on events written before it was recorded) */
  supervisorId?: string | null;
  /** issued by the deadline watch because this limit of the agency passed unmet */
  automatic?: { limitId: string; kind: LimitKind; dueAt: string };
  /** 提级督办: the supervision whose written answer came too late, now supervised one level up */
  escalatedFrom?: string;
}>;

export type AppealRequested = DomainEvent<typeof CaseEventTypes.AppealRequested, {
  appealId: string;
  kind: AppealKind;
  reason: string;
  /** the agency whose decision is appealed: the lead for 复查, the 复查 reviewer for 复核 */
  appealedAgencyId: string;
  /** one level above it (Art. 35, 36) */
  reviewerAgencyId: string;
  /** the petitioner's window that this request met */
  requestDueAt: string;
  /** Art. 35, 36: 30 日; a 复核 hearing adds its days */
  decisionDueAt: string;
}>;

export type CaseConcluded = DomainEvent<typeof CaseEventTypes.CaseConcluded, {
  appealId: string;
  /** the reviewer's decision event that concluded the case */
  decisionEventId: string;
}>;

export type TaskTransferred = DomainEvent<typeof CaseEventTypes.TaskTransferred, {
  fromAgencyId: string;
  toAgencyId: string;
  /** the registry date from which the old agency no longer exists (YYYY-MM-DD, China) */
  effectiveFrom: string;
}>;

/** One limit's flag, keyed by the limit and its due date: a due date moved by an extension is a new key. */
export interface DeadlineFlag {
  limitId: string;
  kind: LimitKind;
  agencyId: string | null;
  article: string;
  dueAt: string;
}

export type DeadlineWarning = DomainEvent<typeof CaseEventTypes.DeadlineWarning, DeadlineFlag & { warningDays: number }>;
export type DeadlineOverdue = DomainEvent<typeof CaseEventTypes.DeadlineOverdue, DeadlineFlag & {
  /** when the limit was met after all (late), if it was by the time the watch saw it */
  metAt: string | null;
}>;

export type TaskForceJoined = DomainEvent<typeof CaseEventTypes.TaskForceJoined, {
  taskForceId: string;
  name: string;
  /** the leader who owns the case (包案领导) */
  leader: Leader;
}>;

export type CampaignEnrolled = DomainEvent<typeof CaseEventTypes.CampaignEnrolled, {
  campaignId: string;
  name: string;
  /** the campaign's period, China-local dates, both included */
  from: string;
  to: string;
}>;

export type CaseEvent =
  | PetitionRegistered
  | PetitionClassified
  | AgenciesAssigned
  | CoHandlerReleased
  | CaseAnswered
  | ReplyRated
  | RoutedOut
  | RepeatPetitionLinked
  | RaisedAfterConclusion
  | DisputeRaised
  | DisputeDecided
  | SupervisionIssued
  | AppealRequested
  | CaseConcluded
  | TaskTransferred
  | DeadlineWarning
  | DeadlineOverdue
  | TaskForceJoined
  | CampaignEnrolled;
