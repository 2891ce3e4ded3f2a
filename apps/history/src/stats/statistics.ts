import { CHANNELS, ONLINE_CHANNELS, type Channel } from '@lianban/domain';
import { regionOfAgency } from '@lianban/registry';
import { dueAt, handleDueAt, type AppealFacts, type CaseFacts, type TaskFacts } from '../projections/case-facts';
import { chinaMonth, chinaMonthStart, nextMonth } from '../moment';

/**
 * The statistics of DESIGN 4.5, computed from case facts. Pure: the facts, the question, and a
 * way to name groups go in; numbers come out.
 *
 * THE QUESTION. A period [from, to) (either end may be open), an evaluation moment E (the
 * request's asOf, else now), optional filters (the case's region; one agency) and a grouping.
 * The facts given are those valid at E, so nothing that happened after E is known. Everything
 * happening at a moment m is "in the period" when from ≤ m < to, and has happened when m ≤ E.
 *
 * WHEN A TASK IS DUE. Each task is counted in exactly one period per rate, the period in which
 * its outcome became certain (its reckoning moment r), so monthly figures add up to the year's:
 *
 * - 及时受理率 (acceptance): tasks acknowledged (受理告知) within their Art. 23 limit ÷ tasks due.
 *   r = the acceptance, if it came by the limit; otherwise the limit itself — at that moment the
 *   task is late for good, whether it is accepted later or never. So a task is due in a period
 *   when it was accepted in time within it, or its limit ran out within it unmet.
 * - 按期办结率 (completion): tasks completed within their Art. 34 handling limit (extensions
 *   included) ÷ tasks due. Completion is the lead's reply, or a co-handler's opinion. The limit
 *   is the one in force at completion (or at E while open). r = the completion when on time,
 *   else the limit. Only accepted tasks have a handling limit; one never accepted is counted by
 *   the acceptance rate and the backlog, not here.
 * - A task that left the case at or before its reckoning moment (released by the bureau or a
 *   dispute decision, returned as not competent, transferred) is not due: it no longer had to
 *   meet that limit. A successor that took over an abolished agency's task (Art. 24) answers
 *   for what is reckoned from the transfer on; what was reckoned before stays the predecessor's.
 * - 复查/复核 decisions (appealDecisions) are reckoned the same way against their 30 日 limit
 *   (moved by a 复核 hearing), under the reviewing agency.
 *
 * CASE COUNTS, each in the period of its moment:
 * - 满意率: ratings given in the period; (满意 + 基本满意) ÷ rated, and the 12345 hotline
 *   weighting (满意 + 0.9 × 基本满意) ÷ rated.
 * - 网上信访占比: registrations in the period through online, WeChat or the app ÷ registrations.
 * - repeat rate: repeat petitions (Art. 19, linked to an open case) received in the period ÷
 *   every petition received in it (new registrations + repeats).
 * - appeals: 复查 and 复核 requested in the period; their rate is 复查 requests ÷ cases answered
 *   in the period (a 复核 follows a 复查, so counting both would count one grievance twice).
 * - extensions: handling limits extended (Art. 34) in the period, under the extending agency.
 *
 * BACKLOG (积案) is a stock, taken at one moment B: the end of the period (its last
 * millisecond, or E if earlier); for the month grouping, each month's end. A task is in the
 * backlog when, as of B, it was assigned, not completed, not released, its case not answered,
 * and its limit had passed: the handling limit in force if accepted, else the acknowledgement
 * limit; so is a 复查/复核 not decided by its limit (the reviewer's task). A case registered but
 * not yet routed (assigned, or routed out by 诉访分离) after its Art. 22 limit is backlog of the
 * bureau ("unrouted"). `cases` counts cases with any of these. Deadline-watch events (预警,
 * overdue flags) are not read: the limits themselves are, so the backlog is exact at any moment,
 * including moments the watch never looked at.
 *
 * GROUPS. region and district are territorial (属地): a task counts under its case's region and
 * 行政区划 (regionCode), wherever the agency sits. agency: a task counts under its agency; case
 * counts (registrations, ratings, repeats) under the case's lead agency, "" while it has none.
 * month: the China-local month of each moment. The agency filter keeps that agency's tasks and
 * the cases it leads. Rates are null when nothing is due; shown to 4 decimals, with the counts
 * they come from.
 *
 * ONE REGION (the region filter; with two deployments, always the deployment's own, DESIGN 6).
 * A case is the region's where it was registered, and only there are its case counts made
 * (registrations, ratings, repeats, answers, appeals requested, the unrouted backlog): a copy of
 * the other region's joint case counts nowhere but at home. Agencies' work is counted one of
 * two ways, each a partition of all tasks between the regions, so adding the regions' figures
 * counts every case and every task once:
 * - territorial (totals, region, district, month): the tasks of the region's own cases, whoever
 *   works them — the other province's agency included, as the home bureau answers for its case;
 * - by agency (agency grouping, or an agency filter): the tasks of the region's own agencies,
 *   on whichever region's case — an agency is ranked and assessed at home, for all its work.
 *   With joint cases the two ways differ, so the totals of the agency grouping may differ from
 *   the other groupings' (the same for 复查/复核 decisions under the reviewing agency, and
 *   extensions under the extending one).
 */

