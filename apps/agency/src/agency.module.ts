import { Module } from '@nestjs/common';
import { AcceptTaskController, AcceptTaskHandler } from './accept-task/accept-task';
import { InboxController, GetInboxHandler } from './inbox/inbox';
import { IssueReplyController, IssueReplyHandler } from './issue-reply/issue-reply';
import { RecordActionController, RecordActionHandler } from './record-action/record-action';
import { SubmitOpinionController, SubmitOpinionHandler } from './submit-opinion/submit-opinion';
import { TaskCommands } from './task-commands';

/** An agency's caseworkers (承办人) and head: inbox, acceptance, handling, opinion, reply. */
@Module({
  controllers: [InboxController, AcceptTaskController, RecordActionController, SubmitOpinionController, IssueReplyController],
  providers: [TaskCommands, GetInboxHandler, AcceptTaskHandler, RecordActionHandler, SubmitOpinionHandler, IssueReplyHandler],
})
export class AgencyModule {}
