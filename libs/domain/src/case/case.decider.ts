import { AppealEventTypes, type AppealEvent } from '../appeal/appeal.events';
import { addCalendarDays, addWorkingDays, CalendarError, localDate } from '../calendar';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/errors';
import type { Recorded } from '../shared/events';
import { ensureNotBefore, isAfter } from '../shared/time';
import {
  LIMITS, type AppealKind, type AssignmentMode, type DemandClass, type Rating, type ReplyOutcome, type Route, type TaskRole,
} from '../shared/vocabulary';
import { TaskEventTypes, type TaskEvent } from '../task/task.events';
import type {
  AssignAgencies, CaseCommand, ClassifyPetition, DecideDispute, EnrollInCampaign, IssueSupervision, JoinTaskForce, RaiseDispute, RateReply,
  RecordCaseAnswered, RecordCaseConcluded, RecordRepeatPetition, RegisterPetition, ReleaseCoHandler, RequestAppeal, TransferTasks,
} from './case.commands';
import { CaseEventTypes as T, type AssignedAgency, type CaseEvent } from './case.events';

/**
 * Where an agency stands on the case. Only an `active` agency holds a task; the others keep
 * their history: released by the bureau or by a dispute decision, returned as not competent
 * (Art. 23), or passed to a successor when the agency was abolished (Art. 24).
 */
export type AgencyStanding = 'active' | 'released' | 'returned' | 'transferred';

export interface CaseAppeal {
  kind: AppealKind;
  reviewerAgencyId: string;
  requestedAt: string;
  decidedAt: string | null;
}

/** The case as the petition bureau sees it: only what its rules need. */
export interface CaseState {
  registered: boolean;
  registeredAt: string | null;
  /** null until classified */
  route: Route | null;
  demandClass: DemandClass | null;
  mode: AssignmentMode | null;
  /** agencyId → its place in the case */
  agencies: Record<string, { role: TaskRole; assignedAt: string; standing: AgencyStanding }>;
  answer: { leadAgencyId: string; outcome: ReplyOutcome; replyEventId: string; answeredAt: string; repliedAt: string } | null;
  rating: Rating | null;
  disputes: Record<string, { parties: string[]; deciderId: string; decided: boolean }>;
  /** supervisionId → the supervised agency */
  supervisions: Record<string, string>;
  appeals: Record<string, CaseAppeal>;
  reviewId: string | null;
  reReviewId: string | null;
  concluded: { appealId: string; at: string } | null;
  /** Idempotency-Key hashes of repeat petitions already recorded */
  repeatRequests: string[];
  /** 工作专班 that took the case up, and campaigns it was put into */
  taskForces: string[];
  campaigns: string[];
  lastEventAt: string | null;
}

export function initialCaseState(): CaseState {
  return {
    registered: false, registeredAt: null, route: null, demandClass: null, mode: null, agencies: {}, answer: null, rating: null,
    disputes: {}, supervisions: {}, appeals: {}, reviewId: null, reReviewId: null, concluded: null, repeatRequests: [], taskForces: [], campaigns: [],
    lastEventAt: null,
  };
}

const activeAgencies = (s: CaseState) => Object.entries(s.agencies).filter(([, a]) => a.standing === 'active');
const activeLeadOf = (s: CaseState) => activeAgencies(s).find(([, a]) => a.role === 'lead')?.[0] ?? null;
const openDisputeOf = (s: CaseState) => Object.entries(s.disputes).find(([, d]) => !d.decided)?.[0] ?? null;
const pendingAppealOf = (s: CaseState) => Object.entries(s.appeals).find(([, a]) => a.decidedAt === null)?.[0] ?? null;

/**
 * Open for Art. 19: within its handling period — from registration until answered, and again
 * while a 复查 or 复核 is pending. A routed-out matter has left the petition track; a concluded
 * one is closed for good.
 */
export function isOpenForRepeats(s: CaseState): boolean {
  if (!s.registered || s.concluded || (s.route !== null && s.route !== 'petition')) return false;
  return s.answer === null || pendingAppealOf(s) !== null;
}

function requireNotConcluded(s: CaseState): void {
  if (s.concluded) refuse('CASE_CONCLUDED', 'the matter was concluded (终结) after its 复核; it is closed for good', 'Art. 36');
}