export const GROUP_BYS = ['agency', 'district', 'region', 'month'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export interface StatsQuery {
  /** inclusive; null: from the beginning */
  from: string | null;
  /** exclusive; null: up to E */
  to: string | null;
  /** the evaluation moment E */
  at: string;
  region?: string;
  agencyId?: string;
  groupBy?: GroupBy;
}

export interface StatsRow {
  key: string;
  name: string;
  acceptance: { due: number; timely: number; rate: number | null };
  completion: { due: number; onTime: number; rate: number | null };
  satisfaction: {
    rated: number;
    satisfied: number;
    basicallySatisfied: number;
    dissatisfied: number;
    /** (满意 + 基本满意) ÷ rated */
    rate: number | null;
    /** (满意 + 0.9 × 基本满意) ÷ rated, the 12345 weighting */
    weightedRate: number | null;
  };
  registrations: { total: number; online: number; onlineShare: number | null; byChannel: Record<Channel, number> };
  repeats: { petitions: number; repeats: number; rate: number | null };
  extensions: number;
  appeals: {
    answered: number;
    requested: number;
    review: number;
    reReview: number;
    /** 复查 requested ÷ cases answered, in the period */
    rate: number | null;
  };
  appealDecisions: { due: number; onTime: number; rate: number | null };
  backlog: { at: string | null; tasks: number; unrouted: number; cases: number };
}

export interface RankEntry {
  rank: number;
  key: string;
  name: string;
  rate: number;
  due: number;
}

export interface StatsReport {
  from: string | null;
  to: string | null;
  asOf: string;
  filters: { region: string | null; agencyId: string | null };
  groupBy: GroupBy | null;
  totals: StatsRow;
  groups: StatsRow[];
  /** by the three rates, best first; ties share a rank. Absent for the month grouping. */
  rankings: { acceptance: RankEntry[]; completion: RankEntry[]; satisfaction: RankEntry[] } | null;
  /** the years the facts span (registrations), for pickers */
  coverage: { first: string | null; last: string | null };
}

export type GroupNamer = (groupBy: GroupBy, key: string) => string;

const MS = 1;

export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : round4(n / d));

interface Acc {
  ackDue: number;
  ackTimely: number;
  doneDue: number;
  doneOnTime: number;
  rated: number;
  satisfied: number;
  basic: number;
  dissatisfied: number;
  registrations: number;
  online: number;
  byChannel: Record<Channel, number>;
  repeats: number;
  extensions: number;
  answered: number;
  review: number;
  reReview: number;
  decisionsDue: number;
  decidedOnTime: number;
  backlogAt: string | null;
  backlogTasks: number;
  unrouted: number;
  backlogCases: Set<string>;
}

