import { AppealEventTypes as A, type AppealEvent } from '../appeal/appeal.events';
import { addCalendarDays, addWorkingDays } from '../calendar';
import { CaseEventTypes as C, type CaseEvent, type ReceptionRecord, type SealedPetitioner } from '../case/case.events';
import type { Recorded } from '../shared/events';
import { isAfter, isCanonicalInstant } from '../shared/time';
import {
  LIMITS, type AppealKind, type AppealOutcome, type AssignmentMode, type Channel, type DemandClass, type Leader, type LimitKind, type Rating,
  type ReplyOutcome, type Route, type TaskRole,
} from '../shared/vocabulary';
import { TaskEventTypes as T, type TaskEvent } from '../task/task.events';

/**
 * The whole case — case stream and every task stream — folded into one view. It is what
 * `GET /v1/cases/{id}` and the petitioner's status page show, and what the deadline watch
 * reads its limits from; a read model, not a decider.
 */
export interface TaskView {
  agencyId: string;
  role: TaskRole;
  /** released by the bureau or a dispute decision; returned (退回); transferred to a successor */
  status: 'assigned' | 'accepted' | 'opinion-submitted' | 'replied' | 'released' | 'returned' | 'transferred';
  assignedAt: string;
  acknowledgeDueAt: string;
  /** Art. 23: the last moment to return the task as not competent */
  returnDueAt: string;
  acceptedAt: string | null;
  acknowledgedInTime: boolean | null;
  handleDueAt: string | null;
  actions: { kind: string; note: string; at: string }[];
  opinion: { text: string; at: string } | null;
  reply: { outcome: ReplyOutcome; text: string; at: string; withinLimit: boolean } | null;
  completionReport: { text: string; at: string } | null;
  returned: { reason: string; at: string } | null;
  extension: { days: number; reason: string; previousDueAt: string; handleDueAt: string; petitionerNotice: string; at: string } | null;
  transferredFrom: string | null;
  transferredTo: string | null;
}

export type CaseStep =
  | 'registered' | 'classified' | 'routed-out' | 'assigned' | 'handling'
  /** every task was returned or the lead is gone: the bureau reassigns */
  | 'returned'
  | 'disputed' | 'answered' | 'rated' | 'review' | 'reviewed' | 're-review' | 'concluded';

export interface Limit {
  /** stable per obligation: 'route', 'acknowledge:<agencyId>', 'appeal-decision:<appealId>' … */
  id: string;
  kind: LimitKind;
  /** the agency that must act; null for the bureau's routing and the petitioner's own windows */
  agencyId: string | null;
  holder: 'bureau' | 'agency' | 'petitioner';
  article: string;
  startedAt: string;
  dueAt: string;
  /** when it was met, or null while open */
  metAt: string | null;
  /** the deadline watch's 预警 and overdue flags for this due date */
  warnedAt: string | null;
  overdueAt: string | null;
  /** Art. 34: days added by the extension */
  extendedByDays?: number;
  /** Art. 36: hearing days not counted */
  notCountedDays?: number;
}

export interface DisputeView {
  disputeId: string;
  raisedBy: string;
  parties: string[];
  reason: string;
  deciderId: string;
  deciderKind: 'division' | 'joint-conference';
  divisionCode: string | null;
  raisedAt: string;
  decision: { agencyId: string; relieved: string[]; at: string } | null;
}

export interface SupervisionView {
  supervisionId: string;
  agencyId: string;
  reason: string;
  issuedAt: string;
  answerDueAt: string;
  answer: { text: string; at: string; withinLimit: boolean } | null;
  /** the bureau that supervises; null on supervisions recorded before it was */
  supervisorId: string | null;
  /** the limit whose passing made the deadline watch issue it, for an automatic 督办 */
  automatic: { limitId: string; kind: LimitKind; dueAt: string } | null;
  /** for a 提级督办: the supervision whose answer was late */
  escalatedFrom: string | null;
}

export interface AppealView {
  appealId: string;
  kind: AppealKind;
  reason: string;
  appealedAgencyId: string;
  reviewerAgencyId: string;
  requestedAt: string;
  requestDueAt: string;
  decisionDueAt: string;
  hearing: { heldFrom: string; heldTo: string; days: number; summary: string; at: string } | null;
  decision: { outcome: AppealOutcome; text: string; at: string; withinLimit: boolean } | null;
}