function assignedAgency(agencyId: string, role: TaskRole, at: string): AssignedAgency {
  let returnDueAt: string;
  try {
    returnDueAt = addWorkingDays(at, LIMITS.returnWorkingDays);
  } catch (e) {
    // A working-day limit before the calendar's first official year would be a guess.
    if (e instanceof CalendarError) refuse('OUTSIDE_WORKING_DAY_CALENDAR', `working days are known from 2020 on; ${at} is outside the calendar`, 'Art. 23');
    throw e;
  }
  return { agencyId, role, acknowledgeDueAt: addCalendarDays(at, LIMITS.acknowledgeDays), returnDueAt };
}

function register(c: RegisterPetition, s: CaseState): CaseEvent[] {
  if (s.registered) refuse('CASE_ALREADY_REGISTERED', 'this case is already registered');
  return [{
    type: T.PetitionRegistered,
    data: {
      caseNumber: c.caseNumber,
      channel: c.channel,
      petitioner: c.petitioner,
      regionCode: c.regionCode,
      subject: c.subject,
      content: c.content,
      demandClass: c.demandClass ?? null,
      matterOccurredAt: c.matterOccurredAt ?? null,
      routeDueAt: addCalendarDays(c.at, LIMITS.routeDays),
      ...(c.petitionerKeys && c.petitionerKeys.length > 0 ? { petitionerKeys: c.petitionerKeys } : {}),
      ...(c.reception ? { reception: c.reception } : {}),
    },
  }];
}

function classify(c: ClassifyPetition, s: CaseState): CaseEvent[] {
  requireNotConcluded(s);
  const routedOut = s.route !== null && s.route !== 'petition';
  // Once every agency has returned the matter (退回) the bureau may classify it again, e.g. to
  // route it to a court as the returning agency advised; while an agency holds it, not.
  if (routedOut || activeAgencies(s).length > 0 || s.answer) {
    refuse('CLASSIFICATION_CLOSED', routedOut ? `the matter was already routed to ${s.route}` : 'an agency holds the case; it is classified before assignment', 'Art. 22');
  }
  const classified: CaseEvent = { type: T.PetitionClassified, data: { demandClass: c.demandClass, category: c.category, route: c.route } };
  if (c.route === 'petition') return [classified];
  const guidance = c.guidance?.trim();
  if (!guidance) {
    refuse('GUIDANCE_REQUIRED', 'a matter routed out of the petition track comes with guidance telling the petitioner where to take it', 'Art. 31');
  }
  return [classified, { type: T.RoutedOut, data: { route: c.route, guidance, agencyId: c.routedToAgencyId ?? null } }];
}

function assign(c: AssignAgencies, s: CaseState): CaseEvent[] {
  requireNotConcluded(s);
  if (s.route === null) refuse('NOT_CLASSIFIED', 'classify the petition before assigning it', 'Art. 22');
  if (s.route !== 'petition') {
    refuse('ROUTED_OUT', `the matter was routed to ${s.route}; it leaves the petition track and is not assigned to handling agencies`, 'Art. 28, 31');
  }
  if (s.answer) refuse('ASSIGNMENT_CLOSED', 'the case is answered; no further assignment');
  if (c.agencies.length === 0) refuse('NO_AGENCIES', 'an assignment names at least one agency');
  const ids = c.agencies.map((a) => a.agencyId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) refuse('DUPLICATE_AGENCY', `${dup} is named twice in one assignment`);
  const already = ids.find((id) => s.agencies[id]?.standing === 'active');
  if (already) refuse('AGENCY_ALREADY_ASSIGNED', `${already} already holds a task on this case`, 'Art. 24');
  const leads = c.agencies.filter((a) => a.role === 'lead').length;
  const hasLead = activeLeadOf(s) !== null;
  if (leads > 1 || (leads === 1 && hasLead)) refuse('ONE_LEAD_ONLY', 'a case has exactly one lead agency (主办); the others co-handle (协办)', 'Art. 24');
  if (leads === 0 && !hasLead) refuse('LEAD_REQUIRED', 'name one lead agency (主办) among the assigned agencies', 'Art. 24');
  if (s.mode && s.mode !== c.mode) refuse('MODE_MISMATCH', `the case was already ${s.mode === 'assign' ? '交办 (assign)' : '转送 (forward)'}; keep one mode`);
  return [{ type: T.AgenciesAssigned, data: { mode: c.mode, agencies: c.agencies.map((a) => assignedAgency(a.agencyId, a.role, c.at)) } }];
}