function newAcc(): Acc {
  return {
    ackDue: 0, ackTimely: 0, doneDue: 0, doneOnTime: 0, rated: 0, satisfied: 0, basic: 0, dissatisfied: 0,
    registrations: 0, online: 0, byChannel: Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>,
    repeats: 0, extensions: 0, answered: 0, review: 0, reReview: 0, decisionsDue: 0, decidedOnTime: 0, backlogAt: null, backlogTasks: 0, unrouted: 0, backlogCases: new Set(),
  };
}

function toRow(key: string, name: string, a: Acc): StatsRow {
  const petitions = a.registrations + a.repeats;
  return {
    key, name,
    acceptance: { due: a.ackDue, timely: a.ackTimely, rate: ratio(a.ackTimely, a.ackDue) },
    completion: { due: a.doneDue, onTime: a.doneOnTime, rate: ratio(a.doneOnTime, a.doneDue) },
    satisfaction: {
      rated: a.rated, satisfied: a.satisfied, basicallySatisfied: a.basic, dissatisfied: a.dissatisfied,
      rate: ratio(a.satisfied + a.basic, a.rated), weightedRate: ratio(a.satisfied + 0.9 * a.basic, a.rated),
    },
    registrations: { total: a.registrations, online: a.online, onlineShare: ratio(a.online, a.registrations), byChannel: a.byChannel },
    repeats: { petitions, repeats: a.repeats, rate: ratio(a.repeats, petitions) },
    extensions: a.extensions,
    appeals: {
      answered: a.answered, requested: a.review + a.reReview, review: a.review, reReview: a.reReview,
      rate: ratio(a.review, a.answered),
    },
    appealDecisions: { due: a.decisionsDue, onTime: a.decidedOnTime, rate: ratio(a.decidedOnTime, a.decisionsDue) },
    backlog: { at: a.backlogAt, tasks: a.backlogTasks, unrouted: a.unrouted, cases: a.backlogCases.size },
  };
}

/** has it happened by `at`? */
const by = (m: string | null | undefined, at: string): m is string => !!m && m <= at;

/** The acceptance reckoning of a task as of E: when its outcome became certain, and whether it was timely. */
export function acceptanceOf(t: TaskFacts, at: string): { r: string; timely: boolean } | null {
  const accepted = by(t.acceptedAt, at) ? t.acceptedAt : null;
  const timely = accepted !== null && accepted <= t.acknowledgeDueAt;
  const r = timely ? accepted! : t.acknowledgeDueAt;
  if (r > at || r < t.startedAt || !by(t.assignedAt, at)) return null;
  if (by(t.endedAt, at) && t.endedAt! <= r) return null;
  return { r, timely };
}

/** The completion reckoning of a task as of E (null: not due yet, or never will be). */
export function completionOf(t: TaskFacts, at: string): { r: string; onTime: boolean } | null {
  if (!by(t.acceptedAt, at)) return null;
  const done = by(t.completedAt, at) ? t.completedAt : null;
  const limit = handleDueAt(t, done ?? at);
  if (!limit) return null;
  const onTime = done !== null && done <= limit;
  const r = onTime ? done! : limit;
  if (r > at || r < t.startedAt) return null;
  if (by(t.endedAt, at) && t.endedAt! <= r) return null;
  return { r, onTime };
}

/** The reckoning of a 复查/复核 decision as of E, like a task's completion. */
export function appealDecisionOf(a: AppealFacts, at: string): { r: string; onTime: boolean } | null {
  if (!by(a.requestedAt, at)) return null;
  const decided = by(a.decidedAt, at) ? a.decidedAt : null;
  const limit = dueAt(a.decisionDue, decided ?? at);
  if (!limit) return null;
  const onTime = decided !== null && decided <= limit;
  const r = onTime ? decided! : limit;
  return r > at ? null : { r, onTime };
}

/** The limit a 复查/复核 decision had missed as of B, when it is backlog then. */
export function overdueAppealOf(a: AppealFacts, b: string): { dueAt: string } | null {
  if (!by(a.requestedAt, b) || by(a.decidedAt, b)) return null;
  const due = dueAt(a.decisionDue, b);
  return due && due < b ? { dueAt: due } : null;
}

