import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import {
  agencyTopic, caseEventsTopic, consumerGroup, deadLetterTopic, decodeEventMessage, type StoredEvent, type TopicNaming,
} from '@lianban/contracts';
import { DomainError } from '@lianban/domain';
import { describeError, type ConsumerHandle, type IncomingMessage, type MessageBus, type SubscriptionStatus } from '@lianban/messaging';
import type { LianbanConfig } from '../config';
import { EventFeed } from '../event-feed';
import { HlcService } from '../hlc.service';
import { Metrics } from '../metrics';
import { ServiceExit } from '../service-exit';
import { AGENCY_TOPIC_PARTITIONS, CASE_EVENTS_PARTITIONS } from '../relay/event-relay';
import { CONFIG, MESSAGE_BUS } from '../tokens';
import { deadLetterOf, deadLetterReason } from './dead-letter';

/**
 * What a reaction did with one event:
 * - `applied`: this call committed an effect (and, in the same transaction, the record that it did);
 * - `duplicate`: the event had been applied before (a redelivery), nothing changed;
 * - `ignored`: the event does not concern this reaction.
 */
export type ReactionOutcome = 'applied' | 'duplicate' | 'ignored';

/**
 * A reaction to consumed events; it must be idempotent by itself (see ReactionOutcome). A
 * boolean is read as `true` = applied, `false` = ignored.
 */
export type ConsumedReaction = (event: StoredEvent) => Promise<ReactionOutcome | boolean>;

export interface ConsumerRegistration {
  /**
   * The consuming service (`coordinator`, `agency.500112-rsj`): its Kafka consumer group is
   * `<region>.<consumer>` and its dead-letter topic `<region>.dlq.<consumer>`.
   */
  consumer: string;
  /** what it reads on Kafka: every event of the region, or one agency's topic */
  source: { topic: 'case-events' } | { topic: 'agency'; agencyId: string };
  /** the reaction's name; with the in-process bus, its store subscription is `<consumer>.<reaction>` */
  reaction: string;
  react: ConsumedReaction;
}

/** Retries before a message goes to the dead-letter topic: 200 ms doubling, about 6 s in all. */
export const CONSUMER_MAX_RETRIES = 5;
export const CONSUMER_RETRY_BACKOFF_MS = 200;

/**
 * Where services get the events they react to, by configuration:
 *
 * - BUS=kafka (distributed): one consumer group per consuming service on its topic, decoded
 *   from CloudEvents; bounded retries with backoff, then the message goes to
 *   `<region>.dlq.<consumer>` with the error as a header, and the partition moves on.
 * - BUS=memory (embedded): each reaction follows the store itself from its own durable
 *   checkpoint (EventFeed). The in-process bus keeps no offsets across a restart, so reading
 *   from it would lose what the relay sent just before a crash; the store subscription is the
 *   same at-least-once delivery with a checkpoint that survives.
 *
 * Either way every consumed event advances the process's hybrid logical clock before the
 * reaction runs, so what it stamps comes after what it reacted to (DESIGN 6); a reaction that a
 * rule refuses (DomainError) is an answer, logged and passed over; and the test-only crash
 * point sits between the reaction's commit and the acknowledgement.
 */
