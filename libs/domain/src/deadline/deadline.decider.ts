import { evolveCaseFile, limitsOf, type CaseFile, type CaseFileEvent } from '../case-file/case-file';
import { CaseEventTypes as C, type DeadlineOverdue, type DeadlineWarning } from '../case/case.events';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/errors';
import type { Recorded } from '../shared/events';
import { ensureNotBefore, isAfter } from '../shared/time';
import type { WatchedLimitKind } from '../shared/vocabulary';

/** How many days before each kind of limit the watch warns (预警); 0 = no warning. */
export type WarningDays = Record<WatchedLimitKind, number>;

/** issued by the deadline watch on a tick, at that tick's time */
export interface CheckDeadlines {
  kind: 'CheckDeadlines';
  at: string;
  warningDays: WarningDays;
}

export type DeadlineEvent = DeadlineWarning | DeadlineOverdue;

export interface DeadlineState {
  file: CaseFile | null;
}

const DAY_MS = 86_400_000;

/**
 * The flags a check at `at` would raise. Each is keyed by its limit and due date, and raised
 * once: a check repeated — by a second tick, a redelivery, a restart — finds it recorded and
 * raises nothing. A limit that passed while nobody was watching gets its overdue flag on the
 * first check after, even if it was met late in the meantime; its warning, now pointless, is
 * not sent.
 */
export function dueDeadlineFlags(file: CaseFile, at: string, warningDays: WarningDays): DeadlineEvent[] {
  const out: DeadlineEvent[] = [];
  for (const l of limitsOf(file)) {
    if (l.holder === 'petitioner') continue;
    const flag = { limitId: l.id, kind: l.kind, agencyId: l.agencyId, article: l.article, dueAt: l.dueAt };
    const late = l.metAt ? isAfter(l.metAt, l.dueAt) : isAfter(at, l.dueAt);
    if (late) {
      if (!l.overdueAt) out.push({ type: C.DeadlineOverdue, data: { ...flag, metAt: l.metAt } });
      continue;
    }
    const days = warningDays[l.kind as WatchedLimitKind] ?? 0;
    if (l.metAt || l.warnedAt || days <= 0) continue;
    if (Date.parse(at) >= Date.parse(l.dueAt) - days * DAY_MS) out.push({ type: C.DeadlineWarning, data: { ...flag, warningDays: days } });
  }
  return out;
}

function decide(c: CheckDeadlines, s: DeadlineState): DeadlineEvent[] {
  if (!s.file) refuse('CASE_NOT_FOUND', 'no such case');
  ensureNotBefore(c.at, s.file.lastEventAt);
  return dueDeadlineFlags(s.file, c.at, c.warningDays);
}

function evolve(s: DeadlineState, e: Recorded): DeadlineState {
  const withCase = e as Recorded & Partial<CaseFileEvent>;
  return { file: evolveCaseFile(s.file, { ...withCase, caseId: withCase.caseId ?? '', region: withCase.region ?? '' }) };
}

/**
 * The deadline watch's decisions, appended to the case stream (the bureau watches limits,
 * DESIGN 2). It folds the same CaseFile the petitioner view shows, so the watch and the view
 * can never disagree about a limit.
 */
export const deadlineDecider: Decider<CheckDeadlines, DeadlineState, DeadlineEvent> = {
  decide,
  evolve,
  initialState: () => ({ file: null }),
};
