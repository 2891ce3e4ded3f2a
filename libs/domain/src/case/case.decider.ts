import { addCalendarDays } from '../calendar';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/errors';
import type { Recorded } from '../shared/events';
import { ensureNotBefore } from '../shared/time';
import { LIMITS, type AssignmentMode, type DemandClass, type Rating, type ReplyOutcome, type Route, type TaskRole } from '../shared/vocabulary';
import type { AssignAgencies, CaseCommand, ClassifyPetition, RateReply, RecordCaseAnswered, RegisterPetition, ReleaseCoHandler } from './case.commands';
import { CaseEventTypes as T, type CaseEvent } from './case.events';

/** The case as the petition bureau sees it: only what its rules need. */
export interface CaseState {
  status: 'none' | 'registered' | 'classified' | 'routed-out' | 'assigned' | 'answered' | 'rated';
  registeredAt: string | null;
  route: Route | null;
  demandClass: DemandClass | null;
  mode: AssignmentMode | null;
  /** agencyId → its place in the case */
  agencies: Record<string, { role: TaskRole; assignedAt: string; released: boolean }>;
  answer: { leadAgencyId: string; outcome: ReplyOutcome; replyEventId: string; answeredAt: string } | null;
  rating: Rating | null;
  lastEventAt: string | null;
}

export function initialCaseState(): CaseState {
  return {
    status: 'none', registeredAt: null, route: null, demandClass: null, mode: null,
    agencies: {}, answer: null, rating: null, lastEventAt: null,
  };
}

function register(c: RegisterPetition, s: CaseState): CaseEvent[] {
  if (s.status !== 'none') refuse('CASE_ALREADY_REGISTERED', 'this case is already registered');
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
    },
  }];
}

function classify(c: ClassifyPetition, s: CaseState): CaseEvent[] {
  if (s.status !== 'registered' && s.status !== 'classified') {
    refuse('CLASSIFICATION_CLOSED', `the case is ${s.status}; it can be classified only before it is assigned`, 'Art. 22');
  }
  return [{ type: T.PetitionClassified, data: { demandClass: c.demandClass, category: c.category, route: c.route } }];
}

function assign(c: AssignAgencies, s: CaseState): CaseEvent[] {
  if (s.status === 'registered') refuse('NOT_CLASSIFIED', 'classify the petition before assigning it', 'Art. 22');
  if (s.status === 'routed-out') {
    refuse('ROUTED_OUT', `the matter was routed to ${s.route}; it leaves the petition track and is not assigned to handling agencies`, 'Art. 28, 31');
  }
  if (s.status !== 'classified' && s.status !== 'assigned') refuse('ASSIGNMENT_CLOSED', `the case is ${s.status}; no further assignment`);
  if (c.agencies.length === 0) refuse('NO_AGENCIES', 'an assignment names at least one agency');
  const ids = c.agencies.map((a) => a.agencyId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) refuse('DUPLICATE_AGENCY', `${dup} is named twice in one assignment`);
  const already = ids.find((id) => s.agencies[id] && !s.agencies[id].released);
  if (already) refuse('AGENCY_ALREADY_ASSIGNED', `${already} already holds a task on this case`, 'Art. 24');
  const leads = c.agencies.filter((a) => a.role === 'lead').length;
  const hasLead = Object.values(s.agencies).some((a) => a.role === 'lead' && !a.released);
  if (leads > 1 || (leads === 1 && hasLead)) refuse('ONE_LEAD_ONLY', 'a case has exactly one lead agency (主办); the others co-handle (协办)', 'Art. 24');
  if (leads === 0 && !hasLead) refuse('LEAD_REQUIRED', 'name one lead agency (主办) among the assigned agencies', 'Art. 24');
  if (s.mode && s.mode !== c.mode) refuse('MODE_MISMATCH', `the case was already ${s.mode === 'assign' ? '交办 (assign)' : '转送 (forward)'}; keep one mode`);
  const acknowledgeDueAt = addCalendarDays(c.at, LIMITS.acknowledgeDays);
  return [{
    type: T.AgenciesAssigned,
    data: { mode: c.mode, agencies: c.agencies.map((a) => ({ agencyId: a.agencyId, role: a.role, acknowledgeDueAt })) },
  }];
}

