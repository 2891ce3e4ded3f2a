import type { StoredEvent } from '@lianban/contracts';
import type { EventStore } from '@lianban/eventstore';

const BATCH = 1000;

/**
 * Follows the whole store in order for an in-memory view: each catch-up applies every event after
 * the last one applied. Catch-ups queue behind the one in flight, never join it: one begun before
 * the caller's own append could miss it, and two over the same position would apply a batch twice.
 */
export class StoreFollower {
  private position = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly store: EventStore, private readonly apply: (e: StoredEvent) => void) {}

  catchUp(): Promise<void> {
    const run = this.chain.then(() => this.read());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<void> {
    for (;;) {
      const batch = await this.store.readAll({ after: this.position, limit: BATCH });
      for (const e of batch) {
        if (e.position <= this.position) continue;
        this.position = e.position;
        this.apply(e);
      }
      if (batch.length < BATCH) return;
    }
  }
}
