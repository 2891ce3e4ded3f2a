import type { DomainEvent } from '../shared/events';
import type { AssignmentMode, Channel, DemandClass, Rating, ReplyOutcome, Route, TaskRole } from '../shared/vocabulary';

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
} as const;

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
}

export type AgenciesAssigned = DomainEvent<typeof CaseEventTypes.AgenciesAssigned, {
  mode: AssignmentMode;
  agencies: AssignedAgency[];
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
}>;

export type ReplyRated = DomainEvent<typeof CaseEventTypes.ReplyRated, {
  rating: Rating;
  comment: string | null;
}>;

export type CaseEvent =
  | PetitionRegistered
  | PetitionClassified
  | AgenciesAssigned
  | CoHandlerReleased
  | CaseAnswered
  | ReplyRated;
