import type { DomainEvent } from '../shared/events';
import type { AppealKind, AppealOutcome } from '../shared/vocabulary';

/**
 * Events of a reviewing agency on an appeal, in that agency's task stream
 * `task-<caseId>-<reviewerAgencyId>` (DESIGN 3.1: appeal decisions belong to the reviewer).
 */
export const AppealEventTypes = {
  /** 听证 in a 复核; its days are not counted in the 30 日 (Art. 36) */
  HearingRecorded: 'lianban.appeal.hearing-recorded.v1',
  /** 复查意见 (Art. 35) or 复核意见 (Art. 36) */
  AppealDecided: 'lianban.appeal.decided.v1',
} as const;

export type HearingRecorded = DomainEvent<typeof AppealEventTypes.HearingRecorded, {
  appealId: string;
  heldFrom: string;
  heldTo: string;
  /** calendar days the hearing spans (China dates, both ends counted) */
  days: number;
  summary: string;
  previousDueAt: string;
  decisionDueAt: string;
}>;

export type AppealDecided = DomainEvent<typeof AppealEventTypes.AppealDecided, {
  appealId: string;
  kind: AppealKind;
  outcome: AppealOutcome;
  text: string;
  decisionDueAt: string;
  withinLimit: boolean;
}>;

export type AppealEvent = HearingRecorded | AppealDecided;
