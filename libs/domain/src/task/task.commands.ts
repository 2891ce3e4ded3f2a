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
}

export type TaskCommand = AcceptTask | RecordHandlingAction | SubmitOpinion | IssueReply;
