import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { PlatformModule, runService } from '@lianban/platform';
import { AgencyModule } from './agency.module';

/** One agency's service (AGENCY_ID=500112-rsj): its inbox from its own topic, its task commands. */
@Module({})
class AgencyService {}

void runService({
  name: 'agency',
  title: 'Lianban 联办 agency',
  requiresAgencyId: true,
  module: (config) => ({ module: AgencyService, imports: [PlatformModule.forRoot(config), AgencyModule] }),
});
