import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '@lianban/auth';
import { Now } from '@lianban/platform';
import { RateReplyDto } from './rate-reply.dto';
import { RateReplyCommand } from './rate-reply.handler';

@ApiTags('intake')
@ApiBearerAuth()
@Controller('v1/petitions')
export class RateReplyController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/rating')
  @HttpCode(201)
  @ApiOperation({ summary: '满意度评价: the petitioner rates the reply' })
  rate(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Body() body: RateReplyDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new RateReplyCommand(caseId, body, at, caller));
  }
}
