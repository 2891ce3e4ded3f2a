import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { appealDecider, APPEAL_OUTCOMES, isAfter, type AppealCommand, type AppealOutcome } from '@lianban/domain';
import { badRequest, CaseReader, forbidden, notFound, Now } from '@lianban/platform';
import { TaskCommands } from '../task-commands';

export class RecordHearingDto {
  @ApiProperty({ example: '2024-06-17T09:00:00+08:00' }) @IsISO8601({ strict: true })
  heldFrom: string;

  @ApiProperty({ example: '2024-06-21T17:00:00+08:00' }) @IsISO8601({ strict: true })
  heldTo: string;

  @ApiProperty({ example: '听取信访人、被复核机关陈述，质证' }) @IsString() @IsNotEmpty() @MaxLength(10000)
  summary: string;
}

export class DecideAppealDto {
  /** uphold = 维持, revise = 变更, overturn = 撤销 */
  @ApiProperty({ enum: APPEAL_OUTCOMES }) @IsIn(APPEAL_OUTCOMES)
  outcome: AppealOutcome;

  @ApiProperty({ example: '原处理意见认定事实清楚，予以维持。' }) @IsString() @IsNotEmpty() @MaxLength(20000)
  text: string;
}

export class AppealCommandRequest {
  constructor(readonly caseId: string, readonly appealId: string, readonly command: AppealCommand, readonly caller: Principal) {}
}

@CommandHandler(AppealCommandRequest)
export class AppealCommandHandler implements ICommandHandler<AppealCommandRequest> {
  constructor(private readonly tasks: TaskCommands, private readonly reader: CaseReader) {}

  async execute({ caseId, appealId, command, caller }: AppealCommandRequest) {
    const { file } = await this.reader.fileOr404(caseId);
    const appeal = file.appeals.find((a) => a.appealId === appealId);
    if (!appeal) throw notFound('APPEAL_NOT_FOUND', `no appeal ${appealId} on case ${caseId}`);
    // the request named the reviewer one level up (Art. 35, 36): only its staff act on the appeal
    if (caller.agency !== appeal.reviewerAgencyId) {
      throw forbidden('NOT_THE_REVIEWER', `appeal ${appealId} is decided by ${appeal.reviewerAgencyId}; the token acts for ${caller.agency ?? 'no agency'}`);
    }
    return this.tasks.runWith(caseId, appeal.reviewerAgencyId, appealDecider(appeal.reviewerAgencyId), command, caller);
  }
}

@ApiTags('agency')
@ApiBearerAuth()
@Controller('v1/cases')
export class AppealsController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/appeals/:appealId/hearing')
  @HttpCode(201)
  @ApiOperation({ summary: '听证 in a 复核: its days are not counted in the 30 日 (Art. 36)' })
  hearing(
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Param('appealId', new ParseUUIDPipe()) appealId: string,
    @Body() body: RecordHearingDto,
    @Now() at: string,
    @Caller() caller: Principal,
  ) {
    const [heldFrom, heldTo] = [new Date(body.heldFrom).toISOString(), new Date(body.heldTo).toISOString()];
    if (isAfter(heldFrom, heldTo)) throw badRequest('VALIDATION_FAILED', 'heldTo: the hearing ends before it begins', [{ field: 'heldTo', problems: ['heldTo must not be before heldFrom'] }]);
    return this.commands.execute(new AppealCommandRequest(caseId, appealId, { kind: 'RecordHearing', at, appealId, heldFrom, heldTo, summary: body.summary }, caller));
  }

  @Post(':caseId/appeals/:appealId/decision')
  @HttpCode(201)
  @ApiOperation({ summary: '复查 / 复核 decision by the reviewing agency; a 复核 decision concludes the case (终结, Art. 35, 36)' })
  decide(
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Param('appealId', new ParseUUIDPipe()) appealId: string,
    @Body() body: DecideAppealDto,
    @Now() at: string,
    @Caller() caller: Principal,
  ) {
    return this.commands.execute(new AppealCommandRequest(caseId, appealId, { kind: 'DecideAppeal', at, appealId, outcome: body.outcome, text: body.text }, caller));
  }
}
