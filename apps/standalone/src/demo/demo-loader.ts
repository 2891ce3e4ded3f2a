import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EventStore } from '@lianban/eventstore';
import { CONFIG, EVENT_STORE, type LianbanConfig } from '@lianban/platform';
import { GaozhuWaterDemo } from './gaozhu-water.demo';
import { HousingDemo } from './housing.demo';
import { WageArrearsDemo } from './wage-arrears.demo';

/** Loads the demo cases into an empty store when DEMO is on (the embedded default). */
@Injectable()
export class DemoLoader implements OnApplicationBootstrap {
  private readonly log = new Logger('demo');
  /** resolves when the demo is in the store (or was not needed) */
  ready: Promise<void> = Promise.resolve();

  constructor(
    @Inject(CONFIG) private readonly config: LianbanConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly wageArrears: WageArrearsDemo,
    private readonly housing: HousingDemo,
    private readonly gaozhuWater: GaozhuWaterDemo,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo) return;
    if ((await this.store.headPosition()) > 0) return;
    // Loaded in the background: the demo waits for the case-answered process manager,
    // which only runs once bootstrap is over. One after the other, oldest first, so the
    // wage-arrears rating stays the demo's last event.
    // the joint water case holds Sichuan's task too: one deployment only, not with CROSS_REGION=on
    const water = () => (this.config.crossRegion ? Promise.resolve() : this.gaozhuWater.load().then(() => undefined));
    this.ready = this.housing.load().then(water).then(() => this.wageArrears.load()).then(
      () => undefined,
      (e: unknown) => this.log.error(`loading the demo failed: ${e instanceof Error ? e.stack : String(e)}`),
    );
  }
}