export interface CaseFile {
  caseId: string;
  caseNumber: string;
  region: string;
  regionCode: string;
  channel: Channel;
  petitioner: SealedPetitioner;
  subject: string;
  content: string;
  registeredAt: string;
  routeDueAt: string;
  /** first assignment, or the routing out (Art. 22) */
  routedAt: string | null;
  demandClass: DemandClass | null;
  category: string | null;
  route: Route | null;
  classifiedAt: string | null;
  routedOut: { route: Route; guidance: string; agencyId: string | null; at: string } | null;
  mode: AssignmentMode | null;
  tasks: TaskView[];
  answer: { leadAgencyId: string; outcome: ReplyOutcome; text: string; at: string; repliedAt: string } | null;
  rating: { rating: Rating; comment: string | null; at: string } | null;
  repeats: {
    at: string; channel: Channel; regionCode: string; subject: string; level: 'same' | 'higher'; matchedBy: string; reception: ReceptionRecord | null;
  }[];
  raisedAfterConclusion: { at: string; channel: Channel; regionCode: string; subject: string }[];
  disputes: DisputeView[];
  supervisions: SupervisionView[];
  appeals: AppealView[];
  concluded: { at: string; appealId: string } | null;
  transfers: { fromAgencyId: string; toAgencyId: string; effectiveFrom: string; at: string }[];
  deadlineFlags: { limitId: string; dueAt: string; warnedAt: string | null; overdueAt: string | null }[];
  /** the leader reception (领导接访) the petition was received at */
  reception: ReceptionRecord | null;
  /** 工作专班 that took the case up (包案) */
  taskForces: { taskForceId: string; name: string; leader: Leader; joinedAt: string }[];
  /** campaigns (专项工作) the case was put into */
  campaigns: { campaignId: string; name: string; from: string; to: string; enrolledAt: string }[];
  step: CaseStep;
  lastEventAt: string;
  eventCount: number;
}

export interface CaseFileEvent extends Recorded {
  caseId: string;
  region: string;
}

const HOLDING: readonly TaskView['status'][] = ['assigned', 'accepted', 'opinion-submitted', 'replied'];
/** the task is still the agency's: not released, returned or transferred */
export const holdsTask = (t: TaskView) => HOLDING.includes(t.status);

export function foldCaseFile(events: Iterable<CaseFileEvent>): CaseFile | null {
  let f: CaseFile | null = null;
  for (const e of events) f = evolveCaseFile(f, e);
  return f;
}

/**
 * The one empty list every new case and task starts with, instead of ten fresh ones per case:
 * a process holds every case file of its region (CaseFilesProjection) and most of these lists
 * stay empty for life. The fold never writes into a list (each change is a new array), and
 * freezing makes any code that tried fail loudly instead of writing into every case at once.
 */
const NONE = Object.freeze([]) as never[];

function newTask(agencyId: string, role: TaskRole, at: string, acknowledgeDueAt: string, returnDueAt: string): TaskView {
  return {
    agencyId, role, status: 'assigned', assignedAt: at, acknowledgeDueAt, returnDueAt, acceptedAt: null, acknowledgedInTime: null,
    handleDueAt: null, actions: NONE, opinion: null, reply: null, completionReport: null, returned: null, extension: null,
    transferredFrom: null, transferredTo: null,
  };
}

export function evolveCaseFile(f: CaseFile | null, e: CaseFileEvent): CaseFile | null {
  const next = applyEvent(f, e);
  // applyEvent returns null or an object it has just made and shared with no one, so setting
  // the step on it keeps the fold pure and spares one more copy of the whole case per event
  if (next && next !== f) next.step = stepOf(next);
  return next;
}

/**
 * isAfter without parsing in the common case: fixed-width UTC strings of real instants sort as
 * their instants do. Anything else (other offsets, days 29–31 that may roll over, invalid
 * dates) goes through Date.parse, as isAfter does.
 */
function laterThan(a: string, b: string): boolean {
  if (a === b) return false;
  if (isCanonicalInstant(a) && isCanonicalInstant(b)) return a > b;
  return isAfter(a, b);
}

