import { Module } from '@nestjs/common';
import { AgenciesController } from './agencies/agencies';
import { CaseViewController, GetCaseHandler } from './case-view/case-view';
import { GetTimelineHandler, TimelineController } from './timeline/timeline';

/** Analysts and everyone looking back: case state and timeline as of any moment, the registry. */
@Module({
  controllers: [CaseViewController, TimelineController, AgenciesController],
  providers: [GetCaseHandler, GetTimelineHandler],
})
export class HistoryModule {}
