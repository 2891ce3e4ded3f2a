import { addCalendarDays, localDate } from '../calendar';
import { limitsOf, type CaseFile } from '../case-file/case-file';
import { CaseEventTypes as C, type SupervisionIssued } from '../case/case.events';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/errors';
import { ensureNotBefore, isAfter } from '../shared/time';
import { LIMIT_NAMES, type AutoSupervisedLimitKind, type LimitKind } from '../shared/vocabulary';
import { deadlineDecider, type DeadlineState } from './deadline.decider';

/**
 * How the bureau supervises (督办, Art. 40) without being asked: configured per deployment,
 * plus the registry's answers for the agencies of the case — the decider cannot ask the
 * registry itself, so the watch hands them in.
 */
export interface SupervisionPolicy {
  /** 督办 automatically when an agency's limit of these kinds passes unmet; empty = never */
  automaticKinds: readonly AutoSupervisedLimitKind[];
  /** 提级督办: a 督办 whose written answer is late is supervised again one division level up */
  escalate: boolean;
  /** 日 allowed for the written answer */
  answerDays: number;
  /** agency → the petition bureau that supervises it; missing or null when the registry knows none */
  supervisorOf: Readonly<Record<string, string | null>>;
  /** bureau → the petition bureau one division level up; null at the top of the registry */
  bureauAbove: Readonly<Record<string, string | null>>;
}

export interface DueSupervision {
  /**
   * What the supervision is for, stable across checks: `auto:<limitId>@<dueAt>` or
   * `escalate:<supervisionId>`. The watch keys the fresh ids it supplies by it.
   */
  key: string;
  agencyId: string;
  supervisorId: string | null;
  reason: string;
  automatic?: { limitId: string; kind: LimitKind; dueAt: string };
  escalatedFrom?: string;
}

/** issued by the deadline watch after its flags, at the same tick's time */
export interface SuperviseOverdue {
  kind: 'SuperviseOverdue';
  at: string;
  policy: SupervisionPolicy;
  /** fresh supervision ids, by DueSupervision key; a due supervision without one waits for the next check */
  ids: Readonly<Record<string, string>>;
}

/**
 * The 督办 a check at `at` would issue:
 * - automatic: an agency's limit of a configured kind has passed and is still unmet. Keyed by
 *   the limit and its due date, so a limit gets one automatic 督办 however often the watch
 *   looks — after a restart, on two coordinators at once — and a new due date (an extension
 *   that passed as well) gets its own. A limit met late before the watch saw it is not
 *   supervised: there is nothing left to urge.
 * - escalated: a 督办 still without its written answer after its answer limit is supervised by
 *   the petition bureau one division level above the one that issued it, once per 督办; its
 *   own late answer moves it up again, until the registry has no level above.
 */
export function dueSupervisions(file: CaseFile, at: string, policy: SupervisionPolicy): DueSupervision[] {
  const out: DueSupervision[] = [];
  const kinds: readonly string[] = policy.automaticKinds;
  for (const l of limitsOf(file)) {
    if (l.holder !== 'agency' || !l.agencyId || l.metAt || !kinds.includes(l.kind) || !isAfter(at, l.dueAt)) continue;
    if (file.supervisions.some((s) => s.automatic?.limitId === l.id && s.automatic.dueAt === l.dueAt)) continue;
    out.push({
      key: `auto:${l.id}@${l.dueAt}`,
      agencyId: l.agencyId,
      supervisorId: policy.supervisorOf[l.agencyId] ?? null,
      reason: `${LIMIT_NAMES[l.kind]}期限 ${localDate(l.dueAt)} 已过仍未办理，自动督办（${l.article}）`,
      automatic: { limitId: l.id, kind: l.kind, dueAt: l.dueAt },
    });
  }
  if (!policy.escalate) return out;
  for (const s of file.supervisions) {
    if (s.answer || !isAfter(at, s.answerDueAt)) continue;
    if (file.supervisions.some((x) => x.escalatedFrom === s.supervisionId)) continue;
    const from = s.supervisorId ?? policy.supervisorOf[s.agencyId] ?? null;
    const above = from ? policy.bureauAbove[from] ?? null : null;
    if (!above) continue;
    out.push({
      key: `escalate:${s.supervisionId}`,
      agencyId: s.agencyId,
      supervisorId: above,
      reason: `督办书面反馈期限 ${localDate(s.answerDueAt)} 已过仍未反馈，提级督办`,
      escalatedFrom: s.supervisionId,
    });
  }
  return out;
}

function decide(c: SuperviseOverdue, s: DeadlineState): SupervisionIssued[] {
  if (!s.file) refuse('CASE_NOT_FOUND', 'no such case');
  ensureNotBefore(c.at, s.file.lastEventAt);
  const answerDueAt = addCalendarDays(c.at, c.policy.answerDays);
  return dueSupervisions(s.file, c.at, c.policy)
    .filter((d) => c.ids[d.key])
    .map((d) => ({
      type: C.SupervisionIssued,
      data: {
        supervisionId: c.ids[d.key], agencyId: d.agencyId, reason: d.reason, answerDueAt,
        ...(d.supervisorId ? { supervisorId: d.supervisorId } : {}),
        ...(d.automatic ? { automatic: d.automatic } : {}),
        ...(d.escalatedFrom ? { escalatedFrom: d.escalatedFrom } : {}),
      },
    }));
}

/**
 * The deadline watch's 督办 (Art. 40), appended to the case stream. It folds the same CaseFile
 * as the flags, so what is overdue for the flags is overdue for supervision.
 */
export const supervisionWatchDecider: Decider<SuperviseOverdue, DeadlineState, SupervisionIssued> = {
  decide,
  evolve: deadlineDecider.evolve,
  initialState: deadlineDecider.initialState,
};
