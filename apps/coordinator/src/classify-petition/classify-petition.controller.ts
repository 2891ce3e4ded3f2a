import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '@lianban/auth';
import { Now } from '@lianban/platform';
import { ClassifyPetitionDto } from './classify-petition.dto';
import { ClassifyPetitionCommand } from './classify-petition.handler';

@ApiTags('coordinator')
@ApiBearerAuth()
@Controller('v1/cases')
export class ClassifyPetitionController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':caseId/classification')
  @HttpCode(201)
  @ApiOperation({ summary: '分类: demand class, category and route (petition track or a statutory procedure)' })
  classify(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Body() body: ClassifyPetitionDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new ClassifyPetitionCommand(caseId, body, at, caller));
  }
}