/**
 * The case's copy for its next event, field by field in the order a registration creates them: one
 * object layout for every file, which V8 copies as fast as it can, where `{ ...f }` went through
 * its generic object cloning and was the fold's largest single cost (B4 profile).
 */
function nextCopy(f: CaseFile, lastEventAt: string): CaseFile {
  return {
    caseId: f.caseId, caseNumber: f.caseNumber, region: f.region, regionCode: f.regionCode, channel: f.channel, petitioner: f.petitioner,
    subject: f.subject, content: f.content, registeredAt: f.registeredAt, routeDueAt: f.routeDueAt, routedAt: f.routedAt, demandClass: f.demandClass,
    category: f.category, route: f.route, classifiedAt: f.classifiedAt, routedOut: f.routedOut, mode: f.mode, tasks: f.tasks, answer: f.answer,
    rating: f.rating, repeats: f.repeats, raisedAfterConclusion: f.raisedAfterConclusion, disputes: f.disputes, supervisions: f.supervisions,
    appeals: f.appeals, concluded: f.concluded, transfers: f.transfers, deadlineFlags: f.deadlineFlags, reception: f.reception,
    taskForces: f.taskForces, campaigns: f.campaigns, step: f.step, lastEventAt, eventCount: f.eventCount + 1,
  };
}