function release(c: ReleaseCoHandler, s: CaseState): CaseEvent[] {
  const a = s.agencies[c.agencyId];
  if (!a || a.standing !== 'active') refuse('TASK_NOT_ASSIGNED', `${c.agencyId} holds no task on this case`);
  if (a.role !== 'co') refuse('NOT_A_CO_HANDLER', 'only a co-handler (协办) can be released; the lead answers the case', 'Art. 24');
  if (s.answer) refuse('CASE_ANSWERED', 'the case is already answered');
  return [{ type: T.CoHandlerReleased, data: { agencyId: c.agencyId, reason: c.reason } }];
}

function answered(c: RecordCaseAnswered, s: CaseState): CaseEvent[] {
  if (s.answer) {
    refuse('CASE_ALREADY_ANSWERED', `the case was answered by reply ${s.answer.replyEventId}`, undefined, { replyEventId: s.answer.replyEventId });
  }
  const lead = s.agencies[c.leadAgencyId];
  if (!lead || lead.role !== 'lead' || lead.standing !== 'active') refuse('NOT_THE_LEAD', `${c.leadAgencyId} is not the lead agency of this case`, 'Art. 24');
  return [{
    type: T.CaseAnswered,
    data: { leadAgencyId: c.leadAgencyId, outcome: c.outcome, text: c.text, replyEventId: c.replyEventId, repliedAt: c.repliedAt ?? c.at },
  }];
}

function rate(c: RateReply, s: CaseState): CaseEvent[] {
  requireNotConcluded(s);
  if (s.rating) refuse('ALREADY_RATED', 'the reply has already been rated');
  if (!s.answer) refuse('NOT_ANSWERED', 'the case has no reply to rate yet', 'Art. 32');
  return [{ type: T.ReplyRated, data: { rating: c.rating, comment: c.comment ?? null } }];
}

function repeat(c: RecordRepeatPetition, s: CaseState): CaseEvent[] {
  // a retried request (same Idempotency-Key) was recorded the first time
  if (c.requestKey && s.repeatRequests.includes(c.requestKey)) return [];
  const submission = {
    channel: c.channel, regionCode: c.regionCode, subject: c.subject, content: c.content, matchedBy: c.matchedBy, requestKey: c.requestKey,
    ...(c.reception ? { reception: c.reception } : {}),
  };
  if (s.concluded) return [{ type: T.RaisedAfterConclusion, data: submission }];
  if (!isOpenForRepeats(s)) refuse('CASE_NOT_OPEN', 'the case is not within its handling period; a new petition opens a new case', 'Art. 19');
  return [{ type: T.RepeatPetitionLinked, data: { ...submission, level: c.level } }];
}

function raiseDispute(c: RaiseDispute, s: CaseState): CaseEvent[] {
  requireNotConcluded(s);
  if (s.answer) refuse('CASE_ANSWERED', 'the case is answered; competence is no longer in question', 'Art. 24');
  if (s.agencies[c.raisedBy]?.standing !== 'active') refuse('TASK_NOT_ASSIGNED', `${c.raisedBy} holds no task on this case`, 'Art. 24');
  const open = openDisputeOf(s);
  if (open) refuse('DISPUTE_ALREADY_OPEN', `dispute ${open} awaits its decision`, 'Art. 24', { disputeId: open });
  const parties = [...new Set([c.raisedBy, ...c.otherParties])];
  if (parties.length < 2) refuse('NO_OTHER_PARTY', 'a competence dispute is between at least two agencies', 'Art. 24');
  return [{
    type: T.DisputeRaised,
    data: {
      disputeId: c.disputeId, raisedBy: c.raisedBy, parties, reason: c.reason,
      deciderId: c.deciderId, deciderKind: c.deciderKind, divisionCode: c.divisionCode,
    },
  }];
}

