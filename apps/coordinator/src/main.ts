import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { PlatformModule, runService } from '@lianban/platform';
import { CoordinatorModule } from './coordinator.module';

/** The petition bureau as its own process; it also runs the region's outbox relay (RELAY=on by default). */
@Module({})
class CoordinatorService {}

void runService({
  name: 'coordinator',
  title: 'Lianban 联办 coordinator',
  // the region's outbox relay runs here unless RELAY=off: one per region, beside the bureau
  defaults: { relay: true },
  module: (config) => ({ module: CoordinatorService, imports: [PlatformModule.forRoot(config), CoordinatorModule] }),
});
