import type { StoredEvent } from '@lianban/contracts';
import {
  AppealEventTypes as A,
  CaseEventTypes as C,
  evolveCaseFile,
  holdsTask,
  type AppealRequested,
  type CaseFile,
  type Channel,
  type CoHandlerReleased,
  type DisputeDecided,
  type HearingRecorded,
  type Rating,
  type TaskRole,
} from '@lianban/domain';
import { iso } from '../moment';

/**
 * What the statistics need to know about one case, and nothing more: every moment that starts
 * or ends a limit, dated. It is folded from the case's events by the domain's own CaseFile
 * fold (case state is never derived twice) plus the few moments the CaseFile does not date.
 *
 * Change FACTS_VERSION whenever what is derived here changes: stored projections built by an
 * older derivation are then rebuilt at start-up instead of being served.
 */
export const FACTS_VERSION = 'case-facts/3';

/** A limit and every move of it, oldest first, each dated: the limit in force at any moment is known. */
export type DueHistory = { at: string; dueAt: string }[];

export interface TaskFacts {
  agencyId: string;
  role: TaskRole;
  assignedAt: string;
  /**
   * When this agency took the task on: its assignment, or for a successor (Art. 24, an abolished
   * agency's task passed on) the transfer. What was reckoned before belongs to the predecessor.
   */
  startedAt: string;
  /** Art. 23: 告知 due */
  acknowledgeDueAt: string;
  acceptedAt: string | null;
  /** Art. 34: the 60 日 set at acceptance, then the extension (Art. 34, once, ≤30 日) */
  handleDue: DueHistory;
  /** the lead's reply, or a co-handler's opinion */
  completedAt: string | null;
  /** when the agency left the case without completing: released (by the bureau or a dispute decision), returned (退回), transferred */
  endedAt: string | null;
  ended: 'released' | 'returned' | 'transferred' | null;
}

export interface AppealFacts {
  appealId: string;
  kind: 'review' | 're-review';
  reviewerAgencyId: string;
  requestedAt: string;
  /** Art. 35, 36: 30 日; a 复核 hearing moves it */
  decisionDue: DueHistory;
  decidedAt: string | null;
}

export interface CaseFacts {
  caseId: string;
  caseNumber: string;
  subject: string;
  region: string;
  /** 行政区划代码 of the place the matter concerns: the district it is counted under */
  regionCode: string;
  channel: Channel;
  registeredAt: string;
  routeDueAt: string;
  /** first assignment, or the routing out of the petition track (诉访分离) */
  routedAt: string | null;
  routedOut: boolean;
  leadAgencyId: string | null;
  answeredAt: string | null;
  /** 终结 after 复核 */
  concludedAt: string | null;
  rating: Rating | null;
  ratedAt: string | null;
  /** moments repeat petitions (Art. 19) were linked to this case */
  repeats: string[];
  tasks: TaskFacts[];
  /** moments handling limits were extended, with the agency */
  extensions: { agencyId: string; at: string }[];
  appeals: AppealFacts[];
}

/**
 * The stored form of a version's facts: JSON arrays in the field order below, without the key
 * names. A rebuild writes one snapshot per moment of a case, and the names were two fifths of
 * its bytes. decodeFacts builds the objects with their keys in the interfaces' order, so the
 * decoded facts serialise as factsOf's do. A field added to the facts goes in both functions
 * (decodeFacts's object literals do not compile without it) and changes FACTS_VERSION.
 */
export function encodeFacts(f: CaseFacts): string {
  const row: CaseRow = [
    f.caseId, f.caseNumber, f.subject, f.region, f.regionCode, f.channel, f.registeredAt, f.routeDueAt, f.routedAt, f.routedOut,
    f.leadAgencyId, f.answeredAt, f.concludedAt, f.rating, f.ratedAt, f.repeats,
    f.tasks.map((t): TaskRow => [t.agencyId, t.role, t.assignedAt, t.startedAt, t.acknowledgeDueAt, t.acceptedAt, flatDue(t.handleDue), t.completedAt, t.endedAt, t.ended]),
    f.extensions.map((x): [string, string] => [x.agencyId, x.at]),
    f.appeals.map((a): AppealRow => [a.appealId, a.kind, a.reviewerAgencyId, a.requestedAt, flatDue(a.decisionDue), a.decidedAt]),
  ];
  return JSON.stringify(row);
}