function decideDispute(c: DecideDispute, s: CaseState): CaseEvent[] {
  const d = s.disputes[c.disputeId];
  if (!d) refuse('DISPUTE_NOT_FOUND', `no dispute ${c.disputeId} on this case`);
  if (d.decided) refuse('DISPUTE_ALREADY_DECIDED', `dispute ${c.disputeId} is decided`, 'Art. 24');
  if (c.actingFor !== d.deciderId) refuse('NOT_THE_DECIDER', `dispute ${c.disputeId} is decided by ${d.deciderId}`, 'Art. 24');
  requireNotConcluded(s);
  if (s.answer) refuse('CASE_ANSWERED', 'the case is answered', 'Art. 24');
  const lead = activeLeadOf(s);
  // The parties other than the one decided on are relieved, and so is a lead that the decision replaces.
  const relieved = [...new Set([...d.parties, ...(lead ? [lead] : [])])]
    .filter((id) => id !== c.agencyId && s.agencies[id]?.standing === 'active');
  const events: CaseEvent[] = [{ type: T.DisputeDecided, data: { disputeId: c.disputeId, deciderId: d.deciderId, agencyId: c.agencyId, relieved } }];
  if (lead !== c.agencyId) {
    events.push({ type: T.AgenciesAssigned, data: { mode: s.mode ?? 'forward', agencies: [assignedAgency(c.agencyId, 'lead', c.at)], disputeId: c.disputeId } });
  }
  return events;
}

function supervise(c: IssueSupervision, s: CaseState): CaseEvent[] {
  // Art. 40 also covers an agency that does not carry out its decision, so an answered or
  // concluded case may still be supervised: what matters is that the agency is on the case.
  const onCase = s.agencies[c.agencyId]?.standing === 'active' || Object.values(s.appeals).some((a) => a.reviewerAgencyId === c.agencyId);
  if (!onCase) refuse('NOT_ON_CASE', `${c.agencyId} holds no task and reviews no appeal on this case`, 'Art. 40');
  const days = c.answerDays ?? LIMITS.supervisionAnswerDays;
  return [{
    type: T.SupervisionIssued,
    data: {
      supervisionId: c.supervisionId, agencyId: c.agencyId, reason: c.reason, answerDueAt: addCalendarDays(c.at, days),
      ...(c.supervisorId ? { supervisorId: c.supervisorId } : {}),
    },
  }];
}

function joinTaskForce(c: JoinTaskForce, s: CaseState): CaseEvent[] {
  // Linked by the coordinator when the task force is formed and again by its process manager
  // after a crash: the second link changes nothing.
  if (s.taskForces.includes(c.taskForceId)) return [];
  return [{ type: T.TaskForceJoined, data: { taskForceId: c.taskForceId, name: c.name, leader: c.leader } }];
}

function enroll(c: EnrollInCampaign, s: CaseState): CaseEvent[] {
  if (s.route !== null && s.route !== 'petition') {
    refuse('ROUTED_OUT', `the matter was routed to ${s.route}; it left the petition track and is no petition for a campaign`, 'Art. 28, 31');
  }
  const day = localDate(c.at);
  if (day < c.from || day > c.to) {
    refuse('CAMPAIGN_NOT_RUNNING', `the campaign runs from ${c.from} to ${c.to}; ${day} is outside it`, undefined, { from: c.from, to: c.to });
  }
  // a retried enrolment (the same request again) finds the case enrolled and changes nothing
  if (s.campaigns.includes(c.campaignId)) return [];
  return [{ type: T.CampaignEnrolled, data: { campaignId: c.campaignId, name: c.name, from: c.from, to: c.to } }];
}

