import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { caseDecider, holdsTask, refuse } from '@lianban/domain';
import { assertCanReadCase, badRequest, CaseCommandRunner, CaseReader, forbidden, Now } from '@lianban/platform';
import { Registry, RegistryError, type CommonSuperior } from '@lianban/registry';

export class RaiseDisputeDto {
  @ApiProperty({ example: '该事项属建筑施工质量问题，应由住建部门办理' }) @IsString() @IsNotEmpty() @MaxLength(5000)
  reason: string;

  /** the agencies the caller disputes competence with; default: every other agency holding a task on the case */
  @ApiPropertyOptional({ example: ['500112-zjw'] })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(10)
  @Matches(/^\d{6}-[a-z]{2,8}$/, { each: true, message: 'each of agencyIds must be <division code>-<department>, e.g. 500112-zjw' })
  agencyIds?: string[];
}

export class RaiseDisputeCommand {
  constructor(readonly caseId: string, readonly body: RaiseDisputeDto, readonly at: string, readonly caller: Principal) {}
}

export interface RaiseDisputeResult {
  caseId: string;
  disputeId: string;
  parties: string[];
  /** the common superior's petition bureau, or the joint conference (联席会议) */
  deciderId: string;
  deciderName: string;
  deciderKind: CommonSuperior['kind'];
}

@CommandHandler(RaiseDisputeCommand)
export class RaiseDisputeHandler implements ICommandHandler<RaiseDisputeCommand, RaiseDisputeResult> {
  constructor(private readonly runner: CaseCommandRunner, private readonly reader: CaseReader, private readonly registry: Registry) {}

  async execute({ caseId, body, at, caller }: RaiseDisputeCommand): Promise<RaiseDisputeResult> {
    const { file } = await this.reader.fileOr404(caseId);
    assertCanReadCase(caller, file);
    const raisedBy = caller.agency;
    if (!raisedBy) throw forbidden('AGENCY_CLAIM_MISSING', 'a dispute is raised by an agency: the token names none');
    if (!file.tasks.some((t) => t.agencyId === raisedBy && holdsTask(t))) refuse('TASK_NOT_ASSIGNED', `${raisedBy} holds no task on this case`, 'Art. 24');
    for (const id of body.agencyIds ?? []) {
      if (!this.registry.agency(id)) throw badRequest('UNKNOWN_AGENCY', `agencyIds: ${id} is not an agency in the registry`);
    }
    const others = (body.agencyIds ?? file.tasks.filter(holdsTask).map((t) => t.agencyId)).filter((id) => id !== raisedBy);
    const superior = this.superiorOf([raisedBy, ...others], at);
    const disputeId = randomUUID();
    await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: caseDecider, actor: { id: caller.sub, role: caller.role }, agencyId: raisedBy,
      causationId: `request:${disputeId}`,
      command: {
        kind: 'RaiseDispute', at, disputeId, raisedBy, otherParties: others, reason: body.reason, deciderId: superior.deciderId,
        deciderKind: superior.kind, divisionCode: superior.kind === 'division' ? superior.divisionCode : null,
      },
    });
    return {
      caseId, disputeId, parties: [raisedBy, ...others.filter((id, i) => others.indexOf(id) === i)], deciderId: superior.deciderId,
      deciderName: this.registry.decider(superior.deciderId, at)?.name ?? superior.deciderId, deciderKind: superior.kind,
    };
  }

  /** Art. 24: their common superior from the division hierarchy; across provinces the joint conference */
  private superiorOf(parties: string[], at: string): CommonSuperior {
    if (parties.length < 2) refuse('NO_OTHER_PARTY', 'a competence dispute is between at least two agencies; name them in agencyIds', 'Art. 24');
    try {
      return this.registry.commonSuperior(parties, at);
    } catch (e) {
      if (e instanceof RegistryError && e.code === 'INACTIVE_AGENCY') refuse('AGENCY_NOT_ACTIVE', e.message, 'Art. 24');
      if (e instanceof RegistryError && e.code === 'NO_DECIDER') refuse('NO_COMMON_SUPERIOR', e.message, 'Art. 24');
      throw e;
    }
  }
}

@ApiTags('coordinator')
@ApiBearerAuth()
@Controller('v1/cases')
export class RaiseDisputeController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/disputes')
  @HttpCode(201)
  @ApiOperation({ summary: '管辖争议: an assigned agency disputes competence; their common superior decides, across provinces the joint conference (Art. 24)' })
  raise(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Body() body: RaiseDisputeDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new RaiseDisputeCommand(caseId, body, at, caller));
  }
}
