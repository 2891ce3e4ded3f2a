import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Now } from '@lianban/platform';
import { Registry, type AgencyView } from '@lianban/registry';
import { AsOfDto } from '../as-of.dto';
import { parseMoment } from '../moment';

@ApiTags('history')
@ApiBearerAuth()
@Controller('v1/agencies')
export class AgenciesController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @ApiOperation({ summary: 'agencies in force at a moment (default now), with the names valid then' })
  list(@Query() q: AsOfDto, @Now() now: string): AgencyView[] {
    return this.registry.agencies(q.asOf ? parseMoment(q.asOf)! : now);
  }
}