export function decodeFacts(text: string): CaseFacts {
  const [caseId, caseNumber, subject, region, regionCode, channel, registeredAt, routeDueAt, routedAt, routedOut,
    leadAgencyId, answeredAt, concludedAt, rating, ratedAt, repeats, tasks, extensions, appeals] = JSON.parse(text) as CaseRow;
  return {
    caseId, caseNumber, subject, region, regionCode, channel, registeredAt, routeDueAt, routedAt, routedOut,
    leadAgencyId, answeredAt, concludedAt, rating, ratedAt, repeats,
    tasks: tasks.map((t) => ({
      agencyId: t[0], role: t[1], assignedAt: t[2], startedAt: t[3], acknowledgeDueAt: t[4], acceptedAt: t[5],
      handleDue: dueOfFlat(t[6]), completedAt: t[7], endedAt: t[8], ended: t[9],
    })),
    extensions: extensions.map((x) => ({ agencyId: x[0], at: x[1] })),
    appeals: appeals.map((a) => ({
      appealId: a[0], kind: a[1], reviewerAgencyId: a[2], requestedAt: a[3], decisionDue: dueOfFlat(a[4]), decidedAt: a[5],
    })),
  };
}

type S = string;
type CaseRow = [
  S, S, S, S, S, Channel, S, S, S | null, boolean, S | null, S | null, S | null, Rating | null, S | null, S[],
  TaskRow[], [S, S][], AppealRow[],
];
type TaskRow = [S, TaskRole, S, S, S, S | null, S[], S | null, S | null, TaskFacts['ended']];
type AppealRow = [S, AppealFacts['kind'], S, S, S[], S | null];

/** a DueHistory flattened: at, dueAt, at, dueAt … */
function flatDue(history: DueHistory): string[] {
  const out: string[] = [];
  for (const h of history) out.push(h.at, h.dueAt);
  return out;
}

function dueOfFlat(flat: string[]): DueHistory {
  const out: DueHistory = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ at: flat[i], dueAt: flat[i + 1] });
  return out;
}

/** Moments the CaseFile does not date. */
interface Extra {
  releasedAt: Record<string, string>;
  appealDue: Record<string, DueHistory>;
}

export interface FoldState {
  file: CaseFile | null;
  extra: Extra;
}

export function initialFoldState(): FoldState {
  return { file: null, extra: { releasedAt: {}, appealDue: {} } };
}

type ExtraRule = (x: Extra, e: StoredEvent) => Extra;

/**
 * Rules for the moments the CaseFile does not date, one per event type. An event type with no
 * rule passes through the CaseFile fold only, so a new type of the procedure never breaks the
 * projection: at worst it is not counted until it is given a rule here.
 */
const EXTRA_RULES: Record<string, ExtraRule | undefined> = {
  [C.CoHandlerReleased]: (x, e) => released(x, [(e.data as CoHandlerReleased['data']).agencyId], e.occurredAt),
  [C.DisputeDecided]: (x, e) => released(x, (e.data as DisputeDecided['data']).relieved, e.occurredAt),
  [C.AgenciesAssigned]: (x, e) => {
    // an agency assigned again after its release holds a new task: its old release is history
    const releasedAt = { ...x.releasedAt };
    for (const a of (e.data as { agencies: { agencyId: string }[] }).agencies) delete releasedAt[a.agencyId];
    return { ...x, releasedAt };
  },
  [C.AppealRequested]: (x, e) => {
    const d = e.data as AppealRequested['data'];
    return { ...x, appealDue: { ...x.appealDue, [d.appealId]: [{ at: iso(e.occurredAt), dueAt: iso(d.decisionDueAt) }] } };
  },
  [A.HearingRecorded]: (x, e) => {
    const d = e.data as HearingRecorded['data'];
    const before = x.appealDue[d.appealId] ?? [];
    return { ...x, appealDue: { ...x.appealDue, [d.appealId]: [...before, { at: iso(e.occurredAt), dueAt: iso(d.decisionDueAt) }] } };
  },
};

function released(x: Extra, agencyIds: readonly string[], at: string): Extra {
  const releasedAt = { ...x.releasedAt };
  for (const id of agencyIds) releasedAt[id] = iso(at);
  return { ...x, releasedAt };
}

