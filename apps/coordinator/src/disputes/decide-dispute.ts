import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { caseDecider, type DisputeDecided } from '@lianban/domain';
import { actingFor, assertCanReadCase, CaseCommandRunner, CaseReader, forbidden, jointConferenceMembers, notFound, Now } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { requireActiveAgency } from '../agency-checks';

export class DecideDisputeDto {
  /** the agency that handles the matter (主办) */
  @ApiProperty({ example: '500112-zjw' }) @Matches(/^\d{6}-[a-z]{2,8}$/, { message: 'agencyId must be <division code>-<department>, e.g. 500112-zjw' })
  agencyId: string;
}

export class DecideDisputeCommand {
  constructor(readonly caseId: string, readonly disputeId: string, readonly body: DecideDisputeDto, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(DecideDisputeCommand)
export class DecideDisputeHandler implements ICommandHandler<DecideDisputeCommand> {
  constructor(private readonly runner: CaseCommandRunner, private readonly reader: CaseReader, private readonly registry: Registry) {}

  async execute({ caseId, disputeId, body, at, caller }: DecideDisputeCommand) {
    const { file } = await this.reader.fileOr404(caseId);
    assertCanReadCase(caller, file, jointConferenceMembers(this.registry, at));
    const dispute = file.disputes.find((d) => d.disputeId === disputeId);
    if (!dispute) throw notFound('DISPUTE_NOT_FOUND', `no dispute ${disputeId} on case ${caseId}`);
    // the domain named the decider when the dispute was raised; only it (or, for the joint conference, a member bureau) decides
    const acting = actingFor(this.registry, caller, dispute.deciderId, at);
    if (!acting) throw forbidden('NOT_THE_DECIDER', `dispute ${disputeId} is decided by ${dispute.deciderId}; the token acts for ${caller.agency ?? 'no agency'}`);
    requireActiveAgency(this.registry, body.agencyId, at);
    const events = await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: caseDecider, actor: { id: caller.sub, role: caller.role }, agencyId: caller.agency,
      causationId: `request:dispute:${disputeId}`, command: { kind: 'DecideDispute', at, disputeId, actingFor: acting, agencyId: body.agencyId },
    });
    const decided = events[0].data as DisputeDecided['data'];
    return { caseId, disputeId, agencyId: decided.agencyId, relieved: decided.relieved, assigned: events.length > 1 };
  }
}

@ApiTags('coordinator')
@ApiBearerAuth()
@Controller('v1/cases')
export class DecideDisputeController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/disputes/:disputeId/decision')
  @HttpCode(201)
  @ApiOperation({ summary: '争议决定: the common superior (or the joint conference) names the agency that handles; the decision assigns the task (Art. 24)' })
  decide(
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Param('disputeId', new ParseUUIDPipe()) disputeId: string,
    @Body() body: DecideDisputeDto,
    @Now() at: string,
    @Caller() caller: Principal,
  ) {
    return this.commands.execute(new DecideDisputeCommand(caseId, disputeId, body, at, caller));
  }
}
