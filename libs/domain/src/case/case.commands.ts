import type { AssignmentMode, Channel, DemandClass, Rating, ReplyOutcome, Route, TaskRole } from '../shared/vocabulary';
import type { SealedPetitioner } from './case.events';

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
}

export interface ClassifyPetition extends Timed {
  kind: 'ClassifyPetition';
  demandClass: DemandClass;
  category: string;
  route: Route;
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
}

export interface RateReply extends Timed {
  kind: 'RateReply';
  rating: Rating;
  comment?: string | null;
}

export type CaseCommand =
  | RegisterPetition
  | ClassifyPetition
  | AssignAgencies
  | ReleaseCoHandler
  | RecordCaseAnswered
  | RateReply;
