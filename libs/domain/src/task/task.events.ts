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
  /** 退回: not competent, returned to the bureau with reasons within 5 工作日 (Art. 23) */
  TaskReturned: 'lianban.task.returned.v1',
  /** 延期: the agency head extends the handling limit once, ≤30 日, the petitioner told why (Art. 34) */
  HandlingExtended: 'lianban.task.handling-extended.v1',
  /** 办结报告: in 交办 mode the lead reports the result to the bureau (Art. 22) */
  CompletionReportFiled: 'lianban.task.completion-report-filed.v1',
  /** the written answer to 督办 (Art. 40) */
  SupervisionAnswered: 'lianban.task.supervision-answered.v1',
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

export type TaskReturned = DomainEvent<typeof TaskEventTypes.TaskReturned, {
  reason: string;
  returnDueAt: string;
}>;

export type HandlingExtended = DomainEvent<typeof TaskEventTypes.HandlingExtended, {
  days: number;
  reason: string;
  previousDueAt: string;
  handleDueAt: string;
  /** who approved: the agency head (Art. 34) */
  approvedBy: string;
  /** what the petitioner is told (Art. 34: 告知信访人延期理由) */
  petitionerNotice: string;
}>;

export type CompletionReportFiled = DomainEvent<typeof TaskEventTypes.CompletionReportFiled, {
  text: string;
  /** the reply the report accompanies */
  outcome: ReplyOutcome;
}>;

export type SupervisionAnswered = DomainEvent<typeof TaskEventTypes.SupervisionAnswered, {
  supervisionId: string;
  text: string;
  answerDueAt: string;
  withinLimit: boolean;
}>;

export type TaskEvent =
  | TaskAccepted
  | HandlingActionRecorded
  | OpinionSubmitted
  | ReplyIssued
  | TaskReturned
  | HandlingExtended
  | CompletionReportFiled
  | SupervisionAnswered;
