import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { ACTION_KINDS, type ActionKind } from '@lianban/domain';
import { Now } from '@lianban/platform';
import { TaskCommands } from '../task-commands';

export class RecordActionDto {
  @ApiProperty({ enum: ACTION_KINDS }) @IsIn(ACTION_KINDS)
  kind: ActionKind;

  @ApiProperty({ example: '启动劳动监察程序，向公司宣讲法律' }) @IsString() @IsNotEmpty() @MaxLength(5000)
  note: string;
}

export class RecordActionCommand {
  constructor(readonly caseId: string, readonly agencyId: string, readonly body: RecordActionDto, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(RecordActionCommand)
export class RecordActionHandler implements ICommandHandler<RecordActionCommand> {
  constructor(private readonly tasks: TaskCommands) {}
  execute({ caseId, agencyId, body, at, caller }: RecordActionCommand) {
    return this.tasks.run(caseId, agencyId, { kind: 'RecordHandlingAction', at, action: body.kind, note: body.note }, caller);
  }
}

@ApiTags('agency')
@ApiBearerAuth()
@Controller('v1/cases')
export class RecordActionController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/tasks/:agencyId/actions')
  @HttpCode(201)
  @ApiOperation({ summary: '办理措施: record a handling action (investigation, mediation, site visit…)' })
  record(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Param('agencyId') agencyId: string, @Body() body: RecordActionDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new RecordActionCommand(caseId, agencyId, body, at, caller));
  }
}
