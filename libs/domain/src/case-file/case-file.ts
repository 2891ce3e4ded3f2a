import { CaseEventTypes as C, type CaseEvent, type SealedPetitioner } from '../case/case.events';
import type { Recorded } from '../shared/events';
import { isAfter } from '../shared/time';
import type { AssignmentMode, Channel, DemandClass, Rating, ReplyOutcome, Route, TaskRole } from '../shared/vocabulary';
import { TaskEventTypes as T, type TaskEvent } from '../task/task.events';

/**
 * The whole case — case stream and every task stream — folded into one view. It is what
 * `GET /v1/cases/{id}` and the petitioner's status page show; a read model, not a decider.
 */
export interface TaskView {
  agencyId: string;
  role: TaskRole;
  status: 'assigned' | 'accepted' | 'opinion-submitted' | 'replied' | 'released';
  assignedAt: string;
  acknowledgeDueAt: string;
  acceptedAt: string | null;
  acknowledgedInTime: boolean | null;
  handleDueAt: string | null;
  actions: { kind: string; note: string; at: string }[];
  opinion: { text: string; at: string } | null;
  reply: { outcome: ReplyOutcome; text: string; at: string; withinLimit: boolean } | null;
}

export type CaseStep = 'registered' | 'classified' | 'routed-out' | 'assigned' | 'handling' | 'answered' | 'rated';

export interface Limit {
  /** what must happen: route, acknowledge, handle */
  kind: 'route' | 'acknowledge' | 'handle';
  agencyId: string | null;
  article: string;
  dueAt: string;
  /** when it was met, or null while open */
  metAt: string | null;
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
  demandClass: DemandClass | null;
  category: string | null;
  route: Route | null;
  classifiedAt: string | null;
  mode: AssignmentMode | null;
  tasks: TaskView[];
  answer: { leadAgencyId: string; outcome: ReplyOutcome; text: string; at: string } | null;
  rating: { rating: Rating; comment: string | null; at: string } | null;
  step: CaseStep;
  lastEventAt: string;
  eventCount: number;
}

export interface CaseFileEvent extends Recorded {
  caseId: string;
  region: string;
}

export function foldCaseFile(events: Iterable<CaseFileEvent>): CaseFile | null {
  let f: CaseFile | null = null;
  for (const e of events) f = evolveCaseFile(f, e);
  return f;
}

export function evolveCaseFile(f: CaseFile | null, e: CaseFileEvent): CaseFile | null {
  const ev = e as CaseFileEvent & Recorded<CaseEvent | TaskEvent>;
  if (ev.type === C.PetitionRegistered) {
    const d = ev.data;
    return {
      caseId: e.caseId, caseNumber: d.caseNumber, region: e.region, regionCode: d.regionCode, channel: d.channel,
      petitioner: d.petitioner, subject: d.subject, content: d.content, registeredAt: e.occurredAt, routeDueAt: d.routeDueAt,
      demandClass: d.demandClass, category: null, route: null, classifiedAt: null, mode: null, tasks: [], answer: null,
      rating: null, step: 'registered', lastEventAt: e.occurredAt, eventCount: 1,
    };
  }
  if (!f) return f;
  const n: CaseFile = { ...f, lastEventAt: isAfter(e.occurredAt, f.lastEventAt) ? e.occurredAt : f.lastEventAt, eventCount: f.eventCount + 1 };
  const task = (id: string | null | undefined, patch: (t: TaskView) => TaskView): CaseFile => ({
    ...n, tasks: n.tasks.map((t) => (t.agencyId === id ? patch(t) : t)),
  });
  switch (ev.type) {
    case C.PetitionClassified:
      return {
        ...n, demandClass: ev.data.demandClass, category: ev.data.category, route: ev.data.route, classifiedAt: e.occurredAt,
        step: ev.data.route === 'petition' ? 'classified' : 'routed-out',
      };
    case C.AgenciesAssigned: {
      const added: TaskView[] = ev.data.agencies.map((a) => ({
        agencyId: a.agencyId, role: a.role, status: 'assigned', assignedAt: e.occurredAt, acknowledgeDueAt: a.acknowledgeDueAt,
        acceptedAt: null, acknowledgedInTime: null, handleDueAt: null, actions: [], opinion: null, reply: null,
      }));
      const kept = n.tasks.filter((t) => !added.some((a) => a.agencyId === t.agencyId));
      return { ...n, mode: ev.data.mode, tasks: [...kept, ...added], step: n.step === 'handling' ? 'handling' : 'assigned' };
    }
    case C.CoHandlerReleased:
      return task(ev.data.agencyId, (t) => ({ ...t, status: 'released' }));
    case C.CaseAnswered:
      return { ...n, answer: { leadAgencyId: ev.data.leadAgencyId, outcome: ev.data.outcome, text: ev.data.text, at: e.occurredAt }, step: 'answered' };
    case C.ReplyRated:
      return { ...n, rating: { rating: ev.data.rating, comment: ev.data.comment, at: e.occurredAt }, step: 'rated' };
    case T.TaskAccepted: {
      const m = task(e.agencyId, (t) => ({
        ...t, status: 'accepted', acceptedAt: e.occurredAt, acknowledgedInTime: ev.data.acknowledgedInTime, handleDueAt: ev.data.handleDueAt,
      }));
      return { ...m, step: m.step === 'assigned' ? 'handling' : m.step };
    }
    case T.HandlingActionRecorded:
      return task(e.agencyId, (t) => ({ ...t, actions: [...t.actions, { kind: ev.data.kind, note: ev.data.note, at: e.occurredAt }] }));
    case T.OpinionSubmitted:
      return task(e.agencyId, (t) => ({ ...t, status: 'opinion-submitted', opinion: { text: ev.data.text, at: e.occurredAt } }));
    case T.ReplyIssued:
      return task(e.agencyId, (t) => ({
        ...t, status: 'replied', reply: { outcome: ev.data.outcome, text: ev.data.text, at: e.occurredAt, withinLimit: ev.data.withinLimit },
      }));
    default:
      return n;
  }
}

/** Every limit that applies to the case, with its due date and whether it was met (for the petitioner view). */
export function limitsOf(f: CaseFile): Limit[] {
  const limits: Limit[] = [{
    kind: 'route', agencyId: null, article: 'Art. 22', dueAt: f.routeDueAt,
    metAt: f.tasks.length > 0 ? f.tasks.map((t) => t.assignedAt).sort()[0] : f.step === 'routed-out' ? f.classifiedAt : null,
  }];
  for (const t of f.tasks) {
    if (t.status === 'released') continue;
    limits.push({ kind: 'acknowledge', agencyId: t.agencyId, article: 'Art. 23', dueAt: t.acknowledgeDueAt, metAt: t.acceptedAt });
    if (t.handleDueAt) {
      const done = t.role === 'lead' ? t.reply?.at ?? null : t.opinion?.at ?? null;
      limits.push({ kind: 'handle', agencyId: t.agencyId, article: 'Art. 34', dueAt: t.handleDueAt, metAt: done });
    }
  }
  return limits;
}
