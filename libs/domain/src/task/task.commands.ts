import type { ActionKind, ReplyOutcome } from '../shared/vocabulary';

interface Timed {
  at: string;
}

export interface AcceptTask extends Timed {
  kind: 'AcceptTask';
}

export interface RecordHandlingAction extends Timed {
  kind: 'RecordHandlingAction';
  action: ActionKind;
  note: string;
}

export interface SubmitOpinion extends Timed {
  kind: 'SubmitOpinion';
  text: string;
}

export interface IssueReply extends Timed {
  kind: 'IssueReply';
  outcome: ReplyOutcome;
  text: string;
  /** 办结报告 to the bureau; required in 交办 (assign) mode (Art. 22) */
  completionReport?: string | null;
}

export interface ReturnTask extends Timed {
  kind: 'ReturnTask';
  reason: string;
}

export interface ExtendHandlingLimit extends Timed {
  kind: 'ExtendHandlingLimit';
  days: number;
  reason: string;
  /** the approving agency head (the edge checks the role) */
  approvedBy: string;
}

export interface AnswerSupervision extends Timed {
  kind: 'AnswerSupervision';
  supervisionId: string;
  text: string;
}

export type TaskCommand = AcceptTask | RecordHandlingAction | SubmitOpinion | IssueReply | ReturnTask | ExtendHandlingLimit | AnswerSupervision;
