import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HybridLogicalClock } from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE } from './tokens';

/**
 * How many of the store's newest events start-up reads for the highest stamp. Not only the last
 * one: with cross-region replication an event copied from the other region may be stored after
 * a local event that carries a higher stamp.
 */
const RESUME_WINDOW = 1000;

/**
 * The process's hybrid logical clock. It resumes from the highest stamp among the store's
 * newest events, so a restart never stamps an event before one already written — whatever the
 * wall clock says after the restart. The store is the persistence: every stamp this process
 * gave out, and every stamp it observed and acted on, is in some stored event.
 */
@Injectable()
export class HlcService implements OnModuleInit {
  private readonly clock = new HybridLogicalClock();
  /** the clock's current stamp, as text (fixed width: string order is stamp order) */
  private newest: string | null = null;
  private ready = false;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onModuleInit(): Promise<void> {
    const head = await this.store.headPosition();
    if (head > 0) {
      // positions may have gaps: read the tail by count, not by position arithmetic alone
      const tail = await this.store.readAll({ after: Math.max(0, head - RESUME_WINDOW), limit: RESUME_WINDOW });
      let highest: string | null = null;
      for (const e of tail) if (highest === null || e.hlc > highest) highest = e.hlc;
      if (highest !== null) this.newest = this.clock.receive(highest, 0);
    }
    this.ready = true;
  }

  /** stamp an event happening at `atIso` (the command's time) */
  stamp(atIso: string): string {
    if (!this.ready) throw new Error('HLC used before start-up finished');
    return (this.newest = this.clock.tick(Date.parse(atIso)));
  }

  /** the newest stamp given out or observed (tests, /health) */
  current(): string {
    return this.clock.current();
  }

  /**
   * Advance past a stamp seen on a consumed event. One the clock is already at or past needs
   * nothing: the next stamp comes after it anyway. That is nearly every one (each reaction and
   * each command observes events this process stamped), and the decode and encode were not free.
   */
  observe(hlc: string): void {
    if (this.newest !== null && hlc <= this.newest) return;
    this.newest = this.clock.receive(hlc, 0);
  }
}
