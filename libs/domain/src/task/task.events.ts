import type { DomainEvent } from '../shared/events';
import type { ActionKind, ReplyOutcome } from '../shared/vocabulary';

/** Events of a task stream `task-<caseId>-<agencyId>`, written by that agency's service. */
export const TaskEventTypes = {
  /** 受理 and 告知: the agency takes the matter on and tells the petitioner (Art. 23) */
  TaskAccepted: 'lianban.task.accepted.v1',
  /** 办理措施: investigation, mediation, site visit… (Art. 31, 33) */
  HandlingActionRecorded: 'lianban.task.action-recorded.v1',
  /** 协办意见: a co-handler's opinion for the lead (Art. 24) */
  OpinionSubmitted: 'lianban.task.opinion-submitted.v1',
  /** 答复 / 信访处理意见书 by the lead (Art. 32) */
  ReplyIssued: 'lianban.task.reply-issued.v1',
} as const;

export type TaskAccepted = DomainEvent<typeof TaskEventTypes.TaskAccepted, {
  /** Art. 23: was the petitioner told within 15 日 of receipt? */
  acknowledgedInTime: boolean;
  acknowledgeDueAt: string;
  /** Art. 34: 60 日 from acceptance */
  handleDueAt: string;
}>;

export type HandlingActionRecorded = DomainEvent<typeof TaskEventTypes.HandlingActionRecorded, {
  kind: ActionKind;
  note: string;
}>;

export type OpinionSubmitted = DomainEvent<typeof TaskEventTypes.OpinionSubmitted, {
  text: string;
}>;

export type ReplyIssued = DomainEvent<typeof TaskEventTypes.ReplyIssued, {
  outcome: ReplyOutcome;
  text: string;
  /** Art. 34: replied within the (extended) handling limit? */
  withinLimit: boolean;
  handleDueAt: string;
}>;

export type TaskEvent = TaskAccepted | HandlingActionRecorded | OpinionSubmitted | ReplyIssued;