export function evolveFold(s: FoldState, e: StoredEvent): FoldState {
  const file = evolveCaseFile(s.file, e);
  const rule = EXTRA_RULES[e.type];
  return { file, extra: rule && file ? rule(s.extra, e) : s.extra };
}

const when = (at: string | null | undefined): string | null => (at ? iso(at) : null);

/** The facts of a folded case; null until it is registered. */
export function factsOf(s: FoldState): CaseFacts | null {
  const f = s.file;
  if (!f) return null;
  const transferAt = (pick: (t: CaseFile['transfers'][number]) => boolean): string | null => {
    const found = f.transfers.filter(pick);
    return found.length ? iso(found[found.length - 1].at) : null;
  };
  const tasks: TaskFacts[] = f.tasks.map((t) => {
    const completedAt = t.role === 'lead' ? t.reply?.at : t.opinion?.at;
    let endedAt: string | null = null;
    let ended: TaskFacts['ended'] = null;
    if (t.status === 'released') [endedAt, ended] = [s.extra.releasedAt[t.agencyId] ?? null, 'released'];
    else if (t.status === 'returned') [endedAt, ended] = [when(t.returned?.at), 'returned'];
    else if (t.status === 'transferred') [endedAt, ended] = [transferAt((x) => x.fromAgencyId === t.agencyId), 'transferred'];
    const takenOver = t.transferredFrom ? transferAt((x) => x.toAgencyId === t.agencyId) : null;
    const handleDue: DueHistory = [];
    if (t.acceptedAt && t.handleDueAt) {
      if (t.extension) {
        handleDue.push({ at: iso(t.acceptedAt), dueAt: iso(t.extension.previousDueAt) }, { at: iso(t.extension.at), dueAt: iso(t.extension.handleDueAt) });
      } else {
        handleDue.push({ at: iso(t.acceptedAt), dueAt: iso(t.handleDueAt) });
      }
    }
    return {
      agencyId: t.agencyId,
      role: t.role,
      assignedAt: iso(t.assignedAt),
      startedAt: takenOver ?? iso(t.assignedAt),
      acknowledgeDueAt: iso(t.acknowledgeDueAt),
      acceptedAt: when(t.acceptedAt),
      handleDue,
      completedAt: when(completedAt),
      // a departure whose moment no event dated counts as from the start: never due
      endedAt: ended ? endedAt ?? iso(t.assignedAt) : null,
      ended,
    };
  });
  const lead = f.tasks.find((t) => t.role === 'lead' && holdsTask(t));
  return {
    caseId: f.caseId,
    caseNumber: f.caseNumber,
    subject: f.subject,
    region: f.region,
    regionCode: f.regionCode,
    channel: f.channel,
    registeredAt: iso(f.registeredAt),
    routeDueAt: iso(f.routeDueAt),
    routedAt: when(f.routedAt),
    routedOut: f.route !== null && f.route !== 'petition',
    leadAgencyId: lead?.agencyId ?? null,
    answeredAt: when(f.answer?.at),
    concludedAt: when(f.concluded?.at),
    rating: f.rating?.rating ?? null,
    ratedAt: when(f.rating?.at),
    repeats: f.repeats.map((r) => iso(r.at)),
    tasks,
    extensions: f.tasks.filter((t) => t.extension).map((t) => ({ agencyId: t.agencyId, at: iso(t.extension!.at) })),
    appeals: f.appeals.map((a) => ({
      appealId: a.appealId,
      kind: a.kind,
      reviewerAgencyId: a.reviewerAgencyId,
      requestedAt: iso(a.requestedAt),
      decisionDue: s.extra.appealDue[a.appealId] ?? [{ at: iso(a.requestedAt), dueAt: iso(a.decisionDueAt) }],
      decidedAt: when(a.decision?.at),
    })),
  };
}

/** The limit in force at a moment out of a dated history, or null before the first. */
export function dueAt(history: DueHistory, at: string): string | null {
  let due: string | null = null;
  for (const h of history) if (h.at <= at) due = h.dueAt;
  return due;
}

/** The limit of a task's handling in force at a moment (extension included), or null before acceptance. */
export function handleDueAt(t: TaskFacts, at: string): string | null {
  return dueAt(t.handleDue, at);
}
