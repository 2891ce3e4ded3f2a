import { Controller, Get, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Caller, Roles, type Principal } from '@lianban/auth';
import { isAfter, type CaseFile, type TaskView } from '@lianban/domain';
import { CaseFilesProjection, Now } from '@lianban/platform';

export class InboxQueryDto {
  /** open (default): tasks still to work; all: also replied, released and answered */
  @ApiPropertyOptional({ enum: ['open', 'all'] }) @IsOptional() @IsIn(['open', 'all'])
  status?: 'open' | 'all';
}

export class GetInboxQuery {
  constructor(readonly agencyId: string, readonly status: 'open' | 'all', readonly now: string) {}
}

export interface InboxItem {
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
  /** limits already passed, as of the request's time */
  overdue: ('acknowledge' | 'handle')[];
}

function isOpen(t: TaskView, f: CaseFile): boolean {
  return t.status !== 'released' && t.status !== 'replied' && !f.answer;
}

@QueryHandler(GetInboxQuery)
export class GetInboxHandler implements IQueryHandler<GetInboxQuery, InboxItem[]> {
  constructor(private readonly files: CaseFilesProjection) {}

  async execute({ agencyId, status, now }: GetInboxQuery): Promise<InboxItem[]> {
    await this.files.catchUp();
    const items: InboxItem[] = [];
    for (const f of this.files.all()) {
      const t = f.tasks.find((x) => x.agencyId === agencyId);
      if (!t || (status === 'open' && !isOpen(t, f))) continue;
      const overdue: InboxItem['overdue'] = [];
      if (!t.acceptedAt && isAfter(now, t.acknowledgeDueAt)) overdue.push('acknowledge');
      if (t.handleDueAt && isOpen(t, f) && isAfter(now, t.handleDueAt)) overdue.push('handle');
      items.push({
        caseId: f.caseId, caseNumber: f.caseNumber, subject: f.subject, channel: f.channel, registeredAt: f.registeredAt, role: t.role,
        mode: f.mode, status: t.status, caseStep: f.step, assignedAt: t.assignedAt, acknowledgeDueAt: t.acknowledgeDueAt,
        acceptedAt: t.acceptedAt, handleDueAt: t.handleDueAt, overdue,
      });
    }
    // Most urgent first: the nearest open limit.
    const due = (i: InboxItem) => Date.parse(i.acceptedAt ? i.handleDueAt ?? i.acknowledgeDueAt : i.acknowledgeDueAt);
    return items.sort((a, b) => due(a) - due(b));
  }
}

@ApiTags('agency')
@ApiBearerAuth()
@Controller('v1/inbox')
export class InboxController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('caseworker', 'agency-head')
  @ApiOperation({ summary: "the caller's agency's tasks, most urgent first, with overdue limits flagged" })
  inbox(@Query() q: InboxQueryDto, @Caller() caller: Principal, @Now() now: string): Promise<InboxItem[]> {
    return this.queries.execute(new GetInboxQuery(caller.agency!, q.status ?? 'open', now));
  }
}