function applyEvent(f: CaseFile | null, e: CaseFileEvent): CaseFile | null {
  const ev = e as CaseFileEvent & Recorded<CaseEvent | TaskEvent | AppealEvent>;
  if (ev.type === C.PetitionRegistered) {
    const d = ev.data;
    return {
      caseId: e.caseId, caseNumber: d.caseNumber, region: e.region, regionCode: d.regionCode, channel: d.channel,
      petitioner: d.petitioner, subject: d.subject, content: d.content, registeredAt: e.occurredAt, routeDueAt: d.routeDueAt, routedAt: null,
      demandClass: d.demandClass, category: null, route: null, classifiedAt: null, routedOut: null, mode: null, tasks: NONE, answer: null,
      rating: null, repeats: NONE, raisedAfterConclusion: NONE, disputes: NONE, supervisions: NONE, appeals: NONE, concluded: null, transfers: NONE,
      deadlineFlags: NONE, reception: d.reception ?? null, taskForces: NONE, campaigns: NONE, step: 'registered', lastEventAt: e.occurredAt, eventCount: 1,
    };
  }
  if (!f) return f;
  // the one copy of the case this event makes; the cases below write what changed into it
  // (it is not shared yet) rather than copying it again
  const n = nextCopy(f, laterThan(e.occurredAt, f.lastEventAt) ? e.occurredAt : f.lastEventAt);
  const set = (patch: Partial<CaseFile>): CaseFile => Object.assign(n, patch);
  const task = (id: string | null | undefined, patch: (t: TaskView) => TaskView): CaseFile =>
    set({ tasks: n.tasks.map((t) => (t.agencyId === id ? patch(t) : t)) });
  const appeal = (id: string, patch: (a: AppealView) => AppealView): CaseFile =>
    set({ appeals: n.appeals.map((a) => (a.appealId === id ? patch(a) : a)) });
  const flag = (limitId: string, dueAt: string, p: { warnedAt?: string; overdueAt?: string }): CaseFile => {
    const existing = n.deadlineFlags.find((x) => x.limitId === limitId && x.dueAt === dueAt);
    const updated = { limitId, dueAt, warnedAt: existing?.warnedAt ?? null, overdueAt: existing?.overdueAt ?? null, ...p };
    return set({ deadlineFlags: [...n.deadlineFlags.filter((x) => x !== existing), updated] });
  };
  switch (ev.type) {
    case C.PetitionClassified:
      return set({ demandClass: ev.data.demandClass, category: ev.data.category, route: ev.data.route, classifiedAt: e.occurredAt });
    case C.RoutedOut:
      return set({ routedOut: { route: ev.data.route, guidance: ev.data.guidance, agencyId: ev.data.agencyId, at: e.occurredAt }, routedAt: n.routedAt ?? e.occurredAt });
    case C.AgenciesAssigned: {
      const added = ev.data.agencies.map((a) => newTask(
        a.agencyId, a.role, e.occurredAt, a.acknowledgeDueAt, a.returnDueAt ?? addWorkingDays(e.occurredAt, LIMITS.returnWorkingDays),
      ));
      const kept = n.tasks.filter((t) => !added.some((a) => a.agencyId === t.agencyId));
      return set({ mode: ev.data.mode, tasks: [...kept, ...added], routedAt: n.routedAt ?? e.occurredAt });
    }
    case C.CoHandlerReleased:
      return task(ev.data.agencyId, (t) => ({ ...t, status: 'released' }));
    case C.CaseAnswered:
      return set({
        answer: { leadAgencyId: ev.data.leadAgencyId, outcome: ev.data.outcome, text: ev.data.text, at: e.occurredAt, repliedAt: ev.data.repliedAt ?? e.occurredAt },
      });
    case C.ReplyRated:
      return set({ rating: { rating: ev.data.rating, comment: ev.data.comment, at: e.occurredAt } });
    case C.RepeatPetitionLinked:
      return set({
        repeats: [...n.repeats, {
          at: e.occurredAt, channel: ev.data.channel, regionCode: ev.data.regionCode, subject: ev.data.subject, level: ev.data.level, matchedBy: ev.data.matchedBy,
          reception: ev.data.reception ?? null,
        }],
      });
    case C.RaisedAfterConclusion:
      return set({ raisedAfterConclusion: [...n.raisedAfterConclusion, { at: e.occurredAt, channel: ev.data.channel, regionCode: ev.data.regionCode, subject: ev.data.subject }] });
    case C.DisputeRaised:
      return set({
        disputes: [...n.disputes, {
          disputeId: ev.data.disputeId, raisedBy: ev.data.raisedBy, parties: ev.data.parties, reason: ev.data.reason, deciderId: ev.data.deciderId,
          deciderKind: ev.data.deciderKind, divisionCode: ev.data.divisionCode, raisedAt: e.occurredAt, decision: null,
        }],
      });
    case C.DisputeDecided: {
      const relieved = new Set(ev.data.relieved);
      return set({
        tasks: n.tasks.map((t) => (relieved.has(t.agencyId) ? { ...t, status: 'released' } : t)),
        disputes: n.disputes.map((d) => (d.disputeId === ev.data.disputeId
          ? { ...d, decision: { agencyId: ev.data.agencyId, relieved: ev.data.relieved, at: e.occurredAt } } : d)),
      });
    }
    case C.SupervisionIssued:
      return set({
        supervisions: [...n.supervisions, {
          supervisionId: ev.data.supervisionId, agencyId: ev.data.agencyId, reason: ev.data.reason, issuedAt: e.occurredAt,
          answerDueAt: ev.data.answerDueAt, answer: null, supervisorId: ev.data.supervisorId ?? null, automatic: ev.data.automatic ?? null,
          escalatedFrom: ev.data.escalatedFrom ?? null,
        }],
      });
    case C.AppealRequested:
      return set({
        appeals: [...n.appeals, {
          appealId: ev.data.appealId, kind: ev.data.kind, reason: ev.data.reason, appealedAgencyId: ev.data.appealedAgencyId,
          reviewerAgencyId: ev.data.reviewerAgencyId, requestedAt: e.occurredAt, requestDueAt: ev.data.requestDueAt,
          decisionDueAt: ev.data.decisionDueAt, hearing: null, decision: null,
        }],
      });
    case C.CaseConcluded:
      return set({ concluded: { at: e.occurredAt, appealId: ev.data.appealId } });
    case C.TaskTransferred: {
      const { fromAgencyId: from, toAgencyId: to } = ev.data;
      const old = n.tasks.find((t) => t.agencyId === from);
      if (!old) return n;
      const held = n.tasks.find((t) => t.agencyId === to && holdsTask(t));
      const successor: TaskView = held
        ? { ...held, role: old.role === 'lead' ? 'lead' : held.role }
        : { ...old, agencyId: to, transferredFrom: from, transferredTo: null };
      return set({
        tasks: [...n.tasks.filter((t) => t.agencyId !== to).map((t) => (t.agencyId === from ? { ...t, status: 'transferred' as const, transferredTo: to } : t)), successor],
        supervisions: n.supervisions.map((s) => (s.agencyId === from && !s.answer ? { ...s, agencyId: to } : s)),
        transfers: [...n.transfers, { fromAgencyId: from, toAgencyId: to, effectiveFrom: ev.data.effectiveFrom, at: e.occurredAt }],
      });
    }
    case C.TaskForceJoined:
      return set({ taskForces: [...n.taskForces, { taskForceId: ev.data.taskForceId, name: ev.data.name, leader: ev.data.leader, joinedAt: e.occurredAt }] });
    case C.CampaignEnrolled:
      return set({
        campaigns: [...n.campaigns, { campaignId: ev.data.campaignId, name: ev.data.name, from: ev.data.from, to: ev.data.to, enrolledAt: e.occurredAt }],
      });
    case C.DeadlineWarning:
      return flag(ev.data.limitId, ev.data.dueAt, { warnedAt: e.occurredAt });
    case C.DeadlineOverdue:
      return flag(ev.data.limitId, ev.data.dueAt, { overdueAt: e.occurredAt });
    case T.TaskAccepted:
      return task(e.agencyId, (t) => ({
        ...t, status: 'accepted', acceptedAt: e.occurredAt, acknowledgedInTime: ev.data.acknowledgedInTime, handleDueAt: ev.data.handleDueAt,
      }));
    case T.HandlingActionRecorded:
      return task(e.agencyId, (t) => ({ ...t, actions: [...t.actions, { kind: ev.data.kind, note: ev.data.note, at: e.occurredAt }] }));
    case T.OpinionSubmitted:
      return task(e.agencyId, (t) => ({ ...t, status: 'opinion-submitted', opinion: { text: ev.data.text, at: e.occurredAt } }));
    case T.ReplyIssued:
      return task(e.agencyId, (t) => ({
        ...t, status: 'replied', reply: { outcome: ev.data.outcome, text: ev.data.text, at: e.occurredAt, withinLimit: ev.data.withinLimit },
      }));
    case T.CompletionReportFiled:
      return task(e.agencyId, (t) => ({ ...t, completionReport: { text: ev.data.text, at: e.occurredAt } }));
    case T.TaskReturned:
      return task(e.agencyId, (t) => ({ ...t, status: 'returned', returned: { reason: ev.data.reason, at: e.occurredAt } }));
    case T.HandlingExtended:
      return task(e.agencyId, (t) => ({
        ...t, handleDueAt: ev.data.handleDueAt,
        extension: {
          days: ev.data.days, reason: ev.data.reason, previousDueAt: ev.data.previousDueAt, handleDueAt: ev.data.handleDueAt,
          petitionerNotice: ev.data.petitionerNotice, at: e.occurredAt,
        },
      }));
    case T.SupervisionAnswered:
      return set({
        supervisions: n.supervisions.map((s) => (s.supervisionId === ev.data.supervisionId
          ? { ...s, answer: { text: ev.data.text, at: e.occurredAt, withinLimit: ev.data.withinLimit } } : s)),
      });
    case A.HearingRecorded:
      return appeal(ev.data.appealId, (a) => ({
        ...a, decisionDueAt: ev.data.decisionDueAt,
        hearing: { heldFrom: ev.data.heldFrom, heldTo: ev.data.heldTo, days: ev.data.days, summary: ev.data.summary, at: e.occurredAt },
      }));
    case A.AppealDecided:
      return appeal(ev.data.appealId, (a) => ({
        ...a, decision: { outcome: ev.data.outcome, text: ev.data.text, at: e.occurredAt, withinLimit: ev.data.withinLimit },
      }));
    default:
      return n;
  }
}