/** The limit a task had missed as of B, when it is backlog then; null otherwise. */
export function overdueLimitOf(c: CaseFacts, t: TaskFacts, b: string): { kind: 'acknowledge' | 'handle'; dueAt: string } | null {
  if (!by(t.startedAt, b) || by(t.completedAt, b) || by(t.endedAt, b) || by(c.answeredAt, b) || by(c.concludedAt, b)) return null;
  if (by(t.acceptedAt, b)) {
    const due = handleDueAt(t, b);
    return due && due < b ? { kind: 'handle', dueAt: due } : null;
  }
  return t.acknowledgeDueAt < b ? { kind: 'acknowledge', dueAt: t.acknowledgeDueAt } : null;
}

/** Whether a case was registered and still not routed after its Art. 22 limit, as of B. */
export function unroutedAt(c: CaseFacts, b: string): boolean {
  return by(c.registeredAt, b) && !by(c.routedAt, b) && c.routeDueAt < b;
}

const minus1ms = (t: string) => new Date(Date.parse(t) - MS).toISOString();
const earlier = (a: string, b: string) => (a < b ? a : b);

/**
 * What one region counts (see ONE REGION above): its own cases' case counts, and the work of
 * its cases' tasks (territorial) or of its agencies (by agency). No region: everything.
 */
export function regionScope(region: string | undefined, byAgency: boolean) {
  const ownCase = (c: CaseFacts) => !region || c.region === region;
  const work = (c: CaseFacts, agencyId: string) => !region || (byAgency ? regionOfAgency(agencyId) === region : c.region === region);
  const anyOf = (c: CaseFacts) => ownCase(c) || (byAgency && (c.tasks.some((t) => work(c, t.agencyId)) || c.appeals.some((a) => work(c, a.reviewerAgencyId))));
  return { ownCase, work, anyOf };
}

