import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { caseDecider } from '@lianban/domain';
import { assertCanReadCase, CaseCommandRunner, CaseReader, Now } from '@lianban/platform';

export class ReleaseCoHandlerDto {
  @ApiProperty({ example: '经核实非本单位职责' }) @IsString() @IsNotEmpty() @MaxLength(2000)
  reason: string;
}

export class ReleaseCoHandlerCommand {
  constructor(readonly caseId: string, readonly agencyId: string, readonly reason: string, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(ReleaseCoHandlerCommand)
export class ReleaseCoHandlerHandler implements ICommandHandler<ReleaseCoHandlerCommand> {
  constructor(private readonly runner: CaseCommandRunner, private readonly reader: CaseReader) {}

  async execute({ caseId, agencyId, reason, at, caller }: ReleaseCoHandlerCommand) {
    assertCanReadCase(caller, (await this.reader.fileOr404(caseId)).file);
    await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: caseDecider, actor: { id: caller.sub, role: caller.role }, agencyId: caller.agency,
      causationId: `request:${randomUUID()}`, command: { kind: 'ReleaseCoHandler', at, agencyId, reason },
    });
    return { caseId, agencyId, released: true };
  }
}

@ApiTags('coordinator')
@ApiBearerAuth()
@Controller('v1/cases')
export class ReleaseCoHandlerController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/tasks/:agencyId/release')
  @HttpCode(201)
  @ApiOperation({ summary: 'release a co-handler (协办) from giving an opinion, so the lead can reply (Art. 24)' })
  release(
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Param('agencyId') agencyId: string,
    @Body() body: ReleaseCoHandlerDto,
    @Now() at: string,
    @Caller() caller: Principal,
  ) {
    return this.commands.execute(new ReleaseCoHandlerCommand(caseId, agencyId, body.reason, at, caller));
  }
}