/** Where the case stands, from the most advanced fact down. */
export function stepOf(f: CaseFile): CaseStep {
  if (f.concluded) return 'concluded';
  const pending = f.appeals.find((a) => !a.decision);
  if (pending) return pending.kind === 'review' ? 'review' : 're-review';
  if (f.appeals.some((a) => a.decision)) return 'reviewed';
  if (f.rating) return 'rated';
  if (f.answer) return 'answered';
  if (f.route !== null && f.route !== 'petition') return 'routed-out';
  if (f.disputes.some((d) => !d.decision)) return 'disputed';
  const held = f.tasks.filter(holdsTask);
  if (f.tasks.length > 0 && !held.some((t) => t.role === 'lead')) return 'returned';
  if (held.some((t) => t.acceptedAt)) return 'handling';
  if (held.length > 0) return 'assigned';
  if (f.route !== null) return 'classified';
  return 'registered';
}

/**
 * Open for Art. 19 repeats: within its handling period, i.e. until answered and again while a
 * 复查 / 复核 is pending. Kept in step with `isOpenForRepeats` of the case decider.
 */
export function isOpenCase(f: CaseFile): boolean {
  if (f.concluded || (f.route !== null && f.route !== 'petition')) return false;
  return f.answer === null || f.appeals.some((a) => !a.decision);
}

