import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { APPEAL_KINDS, caseDecider, type AppealKind, type AppealRequested, type CaseFile } from '@lianban/domain';
import { assertCanReadCase, CaseCommandRunner, CaseReader, Now } from '@lianban/platform';
import { Registry } from '@lianban/registry';

export class RequestAppealDto {
  /** review = 复查 (Art. 35), re-review = 复核 (Art. 36) */
  @ApiProperty({ enum: APPEAL_KINDS }) @IsIn(APPEAL_KINDS)
  kind: AppealKind;

  @ApiProperty({ example: '对处理意见不服，欠薪金额计算有误' }) @IsString() @IsNotEmpty() @MaxLength(10000)
  reason: string;
}

export class RequestAppealCommand {
  constructor(readonly caseId: string, readonly body: RequestAppealDto, readonly at: string, readonly caller: Principal) {}
}

export interface RequestAppealResult {
  appealId: string;
  reviewerAgencyId: string;
  reviewerName: string;
  /** Art. 35, 36: the decision is due 30 日 after the request */
  dueAt: string;
}

/** whose decision is appealed: the lead's reply for a 复查, the 复查 decision for a 复核 */
function appealedAgency(file: CaseFile, kind: AppealKind): string | null {
  if (kind === 'review') return file.answer?.leadAgencyId ?? null;
  return file.appeals.find((a) => a.kind === 'review')?.reviewerAgencyId ?? null;
}

@CommandHandler(RequestAppealCommand)
export class RequestAppealHandler implements ICommandHandler<RequestAppealCommand, RequestAppealResult> {
  constructor(private readonly runner: CaseCommandRunner, private readonly reader: CaseReader, private readonly registry: Registry) {}

  async execute({ caseId, body, at, caller }: RequestAppealCommand): Promise<RequestAppealResult> {
    const { file } = await this.reader.fileOr404(caseId);
    assertCanReadCase(caller, file);
    const appealed = appealedAgency(file, body.kind);
    // The level above comes from the registry as of the request; the decider refuses when there is
    // nothing to appeal yet, or no level above (NO_REVIEWER_LEVEL).
    const reviewer = appealed ? this.reviewerFor(appealed, at) : null;
    const appealId = randomUUID();
    const [event] = await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: caseDecider, actor: { id: caller.sub, role: caller.role }, causationId: `request:${appealId}`,
      command: { kind: 'RequestAppeal', at, appealId, appealKind: body.kind, reason: body.reason, reviewerAgencyId: reviewer },
    });
    const data = (event as unknown as AppealRequested).data;
    return {
      appealId, reviewerAgencyId: data.reviewerAgencyId, reviewerName: this.registry.agency(data.reviewerAgencyId, at)?.name ?? data.reviewerAgencyId,
      dueAt: data.decisionDueAt,
    };
  }

  /**
   * Art. 35/36: 复查 and 复核 go to "the same level's 党委和政府 or the organ one level up". The
   * organ one level up comes first; where there is none — a department of 重庆市, a municipality
   * with no level between it and the State Council in this registry — the same level's
   * government decides, represented by its petition bureau (as for disputes). A bureau appealed
   * against has no such fallback: it already speaks for its government.
   */
  private reviewerFor(appealed: string, at: string): string | null {
    const above = this.registry.levelAbove(appealed, at)?.id;
    if (above) return above;
    const division = this.registry.agency(appealed, at)?.divisionCode;
    const government = division ? this.registry.petitionBureauOf(division, at)?.id : undefined;
    return government && government !== appealed ? government : null;
  }
}

@ApiTags('intake')
@ApiBearerAuth()
@Controller('v1/petitions')
export class RequestAppealController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/appeals')
  @HttpCode(201)
  @ApiOperation({ summary: '申请复查 / 复核: within 30 日 of the reply (Art. 35) or of the 复查 decision (Art. 36); decided one level up within 30 日' })
  request(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Body() body: RequestAppealDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new RequestAppealCommand(caseId, body, at, caller));
  }
}