export function computeStats(all: readonly CaseFacts[], q: StatsQuery, name: GroupNamer): StatsReport {
  const E = q.at;
  const inPeriod = (m: string | null | undefined): m is string => by(m, E) && (q.from === null || m! >= q.from) && (q.to === null || m! < q.to);
  const groupBy = q.groupBy ?? null;
  const scope = regionScope(q.region, groupBy === 'agency' || !!q.agencyId);
  // every case any of whose figures may count: the region's own, and the ones its agencies work on
  const cases = all.filter((c) => scope.anyOf(c));
  const leads = (c: CaseFacts) => scope.ownCase(c) && (!q.agencyId || c.leadAgencyId === q.agencyId);
  const mine = (c: CaseFacts, agencyId: string) => scope.work(c, agencyId) && (!q.agencyId || agencyId === q.agencyId);
  const tasksOf = (c: CaseFacts) => c.tasks.filter((t) => mine(c, t.agencyId));

  const total = newAcc();
  const groups = new Map<string, Acc>();
  const acc = (key: string): Acc => {
    let a = groups.get(key);
    if (!a) groups.set(key, (a = newAcc()));
    return a;
  };
  const caseKey = (c: CaseFacts, m: string): string =>
    groupBy === 'district' ? c.regionCode : groupBy === 'region' ? c.region : groupBy === 'agency' ? c.leadAgencyId ?? '' : chinaMonth(m);
  const taskKey = (c: CaseFacts, t: TaskFacts, m: string): string => (groupBy === 'agency' ? t.agencyId : caseKey(c, m));
  const both = (key: (() => string) | null, f: (a: Acc) => void) => {
    f(total);
    if (groupBy && key) f(acc(key()));
  };

  for (const c of cases) {
    if (leads(c)) {
      if (inPeriod(c.registeredAt)) {
        both(() => caseKey(c, c.registeredAt), (a) => {
          a.registrations++;
          a.byChannel[c.channel] = (a.byChannel[c.channel] ?? 0) + 1;
          if (ONLINE_CHANNELS.includes(c.channel)) a.online++;
        });
      }
      if (c.rating && inPeriod(c.ratedAt)) {
        both(() => caseKey(c, c.ratedAt!), (a) => {
          a.rated++;
          if (c.rating === 'satisfied') a.satisfied++;
          else if (c.rating === 'basically-satisfied') a.basic++;
          else a.dissatisfied++;
        });
      }
      for (const r of c.repeats) if (inPeriod(r)) both(() => caseKey(c, r), (a) => a.repeats++);
      if (inPeriod(c.answeredAt)) both(() => caseKey(c, c.answeredAt!), (a) => a.answered++);
      for (const ap of c.appeals) {
        if (inPeriod(ap.requestedAt)) both(() => caseKey(c, ap.requestedAt), (a) => (ap.kind === 'review' ? a.review++ : a.reReview++));
      }
    }
    for (const ap of c.appeals) {
      if (!mine(c, ap.reviewerAgencyId)) continue;
      const d = appealDecisionOf(ap, E);
      if (d && inPeriod(d.r)) {
        both(() => (groupBy === 'agency' ? ap.reviewerAgencyId : caseKey(c, d.r)), (a) => { a.decisionsDue++; if (d.onTime) a.decidedOnTime++; });
      }
    }
    for (const x of c.extensions) {
      if (mine(c, x.agencyId) && inPeriod(x.at)) both(() => (groupBy === 'agency' ? x.agencyId : caseKey(c, x.at)), (a) => a.extensions++);
    }
    for (const t of tasksOf(c)) {
      const ack = acceptanceOf(t, E);
      if (ack && inPeriod(ack.r)) both(() => taskKey(c, t, ack.r), (a) => { a.ackDue++; if (ack.timely) a.ackTimely++; });
      const done = completionOf(t, E);
      if (done && inPeriod(done.r)) both(() => taskKey(c, t, done.r), (a) => { a.doneDue++; if (done.onTime) a.doneOnTime++; });
    }
  }

  // backlog: one snapshot for the totals (and non-month groups), one per month for the month grouping
  const end = q.to === null ? E : earlier(minus1ms(q.to), E);
  const snapshot = (b: string, into: (key: (() => string) | null, f: (a: Acc) => void) => void) => {
    for (const c of cases) {
      if (!q.agencyId && scope.ownCase(c) && unroutedAt(c, b)) {
        into(() => (groupBy === 'agency' ? '' : caseKey(c, b)), (a) => { a.unrouted++; a.backlogCases.add(c.caseId); });
      }
      for (const t of tasksOf(c)) {
        if (overdueLimitOf(c, t, b)) into(() => taskKey(c, t, b), (a) => { a.backlogTasks++; a.backlogCases.add(c.caseId); });
      }
      for (const ap of c.appeals) {
        if (!mine(c, ap.reviewerAgencyId)) continue;
        if (overdueAppealOf(ap, b)) {
          into(() => (groupBy === 'agency' ? ap.reviewerAgencyId : caseKey(c, b)), (a) => { a.backlogTasks++; a.backlogCases.add(c.caseId); });
        }
      }
    }
  };
  const beginsBy = q.from === null || q.from <= end;
  total.backlogAt = beginsBy ? end : null;
  const months: string[] = [];
  if (beginsBy) {
    if (groupBy === 'month') {
      snapshot(end, (_key, f) => f(total));
      const first = q.from ?? cases.filter(scope.ownCase).reduce<string | null>((m, c) => (m === null || c.registeredAt < m ? c.registeredAt : m), null);
      if (first) {
        for (let m = chinaMonth(first); chinaMonthStart(m) <= end; m = nextMonth(m)) months.push(m);
        for (const m of months) {
          const b = earlier(minus1ms(chinaMonthStart(nextMonth(m))), end);
          const a = acc(m);
          a.backlogAt = b;
          snapshot(b, (_key, f) => f(a));
        }
      }
    } else {
      snapshot(end, both);
      for (const a of groups.values()) a.backlogAt = end;
    }
  }

  const keys = groupBy === 'month' ? months.filter((m) => groups.has(m)) : [...groups.keys()].sort();
  const rows = groupBy ? keys.map((k) => toRow(k, name(groupBy, k), groups.get(k)!)) : [];
  for (const r of rows) if (r.backlog.at === null) r.backlog.at = end;
  const registered = cases.filter(scope.ownCase).map((c) => c.registeredAt).filter((m) => m <= E).sort();
  return {
    from: q.from,
    to: q.to,
    asOf: E,
    filters: { region: q.region ?? null, agencyId: q.agencyId ?? null },
    groupBy,
    totals: toRow('all', '合计', total),
    groups: rows,
    rankings: groupBy && groupBy !== 'month' ? rankings(rows) : null,
    coverage: { first: registered[0] ?? null, last: registered[registered.length - 1] ?? null },
  };
}

