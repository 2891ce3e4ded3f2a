import { addCalendarDays, localDate } from '../calendar';
import { CaseEventTypes, type CaseEvent } from '../case/case.events';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/errors';
import type { Recorded } from '../shared/events';
import { ensureNotBefore, isAfter } from '../shared/time';
import type { AppealKind } from '../shared/vocabulary';
import type { AppealCommand, DecideAppeal, RecordHearing } from './appeal.commands';
import { AppealEventTypes as A, type AppealEvent } from './appeal.events';

export interface AppealState {
  /** the agency deciding: the reviewer named on the request */
  agencyId: string;
  appeals: Record<string, {
    kind: AppealKind;
    reviewerAgencyId: string;
    requestedAt: string;
    decisionDueAt: string;
    hearing: boolean;
    decided: boolean;
  }>;
  concluded: boolean;
  lastEventAt: string | null;
}

export function initialAppealState(agencyId: string): AppealState {
  return { agencyId, appeals: {}, concluded: false, lastEventAt: null };
}

const DAY_MS = 86_400_000;

/** calendar days a hearing spans, both China dates counted: 5 June to 9 June is 5 days */
export function hearingDays(heldFrom: string, heldTo: string): number {
  return Math.round((Date.parse(localDate(heldTo)) - Date.parse(localDate(heldFrom))) / DAY_MS) + 1;
}

function appealFor(c: AppealCommand, s: AppealState) {
  const a = s.appeals[c.appealId];
  if (!a) refuse('APPEAL_NOT_FOUND', `no appeal ${c.appealId} on this case`);
  if (a.reviewerAgencyId !== s.agencyId) {
    refuse('NOT_THE_REVIEWER', `appeal ${c.appealId} is decided by ${a.reviewerAgencyId}`, a.kind === 'review' ? 'Art. 35' : 'Art. 36');
  }
  if (a.decided) refuse('APPEAL_ALREADY_DECIDED', `appeal ${c.appealId} is decided`, a.kind === 'review' ? 'Art. 35' : 'Art. 36');
  return a;
}

function recordHearing(c: RecordHearing, s: AppealState): AppealEvent[] {
  const a = appealFor(c, s);
  if (a.kind !== 're-review') refuse('HEARING_ONLY_IN_RE_REVIEW', 'a hearing (听证) whose days are not counted belongs to a 复核', 'Art. 36');
  if (a.hearing) refuse('HEARING_ALREADY_RECORDED', 'this 复核 has its hearing', 'Art. 36');
  if (isAfter(c.heldFrom, c.heldTo)) refuse('INVALID_HEARING_PERIOD', 'a hearing ends after it begins');
  if (isAfter(a.requestedAt, c.heldFrom)) refuse('HEARING_BEFORE_REQUEST', 'a hearing is held after the 复核 was requested', 'Art. 36');
  // Without this, a hearing set far ahead would stretch the limit without end.
  if (isAfter(c.heldFrom, a.decisionDueAt)) {
    refuse('HEARING_AFTER_LIMIT', `the hearing begins after the decision was due (${a.decisionDueAt})`, 'Art. 36', { decisionDueAt: a.decisionDueAt });
  }
  const days = hearingDays(c.heldFrom, c.heldTo);
  return [{
    type: A.HearingRecorded,
    data: {
      appealId: c.appealId, heldFrom: c.heldFrom, heldTo: c.heldTo, days, summary: c.summary,
      previousDueAt: a.decisionDueAt, decisionDueAt: addCalendarDays(a.decisionDueAt, days),
    },
  }];
}

function decide(c: DecideAppeal, s: AppealState): AppealEvent[] {
  const a = appealFor(c, s);
  return [{
    type: A.AppealDecided,
    data: {
      appealId: c.appealId, kind: a.kind, outcome: c.outcome, text: c.text,
      decisionDueAt: a.decisionDueAt, withinLimit: !isAfter(c.at, a.decisionDueAt),
    },
  }];
}

export function decideAppealCommand(c: AppealCommand, s: AppealState): AppealEvent[] {
  ensureNotBefore(c.at, s.lastEventAt);
  if (s.concluded) refuse('CASE_CONCLUDED', 'the matter was concluded (终结)', 'Art. 36');
  switch (c.kind) {
    case 'RecordHearing': return recordHearing(c, s);
    case 'DecideAppeal': return decide(c, s);
  }
}

export function evolveAppeal(s: AppealState, e: Recorded): AppealState {
  const next: AppealState = { ...s, lastEventAt: s.lastEventAt === null || isAfter(e.occurredAt, s.lastEventAt) ? e.occurredAt : s.lastEventAt };
  const ev = e as Recorded<CaseEvent | AppealEvent>;
  const update = (id: string, p: Partial<AppealState['appeals'][string]>): AppealState =>
    s.appeals[id] ? { ...next, appeals: { ...s.appeals, [id]: { ...s.appeals[id], ...p } } } : next;
  switch (ev.type) {
    case CaseEventTypes.AppealRequested:
      return {
        ...next,
        appeals: {
          ...s.appeals,
          [ev.data.appealId]: {
            kind: ev.data.kind, reviewerAgencyId: ev.data.reviewerAgencyId, requestedAt: ev.occurredAt,
            decisionDueAt: ev.data.decisionDueAt, hearing: false, decided: false,
          },
        },
      };
    case A.HearingRecorded:
      return update(ev.data.appealId, { hearing: true, decisionDueAt: ev.data.decisionDueAt });
    case A.AppealDecided:
      return update(ev.data.appealId, { decided: true });
    case CaseEventTypes.CaseConcluded:
      return { ...next, concluded: true };
    default:
      return next;
  }
}

/** The reviewing agency's decisions on 复查 / 复核, written to its own task stream. */
export function appealDecider(agencyId: string): Decider<AppealCommand, AppealState, AppealEvent> {
  return { decide: decideAppealCommand, evolve: evolveAppeal, initialState: () => initialAppealState(agencyId) };
}
