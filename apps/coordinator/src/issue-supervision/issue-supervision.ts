import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { caseDecider, type SupervisionIssued } from '@lianban/domain';
import { assertCanReadCase, badRequest, CaseCommandRunner, CaseReader, CONFIG, Now, type LianbanConfig } from '@lianban/platform';
import { Registry } from '@lianban/registry';

export class IssueSupervisionDto {
  @ApiProperty({ example: '500112-rsj' }) @Matches(/^\d{6}-[a-z]{2,8}$/, { message: 'agencyId must be <division code>-<department>, e.g. 500112-rsj' })
  agencyId: string;

  @ApiProperty({ example: '超过办理期限仍未答复' }) @IsString() @IsNotEmpty() @MaxLength(5000)
  reason: string;
}

export class IssueSupervisionCommand {
  constructor(readonly caseId: string, readonly body: IssueSupervisionDto, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(IssueSupervisionCommand)
export class IssueSupervisionHandler implements ICommandHandler<IssueSupervisionCommand> {
  constructor(
    private readonly runner: CaseCommandRunner,
    private readonly reader: CaseReader,
    private readonly registry: Registry,
    @Inject(CONFIG) private readonly config: LianbanConfig,
  ) {}

  async execute({ caseId, body, at, caller }: IssueSupervisionCommand): Promise<{ caseId: string; supervisionId: string; agencyId: string; answerDueAt: string }> {
    assertCanReadCase(caller, (await this.reader.fileOr404(caseId)).file);
    if (!this.registry.agency(body.agencyId)) throw badRequest('UNKNOWN_AGENCY', `agencyId: ${body.agencyId} is not an agency in the registry`);
    const supervisionId = randomUUID();
    const [event] = await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: caseDecider, actor: { id: caller.sub, role: caller.role }, agencyId: caller.agency,
      causationId: `request:${supervisionId}`,
      // the caller's bureau supervises: a late answer escalates from it to the bureau above (Art. 40)
      command: {
        kind: 'IssueSupervision', at, supervisionId, agencyId: body.agencyId, reason: body.reason, supervisorId: caller.agency ?? null,
        answerDays: this.config.supervisionAnswerDays,
      },
    });
    return { caseId, supervisionId, agencyId: body.agencyId, answerDueAt: (event.data as SupervisionIssued['data']).answerDueAt };
  }
}

@ApiTags('coordinator')
@ApiBearerAuth()
@Controller('v1/cases')
export class IssueSupervisionController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/supervision')
  @HttpCode(201)
  @ApiOperation({ summary: '督办: supervise an agency that delays, shirks or does not carry out; it answers in writing (Art. 40)' })
  issue(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Body() body: IssueSupervisionDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new IssueSupervisionCommand(caseId, body, at, caller));
  }
}
