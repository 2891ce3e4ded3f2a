import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '@lianban/auth';
import { Now } from '@lianban/platform';
import { TaskCommands } from '../task-commands';

/** Acceptance takes no fields; the empty class makes any field sent a 400. */
export class AcceptTaskDto {}

export class AcceptTaskCommand {
  constructor(readonly caseId: string, readonly agencyId: string, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(AcceptTaskCommand)
export class AcceptTaskHandler implements ICommandHandler<AcceptTaskCommand> {
  constructor(private readonly tasks: TaskCommands) {}
  execute({ caseId, agencyId, at, caller }: AcceptTaskCommand) {
    return this.tasks.run(caseId, agencyId, { kind: 'AcceptTask', at }, caller);
  }
}

@ApiTags('agency')
@ApiBearerAuth()
@Controller('v1/cases')
export class AcceptTaskController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/tasks/:agencyId/acceptance')
  @HttpCode(201)
  @ApiOperation({ summary: '受理 and 告知: accept the task and tell the petitioner (Art. 23, within 15 日)' })
  accept(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Param('agencyId') agencyId: string, @Body() _body: AcceptTaskDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new AcceptTaskCommand(caseId, agencyId, at, caller));
  }
}
