import { Module } from '@nestjs/common';
import { CaseFilesProjection, CONFIG, type LianbanConfig } from '@lianban/platform';
import { AcceptTaskController, AcceptTaskHandler } from './accept-task/accept-task';
import { AnswerSupervisionController, AnswerSupervisionHandler } from './answer-supervision/answer-supervision';
import { AppealCommandHandler, AppealsController } from './appeals/decide-appeal';
import { ExtendLimitController, ExtendLimitHandler } from './extend-limit/extend-limit';
import { ReturnTaskController, ReturnTaskHandler } from './return-task/return-task';
import { InboxController, GetInboxHandler } from './inbox/inbox';
import { AgencyInboxProjection, INBOX_FILES, servesOwnInbox, type CaseFileSource } from './inbox-projection/agency-inbox.projection';
import { IssueReplyController, IssueReplyHandler } from './issue-reply/issue-reply';
import { RecordActionController, RecordActionHandler } from './record-action/record-action';
import { SubmitOpinionController, SubmitOpinionHandler } from './submit-opinion/submit-opinion';
import { TaskCommands } from './task-commands';

/**
 * An agency's caseworkers (承办人) and head: inbox, acceptance or return, handling, extension,
 * opinion, reply and 办结报告, answers to supervision, and — as the level above — 复查 / 复核.
 */
@Module({
  controllers: [
    InboxController, AcceptTaskController, RecordActionController, SubmitOpinionController, IssueReplyController, ReturnTaskController,
    ExtendLimitController, AnswerSupervisionController, AppealsController,
  ],
  providers: [
    TaskCommands, GetInboxHandler, AcceptTaskHandler, RecordActionHandler, SubmitOpinionHandler, IssueReplyHandler,
    ReturnTaskHandler, ExtendLimitHandler, AnswerSupervisionHandler, AppealCommandHandler,
    AgencyInboxProjection,
    {
      provide: INBOX_FILES,
      inject: [CONFIG, AgencyInboxProjection, CaseFilesProjection],
      // a facade, not the instance itself: Nest would run the instance's lifecycle hooks a second time
      useFactory: (config: LianbanConfig, own: AgencyInboxProjection, region: CaseFilesProjection): CaseFileSource => {
        const source: CaseFileSource = servesOwnInbox(config) ? own : region;
        return { catchUp: () => source.catchUp(), all: () => source.all() };
      },
    },
  ],
})
export class AgencyModule {}