function release(c: ReleaseCoHandler, s: CaseState): CaseEvent[] {
  const a = s.agencies[c.agencyId];
  if (!a || a.released) refuse('TASK_NOT_ASSIGNED', `${c.agencyId} holds no task on this case`);
  if (a.role !== 'co') refuse('NOT_A_CO_HANDLER', 'only a co-handler (协办) can be released; the lead answers the case', 'Art. 24');
  if (s.status === 'answered' || s.status === 'rated') refuse('CASE_ANSWERED', 'the case is already answered');
  return [{ type: T.CoHandlerReleased, data: { agencyId: c.agencyId, reason: c.reason } }];
}

function answered(c: RecordCaseAnswered, s: CaseState): CaseEvent[] {
  if (s.answer) {
    refuse('CASE_ALREADY_ANSWERED', `the case was answered by reply ${s.answer.replyEventId}`, undefined, { replyEventId: s.answer.replyEventId });
  }
  const lead = s.agencies[c.leadAgencyId];
  if (!lead || lead.role !== 'lead' || lead.released) refuse('NOT_THE_LEAD', `${c.leadAgencyId} is not the lead agency of this case`, 'Art. 24');
  return [{
    type: T.CaseAnswered,
    data: { leadAgencyId: c.leadAgencyId, outcome: c.outcome, text: c.text, replyEventId: c.replyEventId },
  }];
}

function rate(c: RateReply, s: CaseState): CaseEvent[] {
  if (s.status === 'rated') refuse('ALREADY_RATED', 'the reply has already been rated');
  if (s.status !== 'answered') refuse('NOT_ANSWERED', 'the case has no reply to rate yet', 'Art. 32');
  return [{ type: T.ReplyRated, data: { rating: c.rating, comment: c.comment ?? null } }];
}

export function decideCase(c: CaseCommand, s: CaseState): CaseEvent[] {
  if (c.kind !== 'RegisterPetition') {
    if (s.status === 'none') refuse('CASE_NOT_FOUND', 'no such case');
    ensureNotBefore(c.at, s.lastEventAt);
  }
  switch (c.kind) {
    case 'RegisterPetition': return register(c, s);
    case 'ClassifyPetition': return classify(c, s);
    case 'AssignAgencies': return assign(c, s);
    case 'ReleaseCoHandler': return release(c, s);
    case 'RecordCaseAnswered': return answered(c, s);
    case 'RateReply': return rate(c, s);
  }
}

/** Folds case-stream events; events of other streams of the case only move `lastEventAt`. */
export function evolveCase(s: CaseState, e: Recorded<CaseEvent> | Recorded): CaseState {
  const next: CaseState = { ...s, lastEventAt: laterOf(s.lastEventAt, e.occurredAt) };
  const ev = e as Recorded<CaseEvent>;
  switch (ev.type) {
    case T.PetitionRegistered:
      return { ...next, status: 'registered', registeredAt: ev.occurredAt, demandClass: ev.data.demandClass };
    case T.PetitionClassified:
      return { ...next, status: ev.data.route === 'petition' ? 'classified' : 'routed-out', route: ev.data.route, demandClass: ev.data.demandClass };
    case T.AgenciesAssigned: {
      const agencies = { ...s.agencies };
      for (const a of ev.data.agencies) agencies[a.agencyId] = { role: a.role, assignedAt: ev.occurredAt, released: false };
      return { ...next, status: 'assigned', mode: ev.data.mode, agencies };
    }
    case T.CoHandlerReleased:
      return { ...next, agencies: { ...s.agencies, [ev.data.agencyId]: { ...s.agencies[ev.data.agencyId], released: true } } };
    case T.CaseAnswered:
      return {
        ...next, status: 'answered',
        answer: { leadAgencyId: ev.data.leadAgencyId, outcome: ev.data.outcome, replyEventId: ev.data.replyEventId, answeredAt: ev.occurredAt },
      };
    case T.ReplyRated:
      return { ...next, status: 'rated', rating: ev.data.rating };
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
