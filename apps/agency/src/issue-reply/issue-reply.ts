import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { REPLY_OUTCOMES, type ReplyOutcome } from '@lianban/domain';
import { Now } from '@lianban/platform';
import { TaskCommands } from '../task-commands';

export class IssueReplyDto {
  /** 支持 / 解释说明 / 不予支持 (Art. 32) */
  @ApiProperty({ enum: REPLY_OUTCOMES }) @IsIn(REPLY_OUTCOMES)
  outcome: ReplyOutcome;

  @ApiProperty({ example: '经调查核实，拖欠工资已于5月31日足额支付。' }) @IsString() @IsNotEmpty() @MaxLength(20000)
  text: string;

  /** 办结报告 to the bureau: required when the matter was 交办 (assign mode, Art. 22) */
  @ApiPropertyOptional({ example: '经劳动保障监察，欠薪已足额支付，信访人表示满意。' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(20000)
  completionReport?: string;
}

export class IssueReplyCommand {
  constructor(readonly caseId: string, readonly body: IssueReplyDto, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(IssueReplyCommand)
export class IssueReplyHandler implements ICommandHandler<IssueReplyCommand> {
  constructor(private readonly tasks: TaskCommands) {}
  execute({ caseId, body, at, caller }: IssueReplyCommand) {
    // The reply is the lead's: it goes into the task stream of the caller's own agency.
    return this.tasks.run(caseId, caller.agency ?? '', { kind: 'IssueReply', at, outcome: body.outcome, text: body.text, completionReport: body.completionReport ?? null }, caller);
  }
}

@ApiTags('agency')
@ApiBearerAuth()
@Controller('v1/cases')
export class IssueReplyController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/reply')
  @HttpCode(201)
  @ApiOperation({ summary: '答复 / 信访处理意见书 by the lead agency, once every co-handler has given its opinion (Art. 24, 32); in 交办 mode with its 办结报告 (Art. 22)' })
  reply(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Body() body: IssueReplyDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new IssueReplyCommand(caseId, body, at, caller));
  }
}
