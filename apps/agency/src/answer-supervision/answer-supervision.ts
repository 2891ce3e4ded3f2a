import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { CaseReader, notFound, Now } from '@lianban/platform';
import { TaskCommands } from '../task-commands';

export class AnswerSupervisionDto {
  @ApiProperty({ example: '已成立专班，承诺于本月底前办结并答复信访人' }) @IsString() @IsNotEmpty() @MaxLength(10000)
  text: string;
}

export class AnswerSupervisionCommand {
  constructor(readonly caseId: string, readonly supervisionId: string, readonly text: string, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(AnswerSupervisionCommand)
export class AnswerSupervisionHandler implements ICommandHandler<AnswerSupervisionCommand> {
  constructor(private readonly tasks: TaskCommands, private readonly reader: CaseReader) {}

  async execute({ caseId, supervisionId, text, at, caller }: AnswerSupervisionCommand) {
    const { file } = await this.reader.fileOr404(caseId);
    // the answer goes into the stream of the agency the supervision names; only that agency writes it
    const supervision = file.supervisions.find((s) => s.supervisionId === supervisionId);
    if (!supervision) throw notFound('SUPERVISION_NOT_FOUND', `no supervision ${supervisionId} on case ${caseId}`);
    return this.tasks.run(caseId, supervision.agencyId, { kind: 'AnswerSupervision', at, supervisionId, text }, caller);
  }
}

@ApiTags('agency')
@ApiBearerAuth()
@Controller('v1/cases')
export class AnswerSupervisionController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/supervision/:supervisionId/answer')
  @HttpCode(201)
  @ApiOperation({ summary: '督办反馈: the supervised agency answers in writing (Art. 40)' })
  answer(
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Param('supervisionId', new ParseUUIDPipe()) supervisionId: string,
    @Body() body: AnswerSupervisionDto,
    @Now() at: string,
    @Caller() caller: Principal,
  ) {
    return this.commands.execute(new AnswerSupervisionCommand(caseId, supervisionId, body.text, at, caller));
  }
}