function rankBy(rows: StatsRow[], pick: (r: StatsRow) => { rate: number | null; due: number }): RankEntry[] {
  const entries = rows
    .map((r) => ({ key: r.key, name: r.name, ...pick(r) }))
    .filter((e): e is { key: string; name: string; rate: number; due: number } => e.rate !== null)
    .sort((a, b) => b.rate - a.rate || b.due - a.due || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return entries.map((e) => ({ rank: 1 + entries.filter((x) => x.rate > e.rate).length, key: e.key, name: e.name, rate: e.rate, due: e.due }));
}

function rankings(rows: StatsRow[]): NonNullable<StatsReport['rankings']> {
  return {
    acceptance: rankBy(rows, (r) => ({ rate: r.acceptance.rate, due: r.acceptance.due })),
    completion: rankBy(rows, (r) => ({ rate: r.completion.rate, due: r.completion.due })),
    satisfaction: rankBy(rows, (r) => ({ rate: r.satisfaction.rate, due: r.satisfaction.rated })),
  };
}

export interface OverdueItem {
  caseId: string;
  caseNumber: string;
  subject: string;
  region: string;
  regionCode: string;
  /** null for a case the bureau has not routed */
  agencyId: string | null;
  role: string | null;
  limit: 'route' | 'acknowledge' | 'handle' | 'appeal-decision';
  dueAt: string;
  /** whole days past the limit at the moment asked */
  daysOverdue: number;
}

/** The backlog of the moment `at`, item by item, most overdue first (what the dashboard lists). */
export function overdueItems(all: readonly CaseFacts[], at: string, filter: { region?: string; agencyId?: string } = {}): OverdueItem[] {
  const out: OverdueItem[] = [];
  const days = (due: string) => Math.floor((Date.parse(at) - Date.parse(due)) / 86_400_000);
  // the same rule as the statistics: the region's cases, or with an agency asked for, its region's agencies' work
  const scope = regionScope(filter.region, !!filter.agencyId);
  const mine = (c: CaseFacts, agencyId: string) => scope.work(c, agencyId) && (!filter.agencyId || agencyId === filter.agencyId);
  for (const c of all) {
    if (!scope.anyOf(c)) continue;
    const base = { caseId: c.caseId, caseNumber: c.caseNumber, subject: c.subject, region: c.region, regionCode: c.regionCode };
    if (!filter.agencyId && scope.ownCase(c) && unroutedAt(c, at)) {
      out.push({ ...base, agencyId: null, role: null, limit: 'route', dueAt: c.routeDueAt, daysOverdue: days(c.routeDueAt) });
    }
    for (const t of c.tasks) {
      if (!mine(c, t.agencyId)) continue;
      const o = overdueLimitOf(c, t, at);
      if (o) out.push({ ...base, agencyId: t.agencyId, role: t.role, limit: o.kind, dueAt: o.dueAt, daysOverdue: days(o.dueAt) });
    }
    for (const ap of c.appeals) {
      if (!mine(c, ap.reviewerAgencyId)) continue;
      const o = overdueAppealOf(ap, at);
      if (o) out.push({ ...base, agencyId: ap.reviewerAgencyId, role: ap.kind, limit: 'appeal-decision', dueAt: o.dueAt, daysOverdue: days(o.dueAt) });
    }
  }
  return out.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.caseNumber < b.caseNumber ? -1 : 1));
}
