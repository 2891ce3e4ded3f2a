import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { Now } from '@lianban/platform';
import { TaskCommands } from '../task-commands';

export class SubmitOpinionDto {
  @ApiProperty({ example: '同意主办单位处理意见' }) @IsString() @IsNotEmpty() @MaxLength(10000)
  text: string;
}

export class SubmitOpinionCommand {
  constructor(readonly caseId: string, readonly agencyId: string, readonly text: string, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(SubmitOpinionCommand)
export class SubmitOpinionHandler implements ICommandHandler<SubmitOpinionCommand> {
  constructor(private readonly tasks: TaskCommands) {}
  execute({ caseId, agencyId, text, at, caller }: SubmitOpinionCommand) {
    return this.tasks.run(caseId, agencyId, { kind: 'SubmitOpinion', at, text }, caller);
  }
}

@ApiTags('agency')
@ApiBearerAuth()
@Controller('v1/cases')
export class SubmitOpinionController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/tasks/:agencyId/opinion')
  @HttpCode(201)
  @ApiOperation({ summary: '协办意见: a co-handling agency gives its opinion to the lead (Art. 24)' })
  submit(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Param('agencyId') agencyId: string, @Body() body: SubmitOpinionDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new SubmitOpinionCommand(caseId, agencyId, body.text, at, caller));
  }
}
