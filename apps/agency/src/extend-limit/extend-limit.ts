import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { Now } from '@lianban/platform';
import { TaskCommands } from '../task-commands';

export class ExtendLimitDto {
  /** 1–30 日 (Art. 34); a longer extension is a refused rule (409 EXTENSION_TOO_LONG), not malformed input */
  @ApiProperty({ example: 30, minimum: 1, maximum: 30 }) @IsInt() @Min(1) @Max(366)
  days: number;

  /** told to the petitioner (Art. 34) */
  @ApiProperty({ example: '涉及人数众多，需逐一核实欠薪金额' }) @IsString() @IsNotEmpty() @MaxLength(2000)
  reason: string;
}

export class ExtendLimitCommand {
  constructor(readonly caseId: string, readonly agencyId: string, readonly body: ExtendLimitDto, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(ExtendLimitCommand)
export class ExtendLimitHandler implements ICommandHandler<ExtendLimitCommand> {
  constructor(private readonly tasks: TaskCommands) {}
  execute({ caseId, agencyId, body, at, caller }: ExtendLimitCommand) {
    return this.tasks.run(caseId, agencyId, { kind: 'ExtendHandlingLimit', at, days: body.days, reason: body.reason, approvedBy: caller.sub }, caller);
  }
}

@ApiTags('agency')
@ApiBearerAuth()
@Controller('v1/cases')
export class ExtendLimitController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/tasks/:agencyId/extension')
  @HttpCode(201)
  @ApiOperation({ summary: '延期: the agency head extends the handling limit once, by at most 30 日; the petitioner is told why (Art. 34)' })
  extend(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Param('agencyId') agencyId: string, @Body() body: ExtendLimitDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new ExtendLimitCommand(caseId, agencyId, body, at, caller));
  }
}
