import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { consumerGroup, deadLetterTopic, inboundTopic, otherRegion, type TopicNaming } from '@lianban/contracts';
import type { EventStore } from '@lianban/eventstore';
import { describeError, type ConsumerHandle, type MessageBus, type SubscriptionStatus } from '@lianban/messaging';
import type { LianbanConfig } from '../config';
import { HlcService } from '../hlc.service';
import { Metrics } from '../metrics';
import { ServiceExit } from '../service-exit';
import { deadLetterOf, deadLetterReason } from '../consumers/dead-letter';
import { CONFIG, EVENT_STORE, MESSAGE_BUS } from '../tokens';
import { CROSS_REGION_PARTITIONS, RegionOutbound, ReplicaImporter } from './replication';

/**
 * Runs both halves of the region's cross-region link (CROSS_REGION=on) in the process that runs
 * the outbox relay — one per region, for the same reason: one follower of the store per topic.
 */
@Injectable()
export class CrossRegionLink implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('cross-region');
  private outbound: RegionOutbound | null = null;
  private inbound: ConsumerHandle | null = null;
  readonly importer: ReplicaImporter;

  constructor(
    @Inject(CONFIG) private readonly config: LianbanConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    hlc: HlcService,
    metrics: Metrics,
    private readonly exit: ServiceExit,
  ) {
    this.importer = new ReplicaImporter(store, config.region, (stamp) => hlc.observe(stamp));
    metrics.watchConsumers(() => this.statuses());
  }

  /** the inbound consumer, when this process runs the link */
  statuses(): SubscriptionStatus[] {
    return this.inbound ? [this.inbound.status()] : [];
  }

  get running(): boolean {
    return this.outbound !== null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.crossRegion || !this.config.relay) return;
    const naming: TopicNaming = { prefix: this.config.topicPrefix, region: this.config.region };
    const peer = otherRegion(this.config.region);
    const topic = inboundTopic(naming, peer);
    const dlq = deadLetterTopic(naming, 'inbound');
    await this.bus.createTopics([{ topic, partitions: CROSS_REGION_PARTITIONS }, { topic: dlq, partitions: 1 }]);
    this.inbound = await this.bus.subscribe({
      groupId: consumerGroup(naming, 'inbound'),
      topics: [topic],
      maxRetries: 5,
      retryBackoffMs: 200,
      handler: async (m) => {
        await this.importer.importMessage(m);
      },
      onDeadLetter: async (m, error) => {
        this.log.error(`giving up on ${m.topic}[${m.partition}]@${m.offset} (${m.headers.ce_id ?? ''}): ${deadLetterReason(error)}; sent to ${dlq}`);
        await this.bus.publish(dlq, [deadLetterOf('inbound', m, error)]);
      },
      onStopped: (error) => this.exit.exitForRestart(`the cross-region inbound consumer stopped for good: ${describeError(error)}`),
    });
    this.outbound = new RegionOutbound(this.store, this.bus, naming);
    await this.outbound.start();
    this.log.log(`joint cases: sending to ${this.outbound.topic}, receiving from ${topic}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.inbound?.stop();
    await this.outbound?.stop();
    this.inbound = null;
    this.outbound = null;
  }
}
