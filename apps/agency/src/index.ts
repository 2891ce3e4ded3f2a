export * from './agency.module';
export { AcceptTaskCommand } from './accept-task/accept-task';
export { IssueReplyCommand } from './issue-reply/issue-reply';
export { RecordActionCommand } from './record-action/record-action';
export { SubmitOpinionCommand } from './submit-opinion/submit-opinion';
