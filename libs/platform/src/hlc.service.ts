import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HybridLogicalClock } from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE } from './tokens';

/**
 * The process's hybrid logical clock. It resumes from the newest stamp in the store, so a
 * restart never stamps an event before one already written.
 */
@Injectable()
export class HlcService implements OnModuleInit {
  private readonly clock = new HybridLogicalClock();
  private ready = false;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onModuleInit(): Promise<void> {
    const head = await this.store.headPosition();
    if (head > 0) {
      const [last] = await this.store.readAll({ after: Math.max(0, head - 1), limit: 1 });
      if (last) this.clock.receive(last.hlc, 0);
    }
    this.ready = true;
  }

  /** stamp an event happening at `atIso` (the command's time) */
  stamp(atIso: string): string {
    if (!this.ready) throw new Error('HLC used before start-up finished');
    return this.clock.tick(Date.parse(atIso));
  }

  /** advance past a stamp seen on a consumed event */
  observe(hlc: string): void {
    this.clock.receive(hlc, 0);
  }
}
