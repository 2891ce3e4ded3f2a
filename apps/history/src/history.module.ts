import { Module } from '@nestjs/common';
import { CONFIG, type LianbanConfig } from '@lianban/platform';
import { AgenciesController } from './agencies/agencies';
import { CaseViewController, GetCaseHandler } from './case-view/case-view';
import { CaseFactsProjection, createFactsStore, FACTS_STORE } from './projections/case-facts.projection';
import { GetOverdueHandler, GetStatsHandler, StatsController } from './stats/stats';
import { GetTimelineHandler, TimelineController } from './timeline/timeline';
import { UiController } from './ui/ui.controller';

/**
 * Analysts and everyone looking back: case state and timeline as of any moment, the registry,
 * the statistics of DESIGN 4.5 from the case-facts projection, and the web pages under /ui.
 */
@Module({
  controllers: [CaseViewController, TimelineController, AgenciesController, StatsController, UiController],
  providers: [
    GetCaseHandler, GetTimelineHandler, GetStatsHandler, GetOverdueHandler,
    { provide: FACTS_STORE, inject: [CONFIG], useFactory: (config: LianbanConfig) => createFactsStore(config) },
    CaseFactsProjection,
  ],
})
export class HistoryModule {}