function requestAppeal(c: RequestAppeal, s: CaseState): CaseEvent[] {
  requireNotConcluded(s);
  let appealedAgencyId: string;
  let requestDueAt: string;
  if (c.appealKind === 'review') {
    if (!s.answer) refuse('NOT_ANSWERED', 'a 复查 is asked of a reply; the case has none yet', 'Art. 35');
    if (s.reviewId) refuse('REVIEW_ALREADY_REQUESTED', 'a 复查 was already requested; the next step is a 复核', 'Art. 35');
    requestDueAt = addCalendarDays(s.answer.repliedAt, LIMITS.appealRequestDays);
    if (isAfter(c.at, requestDueAt)) {
      refuse('REVIEW_WINDOW_CLOSED', `a 复查 is requested within 30 日 of the reply; that window closed at ${requestDueAt}`, 'Art. 35', { requestDueAt });
    }
    appealedAgencyId = s.answer.leadAgencyId;
  } else {
    const review = s.reviewId ? s.appeals[s.reviewId] : null;
    if (!review) refuse('REVIEW_REQUIRED_FIRST', 'a 复核 follows a 复查; ask for the 复查 first', 'Art. 36');
    if (!review.decidedAt) refuse('REVIEW_NOT_DECIDED', 'the 复查 has not been decided yet', 'Art. 36');
    if (s.reReviewId) refuse('RE_REVIEW_ALREADY_REQUESTED', 'a 复核 was already requested', 'Art. 36');
    requestDueAt = addCalendarDays(review.decidedAt, LIMITS.appealRequestDays);
    if (isAfter(c.at, requestDueAt)) {
      refuse('RE_REVIEW_WINDOW_CLOSED', `a 复核 is requested within 30 日 of the 复查 decision; that window closed at ${requestDueAt}`, 'Art. 36', { requestDueAt });
    }
    appealedAgencyId = review.reviewerAgencyId;
  }
  if (!c.reviewerAgencyId) {
    refuse('NO_REVIEWER_LEVEL', `the registry knows no agency one level above ${appealedAgencyId}`, c.appealKind === 'review' ? 'Art. 35' : 'Art. 36', { appealedAgencyId });
  }
  return [{
    type: T.AppealRequested,
    data: {
      appealId: c.appealId, kind: c.appealKind, reason: c.reason, appealedAgencyId, reviewerAgencyId: c.reviewerAgencyId,
      requestDueAt, decisionDueAt: addCalendarDays(c.at, LIMITS.appealDecisionDays),
    },
  }];
}

function conclude(c: RecordCaseConcluded, s: CaseState): CaseEvent[] {
  if (s.concluded) refuse('CASE_ALREADY_CONCLUDED', `the case was concluded by appeal ${s.concluded.appealId}`);
  const a = s.appeals[c.appealId];
  if (!a || a.kind !== 're-review' || !a.decidedAt) refuse('RE_REVIEW_NOT_DECIDED', 'a case is concluded (终结) by its 复核 decision', 'Art. 36');
  return [{ type: T.CaseConcluded, data: { appealId: c.appealId, decisionEventId: c.decisionEventId } }];
}

function transfer(c: TransferTasks, s: CaseState): CaseEvent[] {
  // Only tasks still held move: a repeated transfer (a watch catching up twice) changes nothing.
  return c.transfers
    .filter((t) => s.agencies[t.fromAgencyId]?.standing === 'active' && t.toAgencyId !== t.fromAgencyId)
    .map((t) => ({ type: T.TaskTransferred, data: { fromAgencyId: t.fromAgencyId, toAgencyId: t.toAgencyId, effectiveFrom: t.effectiveFrom } }));
}

export function decideCase(c: CaseCommand, s: CaseState): CaseEvent[] {
  if (c.kind !== 'RegisterPetition') {
    if (!s.registered) refuse('CASE_NOT_FOUND', 'no such case');
    ensureNotBefore(c.at, s.lastEventAt);
  }
  switch (c.kind) {
    case 'RegisterPetition': return register(c, s);
    case 'ClassifyPetition': return classify(c, s);
    case 'AssignAgencies': return assign(c, s);
    case 'ReleaseCoHandler': return release(c, s);
    case 'RecordCaseAnswered': return answered(c, s);
    case 'RateReply': return rate(c, s);
    case 'RecordRepeatPetition': return repeat(c, s);
    case 'RaiseDispute': return raiseDispute(c, s);
    case 'DecideDispute': return decideDispute(c, s);
    case 'IssueSupervision': return supervise(c, s);
    case 'RequestAppeal': return requestAppeal(c, s);
    case 'RecordCaseConcluded': return conclude(c, s);
    case 'TransferTasks': return transfer(c, s);
    case 'JoinTaskForce': return joinTaskForce(c, s);
    case 'EnrollInCampaign': return enroll(c, s);
  }
}

function withStanding(s: CaseState, agencyId: string, standing: AgencyStanding): CaseState['agencies'] {
  const a = s.agencies[agencyId];
  return a ? { ...s.agencies, [agencyId]: { ...a, standing } } : s.agencies;
}

/**
 * Folds case-stream events, plus the few events of other streams of the case the bureau's
 * rules depend on: a return (退回) frees the agency's place, a reviewer's decision opens the
 * 复核 window or concludes the case.
 */
