import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { Now } from '@lianban/platform';
import { TaskCommands } from '../task-commands';

export class ReturnTaskDto {
  /** why the agency is not competent (Art. 23 asks for reasons) */
  @ApiProperty({ example: '该事项属房屋质量问题，不属本单位职权范围，建议转住建部门办理' }) @IsString() @IsNotEmpty() @MaxLength(5000)
  reason: string;
}

export class ReturnTaskCommand {
  constructor(readonly caseId: string, readonly agencyId: string, readonly reason: string, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(ReturnTaskCommand)
export class ReturnTaskHandler implements ICommandHandler<ReturnTaskCommand> {
  constructor(private readonly tasks: TaskCommands) {}
  execute({ caseId, agencyId, reason, at, caller }: ReturnTaskCommand) {
    return this.tasks.run(caseId, agencyId, { kind: 'ReturnTask', at, reason }, caller);
  }
}

@ApiTags('agency')
@ApiBearerAuth()
@Controller('v1/cases')
export class ReturnTaskController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/tasks/:agencyId/return')
  @HttpCode(201)
  @ApiOperation({ summary: '退回: not competent — return the task to the bureau with reasons within 5 工作日 of receipt (Art. 23); later: 409 RETURN_WINDOW_CLOSED' })
  giveBack(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Param('agencyId') agencyId: string, @Body() body: ReturnTaskDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new ReturnTaskCommand(caseId, agencyId, body.reason, at, caller));
  }
}
