import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '@lianban/auth';
import { GetPetitionStatusQuery } from './petition-status.query';
import type { PetitionStatusView } from './petition-status.handler';

@ApiTags('intake')
@ApiBearerAuth()
@Controller('v1/petitions')
export class PetitionStatusController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':caseId')
  @ApiOperation({ summary: 'status of a petition: current step, agencies, every limit and its due date' })
  status(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Caller() caller: Principal): Promise<PetitionStatusView> {
    return this.queries.execute(new GetPetitionStatusQuery(caseId, caller));
  }
}