@Injectable()
export class EventConsumers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('consumers');
  private readonly registrations: ConsumerRegistration[] = [];
  private readonly handles: ConsumerHandle[] = [];
  private started = false;

  constructor(
    @Inject(CONFIG) private readonly config: LianbanConfig,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly feed: EventFeed,
    private readonly hlc: HlcService,
    private readonly metrics: Metrics,
    @Optional() private readonly exit?: ServiceExit,
  ) {
    metrics.watchConsumers(() => this.statuses());
  }

  /** where each Kafka consumer of this process is (none in embedded mode, where reactions follow the store) */
  statuses(): SubscriptionStatus[] {
    return this.handles.map((h) => h.status());
  }

  private get naming(): TopicNaming {
    return { prefix: this.config.topicPrefix, region: this.config.region };
  }

  /** call from onModuleInit: consumption starts once every module is initialised */
  register(registration: ConsumerRegistration): void {
    if (this.started) throw new Error(`consumer ${registration.consumer}.${registration.reaction} registered after start-up; register in onModuleInit`);
    if (this.config.bus === 'memory' && registration.source.topic !== 'case-events') {
      throw new Error(`${registration.consumer}.${registration.reaction}: agency topics are read only on Kafka; in embedded mode read the store`);
    }
    const other = this.registrations.find((r) => r.consumer === registration.consumer);
    if (other && this.topicOf(other) !== this.topicOf(registration)) {
      throw new Error(`consumer ${registration.consumer} already reads ${this.topicOf(other)}; one consumer group reads one topic`);
    }
    this.registrations.push(registration);
  }

  /** the consumers this process runs, for /health */
  describe(): { consumer: string; group: string | null; topic: string; reactions: string[] }[] {
    const byConsumer = new Map<string, ConsumerRegistration[]>();
    for (const r of this.registrations) byConsumer.set(r.consumer, [...(byConsumer.get(r.consumer) ?? []), r]);
    return [...byConsumer].map(([consumer, regs]) => ({
      consumer,
      group: this.config.bus === 'kafka' ? consumerGroup(this.naming, consumer) : null,
      topic: this.config.bus === 'kafka' ? this.topicOf(regs[0]) : 'event store',
      reactions: regs.map((r) => r.reaction),
    }));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.started = true;
    if (this.config.bus === 'memory') {
      for (const r of this.registrations) this.feed.follow(`${r.consumer}.${r.reaction}`, (e) => this.deliver(r, e));
      return;
    }
    const byConsumer = new Map<string, ConsumerRegistration[]>();
    for (const r of this.registrations) byConsumer.set(r.consumer, [...(byConsumer.get(r.consumer) ?? []), r]);
    for (const [consumer, regs] of byConsumer) await this.startKafkaConsumer(consumer, regs);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.handles.splice(0).map((h) => h.stop()));
  }

  private topicOf(r: ConsumerRegistration): string {
    return r.source.topic === 'case-events' ? caseEventsTopic(this.naming) : agencyTopic(this.naming, r.source.agencyId);
  }

  private async startKafkaConsumer(consumer: string, regs: ConsumerRegistration[]): Promise<void> {
    const topic = this.topicOf(regs[0]);
    const dlq = deadLetterTopic(this.naming, consumer);
    // the consumer may start before the relay ever ran: it creates what it reads (idempotent)
    await this.bus.createTopics([
      { topic, partitions: regs[0].source.topic === 'case-events' ? CASE_EVENTS_PARTITIONS : AGENCY_TOPIC_PARTITIONS },
      { topic: dlq, partitions: 1 },
    ]);
    const group = consumerGroup(this.naming, consumer);
    this.handles.push(await this.bus.subscribe({
      groupId: group,
      topics: [topic],
      maxRetries: CONSUMER_MAX_RETRIES,
      retryBackoffMs: CONSUMER_RETRY_BACKOFF_MS,
      handler: async (message) => {
        const event = decodeEventMessage(message);
        for (const r of regs) await this.deliver(r, event);
      },
      onDeadLetter: (message, error) => this.deadLetter(consumer, dlq, message, error),
      // its events would wait unprocessed for as long as this process lives: see ServiceExit
      onStopped: (error) => this.exit?.exitForRestart(`consumer ${consumer} (group ${group}) stopped for good: ${describeError(error)}`),
    }));
    this.log.log(`${consumer}: consuming ${topic} as group ${group}; dead letters to ${dlq}`);
  }

  private async deliver(r: ConsumerRegistration, event: StoredEvent): Promise<void> {
    this.hlc.observe(event.hlc);
    let outcome: ReactionOutcome | 'refused';
    try {
      const result = await r.react(event);
      outcome = result === true ? 'applied' : result === false ? 'ignored' : result;
    } catch (error) {
      if (!(error instanceof DomainError)) {
        this.metrics.consumedEvents.inc({ consumer: r.consumer, reaction: r.reaction, outcome: 'failed' });
        throw error;
      }
      this.log.warn(`${r.consumer}.${r.reaction}: ${event.type} ${event.id} refused: ${error.code} ${error.message}`);
      outcome = 'refused';
    }
    this.metrics.consumedEvents.inc({ consumer: r.consumer, reaction: r.reaction, outcome });
    if (outcome === 'applied' && this.config.testCrashAfterEffect === event.type) {
      // test only (config refuses it outside NODE_ENV=test): the effect is committed, the
      // message is not acknowledged; SIGKILL so no shutdown hook acknowledges it either
      process.stderr.write(`lianban: LIANBAN_TEST_CRASH_AFTER_EFFECT: ${r.consumer}.${r.reaction} applied ${event.type} ${event.id}; killing the process before the acknowledgement\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  }

  private async deadLetter(consumer: string, dlq: string, message: IncomingMessage, error: unknown): Promise<void> {
    this.log.error(`${consumer}: giving up on ${message.topic}[${message.partition}]@${message.offset} (${message.headers.ce_type ?? 'no ce_type'} ${message.headers.ce_id ?? ''}): ${deadLetterReason(error)}; sent to ${dlq}`);
    await this.bus.publish(dlq, [deadLetterOf(consumer, message, error)]);
  }
}
