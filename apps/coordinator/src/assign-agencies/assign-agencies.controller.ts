import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '@lianban/auth';
import { Now } from '@lianban/platform';
import { AssignAgenciesDto } from './assign-agencies.dto';
import { AssignAgenciesCommand } from './assign-agencies.handler';

@ApiTags('coordinator')
@ApiBearerAuth()
@Controller('v1/cases')
export class AssignAgenciesController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/assignments')
  @HttpCode(201)
  @ApiOperation({ summary: '转送/交办 to one lead agency and any co-handlers at once (Art. 24)' })
  assign(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Body() body: AssignAgenciesDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new AssignAgenciesCommand(caseId, body, at, caller));
  }
}