/** Every limit that applies to the case, with its due date, whether it was met, and its watch flags. */
export function limitsOf(f: CaseFile): Limit[] {
  const flags = new Map(f.deadlineFlags.map((x) => [`${x.limitId}@${x.dueAt}`, x]));
  const limit = (l: Omit<Limit, 'warnedAt' | 'overdueAt'>): Limit => {
    const fl = flags.get(`${l.id}@${l.dueAt}`);
    return { ...l, warnedAt: fl?.warnedAt ?? null, overdueAt: fl?.overdueAt ?? null };
  };
  const limits: Limit[] = [limit({
    id: 'route', kind: 'route', agencyId: null, holder: 'bureau', article: 'Art. 22', startedAt: f.registeredAt, dueAt: f.routeDueAt, metAt: f.routedAt,
  })];
  for (const t of f.tasks) {
    if (!holdsTask(t)) continue;
    limits.push(limit({
      id: `acknowledge:${t.agencyId}`, kind: 'acknowledge', agencyId: t.agencyId, holder: 'agency', article: 'Art. 23',
      startedAt: t.assignedAt, dueAt: t.acknowledgeDueAt, metAt: t.acceptedAt,
    }));
    if (t.handleDueAt && t.acceptedAt) {
      limits.push(limit({
        id: `handle:${t.agencyId}`, kind: 'handle', agencyId: t.agencyId, holder: 'agency', article: 'Art. 34',
        startedAt: t.acceptedAt, dueAt: t.handleDueAt, metAt: t.role === 'lead' ? t.reply?.at ?? null : t.opinion?.at ?? null,
        ...(t.extension ? { extendedByDays: t.extension.days } : {}),
      }));
    }
  }
  if (f.answer) {
    const review = f.appeals.find((a) => a.kind === 'review');
    limits.push(limit({
      id: 'review-request', kind: 'review-request', agencyId: null, holder: 'petitioner', article: 'Art. 35',
      startedAt: f.answer.repliedAt, dueAt: addCalendarDays(f.answer.repliedAt, LIMITS.appealRequestDays), metAt: review?.requestedAt ?? null,
    }));
    if (review?.decision) {
      const reReview = f.appeals.find((a) => a.kind === 're-review');
      limits.push(limit({
        id: 're-review-request', kind: 're-review-request', agencyId: null, holder: 'petitioner', article: 'Art. 36',
        startedAt: review.decision.at, dueAt: addCalendarDays(review.decision.at, LIMITS.appealRequestDays), metAt: reReview?.requestedAt ?? null,
      }));
    }
  }
  for (const a of f.appeals) {
    limits.push(limit({
      id: `appeal-decision:${a.appealId}`, kind: 'appeal-decision', agencyId: a.reviewerAgencyId, holder: 'agency',
      article: a.kind === 'review' ? 'Art. 35' : 'Art. 36', startedAt: a.requestedAt, dueAt: a.decisionDueAt, metAt: a.decision?.at ?? null,
      ...(a.hearing ? { notCountedDays: a.hearing.days } : {}),
    }));
  }
  for (const s of f.supervisions) {
    limits.push(limit({
      id: `supervision-answer:${s.supervisionId}`, kind: 'supervision-answer', agencyId: s.agencyId, holder: 'agency', article: 'Art. 40',
      startedAt: s.issuedAt, dueAt: s.answerDueAt, metAt: s.answer?.at ?? null,
    }));
  }
  return limits;
}
