export * from './agency.module';
export { AcceptTaskCommand } from './accept-task/accept-task';
export { IssueReplyCommand } from './issue-reply/issue-reply';
export { RecordActionCommand } from './record-action/record-action';
export { SubmitOpinionCommand } from './submit-opinion/submit-opinion';
export { AnswerSupervisionCommand } from './answer-supervision/answer-supervision';
export { AppealCommandRequest } from './appeals/decide-appeal';
export { ExtendLimitCommand } from './extend-limit/extend-limit';
export { ReturnTaskCommand } from './return-task/return-task';