export function evolveCase(s: CaseState, e: Recorded<CaseEvent> | Recorded): CaseState {
  const next: CaseState = { ...s, lastEventAt: laterOf(s.lastEventAt, e.occurredAt) };
  const ev = e as Recorded<CaseEvent | TaskEvent | AppealEvent>;
  switch (ev.type) {
    case T.PetitionRegistered:
      return { ...next, registered: true, registeredAt: ev.occurredAt, demandClass: ev.data.demandClass };
    case T.PetitionClassified:
      return { ...next, route: ev.data.route, demandClass: ev.data.demandClass };
    case T.AgenciesAssigned: {
      const agencies = { ...next.agencies };
      for (const a of ev.data.agencies) agencies[a.agencyId] = { role: a.role, assignedAt: ev.occurredAt, standing: 'active' };
      return { ...next, mode: ev.data.mode, agencies };
    }
    case T.CoHandlerReleased:
      return { ...next, agencies: withStanding(s, ev.data.agencyId, 'released') };
    case TaskEventTypes.TaskReturned:
      return ev.agencyId ? { ...next, agencies: withStanding(s, ev.agencyId, 'returned') } : next;
    case T.CaseAnswered:
      return {
        ...next,
        answer: {
          leadAgencyId: ev.data.leadAgencyId, outcome: ev.data.outcome, replyEventId: ev.data.replyEventId, answeredAt: ev.occurredAt,
          repliedAt: ev.data.repliedAt ?? ev.occurredAt,
        },
      };
    case T.ReplyRated:
      return { ...next, rating: ev.data.rating };
    case T.RepeatPetitionLinked:
    case T.RaisedAfterConclusion:
      return ev.data.requestKey ? { ...next, repeatRequests: [...s.repeatRequests, ev.data.requestKey] } : next;
    case T.DisputeRaised:
      return { ...next, disputes: { ...s.disputes, [ev.data.disputeId]: { parties: ev.data.parties, deciderId: ev.data.deciderId, decided: false } } };
    case T.DisputeDecided: {
      let agencies = s.agencies;
      for (const id of ev.data.relieved) agencies = withStanding({ ...s, agencies }, id, 'released');
      const d = s.disputes[ev.data.disputeId];
      return { ...next, agencies, disputes: d ? { ...s.disputes, [ev.data.disputeId]: { ...d, decided: true } } : s.disputes };
    }
    case T.SupervisionIssued:
      return { ...next, supervisions: { ...s.supervisions, [ev.data.supervisionId]: ev.data.agencyId } };
    case T.AppealRequested: {
      const appeal: CaseAppeal = { kind: ev.data.kind, reviewerAgencyId: ev.data.reviewerAgencyId, requestedAt: ev.occurredAt, decidedAt: null };
      return {
        ...next, appeals: { ...s.appeals, [ev.data.appealId]: appeal },
        ...(ev.data.kind === 'review' ? { reviewId: ev.data.appealId } : { reReviewId: ev.data.appealId }),
      };
    }
    case AppealEventTypes.AppealDecided: {
      const a = s.appeals[ev.data.appealId];
      return a ? { ...next, appeals: { ...s.appeals, [ev.data.appealId]: { ...a, decidedAt: ev.occurredAt } } } : next;
    }
    case T.CaseConcluded:
      return { ...next, concluded: { appealId: ev.data.appealId, at: ev.occurredAt } };
    case T.TaskForceJoined:
      return { ...next, taskForces: [...s.taskForces, ev.data.taskForceId] };
    case T.CampaignEnrolled:
      return { ...next, campaigns: [...s.campaigns, ev.data.campaignId] };
    case T.TaskTransferred: {
      const from = s.agencies[ev.data.fromAgencyId];
      if (!from) return next;
      const to = s.agencies[ev.data.toAgencyId];
      // a successor already on the case keeps its task, and takes the lead if the predecessor had it
      const inherited = to?.standing === 'active' ? { ...to, role: from.role === 'lead' ? 'lead' as const : to.role } : { ...from, standing: 'active' as const };
      return { ...next, agencies: { ...s.agencies, [ev.data.fromAgencyId]: { ...from, standing: 'transferred' }, [ev.data.toAgencyId]: inherited } };
    }
    default:
      return next;
  }
}

function laterOf(a: string | null, b: string): string {
  return a === null || Date.parse(b) > Date.parse(a) ? b : a;
}

export const caseDecider: Decider<CaseCommand, CaseState, CaseEvent> = {
  decide: decideCase,
  evolve: evolveCase,
  initialState: initialCaseState,
};
