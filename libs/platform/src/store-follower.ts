import type { StoredEvent } from '@lianban/contracts';
import type { EventStore, LeanEvent, ReadAllOptions } from '@lianban/eventstore';

const BATCH = 1000;

/**
 * Follows the whole store in order for an in-memory view: each catch-up applies every event after
 * the last one applied. Catch-ups queue behind the one in flight, never join it: one begun before
 * the caller's own append could miss it, and two over the same position would apply a batch twice.
 *
 * It reads the store's readAll, or what `read` reads (e.g. readAllLean, for a view that folds only
 * the lean fields: the case files).
 */
export class StoreFollower<E extends LeanEvent = StoredEvent> {
  private position = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly read: (options: ReadAllOptions) => Promise<E[]>;

  constructor(store: EventStore, apply: (e: StoredEvent) => void);
  constructor(store: EventStore, apply: (e: E) => void, read: (store: EventStore, options: ReadAllOptions) => Promise<E[]>);
  constructor(store: EventStore, private readonly apply: (e: E) => void, read?: (store: EventStore, options: ReadAllOptions) => Promise<E[]>) {
    // without `read`, the first signature holds: E is StoredEvent
    this.read = read ? (options) => read(store, options) : (options) => store.readAll(options) as Promise<unknown> as Promise<E[]>;
  }

  catchUp(): Promise<void> {
    const run = this.chain.then(() => this.readNew());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const batch = await this.read({ after: this.position, limit: BATCH });
      for (const e of batch) {
        if (e.position <= this.position) continue;
        this.position = e.position;
        this.apply(e);
      }
      if (batch.length < BATCH) return;
    }
  }
}
