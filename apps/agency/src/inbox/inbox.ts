import { Controller, Get, HttpException, Inject, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { holdsTask, isAfter, type AppealKind, type CaseFile, type TaskView } from '@lianban/domain';
import { CONFIG, Now, type LianbanConfig } from '@lianban/platform';
import { INBOX_FILES, type CaseFileSource } from '../inbox-projection/agency-inbox.projection';

export class InboxQueryDto {
  /** open (default): tasks still to work; all: also replied, released and answered */
  @ApiPropertyOptional({ enum: ['open', 'all'] }) @IsOptional() @IsIn(['open', 'all'])
  status?: 'open' | 'all';
}

export class GetInboxQuery {
  constructor(readonly agencyId: string, readonly status: 'open' | 'all', readonly now: string) {}
}

export interface InboxItem {
  kind: 'task';
  caseId: string;
  caseNumber: string;
  subject: string;
  channel: string;
  registeredAt: string;
  role: TaskView['role'];
  mode: CaseFile['mode'];
  status: TaskView['status'];
  caseStep: CaseFile['step'];
  assignedAt: string;
  acknowledgeDueAt: string;
  acceptedAt: string | null;
  handleDueAt: string | null;
  /** Art. 23: until when the task may still be returned as not competent */
  returnDueAt: string;
  /** 督办 addressed to this agency and not yet answered in writing (Art. 40) */
  supervisions: { supervisionId: string; reason: string; answerDueAt: string }[];
  /** limits already passed, as of the request's time */
  overdue: ('acknowledge' | 'handle' | 'supervision-answer')[];
}

/** a 复查 / 复核 this agency decides as the level above (Art. 35, 36) */
export interface AppealInboxItem {
  kind: 'appeal';
  caseId: string;
  caseNumber: string;
  subject: string;
  caseStep: CaseFile['step'];
  appealId: string;
  appealKind: AppealKind;
  requestedAt: string;
  decisionDueAt: string;
  decided: boolean;
  overdue: 'appeal-decision'[];
}

function isOpen(t: TaskView, f: CaseFile): boolean {
  return holdsTask(t) && t.status !== 'replied' && !f.answer;
}

@QueryHandler(GetInboxQuery)
export class GetInboxHandler implements IQueryHandler<GetInboxQuery, (InboxItem | AppealInboxItem)[]> {
  constructor(@Inject(INBOX_FILES) private readonly files: CaseFileSource, @Inject(CONFIG) private readonly config: LianbanConfig) {}

  async execute({ agencyId, status, now }: GetInboxQuery): Promise<(InboxItem | AppealInboxItem)[]> {
    // an agency process holds only its own agency's cases: another agency's inbox is elsewhere
    if (this.config.agencyId && this.config.agencyId !== agencyId) {
      throw new HttpException({ error: { code: 'WRONG_AGENCY_SERVICE', message: `this service serves ${this.config.agencyId}, not ${agencyId}` } }, 421);
    }
    await this.files.catchUp();
    const items: (InboxItem | AppealInboxItem)[] = [];
    for (const f of this.files.all()) {
      for (const a of f.appeals ?? []) {
        if (a.reviewerAgencyId !== agencyId || (status === 'open' && (a.decision || f.concluded))) continue;
        items.push({
          kind: 'appeal', caseId: f.caseId, caseNumber: f.caseNumber, subject: f.subject, caseStep: f.step, appealId: a.appealId, appealKind: a.kind,
          requestedAt: a.requestedAt, decisionDueAt: a.decisionDueAt, decided: !!a.decision,
          overdue: !a.decision && isAfter(now, a.decisionDueAt) ? ['appeal-decision'] : [],
        });
      }
      const t = f.tasks.find((x) => x.agencyId === agencyId);
      if (!t || (status === 'open' && !isOpen(t, f))) continue;
      const supervisions = (f.supervisions ?? []).filter((x) => x.agencyId === agencyId && !x.answer)
        .map((x) => ({ supervisionId: x.supervisionId, reason: x.reason, answerDueAt: x.answerDueAt }));
      const overdue: InboxItem['overdue'] = [];
      if (!t.acceptedAt && isAfter(now, t.acknowledgeDueAt)) overdue.push('acknowledge');
      if (t.handleDueAt && isOpen(t, f) && isAfter(now, t.handleDueAt)) overdue.push('handle');
      if (supervisions.some((x) => isAfter(now, x.answerDueAt))) overdue.push('supervision-answer');
      items.push({
        kind: 'task', caseId: f.caseId, caseNumber: f.caseNumber, subject: f.subject, channel: f.channel, registeredAt: f.registeredAt, role: t.role,
        mode: f.mode, status: t.status, caseStep: f.step, assignedAt: t.assignedAt, acknowledgeDueAt: t.acknowledgeDueAt,
        acceptedAt: t.acceptedAt, handleDueAt: t.handleDueAt, returnDueAt: t.returnDueAt, supervisions, overdue,
      });
    }
    // Most urgent first: the nearest open limit.
    const due = (i: InboxItem | AppealInboxItem) => Date.parse(
      i.kind === 'appeal' ? i.decisionDueAt : i.acceptedAt ? i.handleDueAt ?? i.acknowledgeDueAt : i.acknowledgeDueAt,
    );
    return items.sort((a, b) => due(a) - due(b));
  }
}

@ApiTags('agency')
@ApiBearerAuth()
@Controller('v1/inbox')
export class InboxController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: "the caller's agency's tasks and the appeals it decides, most urgent first, with overdue limits flagged" })
  inbox(@Query() q: InboxQueryDto, @Caller() caller: Principal, @Now() now: string): Promise<(InboxItem | AppealInboxItem)[]> {
    return this.queries.execute(new GetInboxQuery(caller.agency!, q.status ?? 'open', now));
  }
}
