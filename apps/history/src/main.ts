import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { PlatformModule, runService } from '@lianban/platform';
import { HistoryModule } from './history.module';

/** History as its own process: timelines, as-of replay and statistics, read from the region's store. */
@Module({})
class HistoryService {}

void runService({
  name: 'history',
  title: 'Lianban 联办 history',
  module: (config) => ({ module: HistoryService, imports: [PlatformModule.forRoot(config), HistoryModule] }),
});
