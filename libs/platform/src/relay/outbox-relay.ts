import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@lianban/eventstore';
import type { MessageBus } from '@lianban/messaging';
import { Registry } from '@lianban/registry';
import type { LianbanConfig } from '../config';
import { Metrics } from '../metrics';
import { CONFIG, EVENT_STORE, MESSAGE_BUS } from '../tokens';
import { EventRelay } from './event-relay';

/**
 * Runs the region's relay in this process when RELAY is on (the coordinator process and the
 * standalone by default). It starts after every module is initialised, so a store or broker
 * that cannot be reached stops the process at start-up instead of leaving it half working.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('outbox-relay');
  private relay: EventRelay | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: LianbanConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly registry: Registry,
    private readonly metrics: Metrics,
  ) {}

  get running(): boolean {
    return this.relay !== null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.relay) return;
    const relay = new EventRelay(this.store, this.bus, {
      naming: { prefix: this.config.topicPrefix, region: this.config.region },
      agencies: this.registry.agencies(new Date().toISOString()).map((a) => a.id),
      logger: { log: (m) => this.log.log(m), warn: (m) => this.log.warn(m) },
      onRelayed: (events) => {
        this.metrics.relayedEvents.inc(events.length);
        this.metrics.relayPosition.set(events[events.length - 1].position);
      },
    });
    await relay.start();
    this.relay = relay;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    this.relay = null;
  }
}
