import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { StoredEvent } from '@lianban/contracts';
import { DomainError } from '@lianban/domain';
import type { EventStore, SubscriptionHandle } from '@lianban/eventstore';
import { EVENT_STORE } from './tokens';

export type Reaction = (event: StoredEvent) => Promise<void>;

/**
 * Lets a process manager or projection react to every event of the region, at least once,
 * resuming after a restart from a durable checkpoint. A reaction whose command a rule refuses
 * is logged and passed over (the refusal is an answer, not a failure); any other error stops
 * the batch and it is delivered again.
 */
@Injectable()
export class EventFeed implements OnApplicationShutdown {
  private readonly log = new Logger('event-feed');
  private readonly handles: SubscriptionHandle[] = [];

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  follow(subscriberId: string, react: Reaction): void {
    this.handles.push(this.store.subscribe({
      subscriberId,
      handler: async (events) => {
        for (const e of events) {
          try {
            await react(e);
          } catch (err) {
            if (err instanceof DomainError) this.log.warn(`${subscriberId}: ${e.type} ${e.id} refused: ${err.code} ${err.message}`);
            else throw err;
          }
        }
      },
    }));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.handles.splice(0).map((h) => h.stop()));
  }
}
