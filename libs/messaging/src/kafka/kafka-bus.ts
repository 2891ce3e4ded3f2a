/**
 * The distributed bus: the MessageBus port on a real Kafka cluster through kafkajs 2.2.4.
 *
 * - Topics are created explicitly through the admin client; the producer never creates one
 *   (`allowAutoTopicCreation: false`) and publishing to a topic the cluster lacks is refused
 *   with UnknownTopicError instead of kafkajs' slow metadata retries.
 * - The producer is idempotent (acks=-1, one request in flight), so a retried send neither
 *   duplicates nor reorders messages within a partition. A send that fails for good replaces
 *   the producer (see replaceProducer): the caller's re-send may then repeat messages.
 * - Keys are placed with kafkajs' DefaultPartitioner, the Java client's murmur2 mapping — the
 *   same mapping the in-process bus uses, and the one other Kafka clients (MirrorMaker, Java
 *   services) agree with. The LegacyPartitioner would place keys differently from Java.
 * - Each subscribe() is one consumer (one group member) with autoCommit off: an offset is
 *   committed only after the handler resolved or the message was dead-lettered.
 */
import {
  Admin,
  Consumer,
  EachMessagePayload,
  IHeaders,
  Kafka,
  KafkaConfig,
  logLevel,
  LogEntry,
  Partitioners,
  Producer,
} from 'kafkajs';
import { BusClosedError, UnknownTopicError } from '../errors';
import {
  assertValidMessage,
  assertValidPartitions,
  assertValidTopicName,
  BusLogger,
  consoleBusLogger,
  DEFAULT_PARTITIONS,
  deliverWithRetries,
  describeError,
  ResolvedConsumerOptions,
  resolveConsumerOptions,
} from '../delivery';
import type {
  BusHealth,
  ConsumerHandle,
  ConsumerOptions,
  IncomingMessage,
  MessageBus,
  OutgoingMessage,
  SubscriptionState,
  SubscriptionStatus,
  TopicMessages,
  TopicSpec,
} from '../port';

export interface KafkaBusOptions {
  brokers: string[];
  clientId?: string;
  /** replication factor of the topics createTopics() makes; 1 for a single broker (default 1) */
  replicationFactor?: number;
  /** how long health() waits for the cluster to answer (default 2000 ms) */
  healthTimeoutMs?: number;
  /** partitions one consumer processes at the same time, each still in order (default 3) */
  partitionsConsumedConcurrently?: number;
  /** consumer group session timeout (default 10000 ms) */
  sessionTimeoutMs?: number;
  /** how often a member heartbeats, and so how soon it notices a rebalance (default 1000 ms) */
  heartbeatIntervalMs?: number;
  /** longest a fetch waits on the broker for new data; bounds how long stop() takes (default 1000 ms) */
  maxWaitTimeMs?: number;
  connectionTimeoutMs?: number;
  logger?: BusLogger;
  /**
   * kafkajs' `retry.restartOnFailure` for every consumer: after a crash kafkajs could restart
   * from (a retriable error, e.g. the broker unreachable past its retries), whether it does.
   * Default: always, so a consumer rides a broker outage out. A crash from a non-retriable error
   * is never restarted, whatever this says. Either way a consumer that will not restart is
   * reported `stopped` with its error and its `onStopped` is called.
   */
  restartOnFailure?: (error: Error) => Promise<boolean>;
  /** kafkajs' own log level (default WARN) */
  kafkaLogLevel?: logLevel;
}

const HEARTBEAT_SLICE_MS = 1000;
/** how long createTopics waits for a new topic's metadata to reach the broker it asks */
const TOPIC_METADATA_WAIT_MS = 15_000;

/** how many times a member is started when the broker answers a retriable error at start-up */
const SUBSCRIBE_ATTEMPTS = 8;

export class KafkaBus implements MessageBus {
  readonly kind = 'kafka';
  private readonly kafka: Kafka;
  private readonly logger: BusLogger;
  private readonly knownTopics = new Set<string>();
  private readonly consumers = new Set<KafkaConsumerHandle>();
  private admin: Promise<Admin> | null = null;
  private adminInstance: Admin | null = null;
  private adminConnected = false;
  private producer: Promise<Producer> | null = null;
  private producerInstance: Producer | null = null;
  private closed = false;

  constructor(private readonly options: KafkaBusOptions) {
    if (!options.brokers?.length) throw new Error('KafkaBus: at least one broker (host:port) is required');
    this.logger = options.logger ?? consoleBusLogger;
    const config: KafkaConfig = {
      clientId: options.clientId ?? 'lianban',
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      logLevel: options.kafkaLogLevel ?? logLevel.WARN,
      logCreator: () => (entry) => this.kafkaLog(entry),
    };
    this.kafka = new Kafka(config);
  }

  async createTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen();
    for (const spec of topics) {
      assertValidTopicName(spec.topic);
      assertValidPartitions(spec.topic, spec.partitions ?? DEFAULT_PARTITIONS);
    }
    if (topics.length === 0) return;
    const admin = await this.adminClient();
    const deadline = Date.now() + TOPIC_METADATA_WAIT_MS;
    for (;;) {
      try {
        // resolves false when every topic already existed; an existing topic keeps its partitions
        await admin.createTopics({
          waitForLeaders: true,
          topics: topics.map((spec) => ({
            topic: spec.topic,
            numPartitions: spec.partitions ?? DEFAULT_PARTITIONS,
            replicationFactor: this.options.replicationFactor ?? 1,
          })),
        });
        break;
      } catch (error) {
        // A KRaft broker's metadata can lag the controller for a moment after a creation and
        // answer "unknown topic"; kafkajs' waitForLeaders retries only "leader not available".
        // Creating again is harmless (the topics exist) and waits for the leaders once more.
        if (!isUnknownTopic(error) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    for (const spec of topics) this.knownTopics.add(spec.topic);
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    return this.publishAll([{ topic, messages }]);
  }

  async publishAll(batch: TopicMessages[]): Promise<void> {
    this.assertOpen();
    for (const { topic, messages } of batch) for (const message of messages) assertValidMessage(topic, message);
    for (const { topic } of batch) await this.assertTopicExists(topic);
    const topicMessages = batch
      .filter((b) => b.messages.length > 0)
      .map(({ topic, messages }) => ({ topic, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })) }));
    if (topicMessages.length === 0) return;
    const producer = await this.producerClient();
    try {
      // one produce request for every topic: kafkajs keeps each partition's messages in the order given
      await producer.sendBatch({ acks: -1, topicMessages });
    } catch (error) {
      this.replaceProducer(producer);
      if (isUnknownTopic(error)) {
        for (const { topic } of batch) this.knownTopics.delete(topic);
        throw new UnknownTopicError(batch.length === 1 ? batch[0].topic : batch.map((b) => b.topic).join(', '));
      }
      throw error;
    }
  }

  /**
   * After a failed send the idempotent producer may be behind the broker: kafkajs rolls a
   * partition's sequence number back whenever a send fails, even when the broker wrote the batch
   * and only its answer was lost (the broker died, the connection dropped). Every later batch
   * would then start at a sequence the broker has passed and be refused with
   * OUT_OF_ORDER_SEQUENCE_NUMBER, for as long as the producer lives. The next publish gets a new
   * producer (a new producer id, sequences from 0); the caller's re-send may repeat what the lost
   * answer was for, which at-least-once delivery allows and consumers' inboxes absorb.
   */
  private replaceProducer(failed: Producer): void {
    if (this.producerInstance !== failed) return;
    this.producer = null;
    this.producerInstance = null;
    failed.disconnect().catch(() => undefined);
  }

  async subscribe(options: ConsumerOptions): Promise<ConsumerHandle> {
    this.assertOpen();
    const resolved = resolveConsumerOptions(options);
    for (const topic of resolved.topics) await this.assertTopicExists(topic);
    const pins = resolved.fromBeginning ? new Map<string, string>() : await this.latestPins(resolved.groupId, resolved.topics);

    // Right after a topic is created, a Kafka 4 broker may still answer "does not host this
    // topic-partition" to the metadata request subscribe() makes: a retriable error, so start
    // a fresh member after a pause rather than failing the service's start-up.
    for (let attempt = 1; ; attempt++) {
      const consumer = this.kafka.consumer({
        groupId: resolved.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
        heartbeatInterval: this.options.heartbeatIntervalMs ?? 1000,
        maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 1000,
        // kafkajs' consumer default is 5 retries; a `retry` given replaces it whole
        ...(this.options.restartOnFailure ? { retry: { retries: 5, restartOnFailure: this.options.restartOnFailure } } : {}),
      });
      const handle: KafkaConsumerHandle = new KafkaConsumerHandle(consumer, resolved, pins, this.logger, () => this.consumers.delete(handle));
      this.consumers.add(handle);
      try {
        await handle.start(this.options.partitionsConsumedConcurrently ?? 3);
        return handle;
      } catch (error) {
        await handle.stop().catch(() => undefined);
        const retriable = (error as { retriable?: boolean }).retriable === true;
        if (!retriable || attempt >= SUBSCRIBE_ATTEMPTS || this.closed) throw error;
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
  }

  async health(): Promise<BusHealth> {
    const subscriptions = [...this.consumers].map((c) => c.status());
    if (this.closed) return { ok: false, detail: 'kafka bus closed', subscriptions };
    const timeoutMs = this.options.healthTimeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const cluster = await Promise.race([
        this.adminConnected ? this.adminClient().then((admin) => admin.describeCluster()) : this.probe(timeoutMs),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { ok: true, detail: `${cluster.brokers.length} broker(s), cluster ${cluster.clusterId}`, subscriptions };
    } catch (error) {
      return { ok: false, detail: `kafka at ${this.options.brokers.join(',')}: ${describeError(error)}`, subscriptions };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One attempt with a throwaway client. The shared admin's connect would retry for about ten
   * seconds against a dead broker and keep timers alive long after health() has answered.
   */
  private async probe(timeoutMs: number) {
    const admin = new Kafka({
      clientId: `${this.options.clientId ?? 'lianban'}-health`,
      brokers: this.options.brokers,
      connectionTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      return await admin.describeCluster();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.consumers].map((c) => c.stop()));
    // the clients themselves, not their connect promises: a connect still retrying against an
    // unreachable broker would hold close() up for the whole retry schedule
    const clients = [this.producerInstance, this.adminInstance];
    this.producer = this.admin = null;
    this.producerInstance = this.adminInstance = null;
    this.adminConnected = false;
    await Promise.allSettled(clients.map((c) => c?.disconnect()));
  }

  /**
   * "latest" is pinned when subscribe() runs, as in the in-process bus: for a group nobody is
   * consuming in, each partition with no committed offset starts at the end it has now. Left
   * to kafkajs, the end would be read at the first fetch after the join, so a message published
   * right after subscribe() resolved could be skipped. Returns offset by `topic\0partition`.
   */
  private async latestPins(groupId: string, topics: string[]): Promise<Map<string, string>> {
    const pins = new Map<string, string>();
    const admin = await this.adminClient();
    const { groups } = await admin.describeGroups([groupId]);
    const state = groups[0]?.state;
    // a running member's partitions keep their place ("Dead" is how Kafka reports an unknown group)
    if (state && state !== 'Empty' && state !== 'Dead') return pins;
    for (const topic of topics) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const missing = new Set(committed.partitions.filter((p) => p.offset === '-1').map((p) => p.partition));
      if (missing.size === 0) continue;
      for (const end of await admin.fetchTopicOffsets(topic)) {
        if (missing.has(end.partition)) pins.set(pinKey(topic, end.partition), end.high);
      }
    }
    return pins;
  }

  private async assertTopicExists(topic: string): Promise<void> {
    if (this.knownTopics.has(topic)) return;
    const admin = await this.adminClient();
    // one metadata request for the whole cluster: kafkajs' per-topic lookups of a missing
    // topic retry for seconds before giving up
    const topics = await admin.listTopics();
    for (const t of topics) this.knownTopics.add(t);
    if (!this.knownTopics.has(topic)) throw new UnknownTopicError(topic);
  }

  private adminClient(): Promise<Admin> {
    this.assertOpen();
    if (!this.admin) {
      const admin = (this.adminInstance = this.kafka.admin());
      this.admin = this.remember(
        admin.connect().then(() => {
          this.adminConnected = true;
          return admin;
        }),
        () => this.admin,
        () => (this.admin = null),
      );
    }
    return this.admin;
  }

  private producerClient(): Promise<Producer> {
    this.assertOpen();
    if (!this.producer) {
      const producer = (this.producerInstance = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }));
      this.producer = this.remember(producer.connect().then(() => producer), () => this.producer, () => (this.producer = null));
    }
    return this.producer;
  }

  /** a failed connect is not remembered: the next call tries again */
  private remember<T>(connecting: Promise<T>, current: () => Promise<T> | null, forget: () => void): Promise<T> {
    connecting.catch(() => {
      if (current() === connecting) forget();
    });
    return connecting;
  }

  private kafkaLog({ namespace, level, log }: LogEntry): void {
    const { message, ...meta } = log;
    // kafkajs logs every error response of every request at ERROR, including the retriable ones
    // it then handles itself (leader moved, coordinator loading, topic being created). What it
    // cannot handle reaches the caller as a rejected promise, so these lines are only noise.
    if (namespace === 'Connection' && message.startsWith('Response ')) return;
    const line = `kafkajs ${namespace}: ${message}`;
    if (level === logLevel.ERROR || level === logLevel.NOTHING) this.logger.error(line, meta);
    else this.logger.warn(line, meta);
  }

  private assertOpen(): void {
    if (this.closed) throw new BusClosedError(this.kind);
  }
}

class KafkaConsumerHandle implements ConsumerHandle {
  private state: SubscriptionState = 'starting';
  private since = new Date().toISOString();
  private error: string | undefined;
  /** start() has resolved: from then on a crash kafkajs does not restart is reported to onStopped */
  private started = false;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private readonly sleepers = new Set<() => void>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly consumer: Consumer,
    private readonly options: ResolvedConsumerOptions,
    /** start offsets for "latest" partitions, applied at the join that first assigns them */
    private readonly pins: Map<string, string>,
    private readonly logger: BusLogger,
    private readonly onStopped: () => void,
  ) {}

  status(): SubscriptionStatus {
    return {
      groupId: this.options.groupId, topics: [...this.options.topics], state: this.state, since: this.since,
      ...(this.error === undefined ? {} : { error: this.error }),
    };
  }

  private enter(state: SubscriptionState, error?: unknown): void {
    this.state = state;
    this.since = new Date().toISOString();
    this.error = error === undefined ? undefined : describeCause(error);
  }

  /** resolves once the member has joined the group and received its partitions */
  async start(partitionsConsumedConcurrently: number): Promise<void> {
    // Nothing else watches a consumer once it runs: kafkajs reports every crash with whether it
    // restarts, and a join after a restart means it is back (the GROUP_JOIN listener below).
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (this.stopping) return;
      const restart = (payload as { restart?: boolean }).restart === true;
      this.enter(restart ? 'restarting' : 'stopped', payload.error);
      if (restart) {
        this.logger.warn(`consumer of group ${this.options.groupId} crashed; kafkajs restarts it`, { error: this.error });
      } else if (this.started) {
        this.logger.error(`consumer of group ${this.options.groupId} stopped for good: kafkajs will not restart it`, { topics: this.options.topics, error: this.error });
        this.options.onStopped?.(payload.error);
      }
    });
    // kafkajs emits GROUP_JOIN synchronously before the runner's first fetch, so a seek made in
    // the listener is the position that fetch uses (with autoCommit off, seek commits nothing).
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      if (!this.stopping) this.enter('running');
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) {
          const offset = this.pins.get(pinKey(topic, partition));
          if (offset === undefined) continue;
          this.pins.delete(pinKey(topic, partition));
          this.consumer.seek({ topic, partition, offset });
        }
      }
    });
    const joined = new Promise<void>((resolve, reject) => {
      const offJoin = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        offJoin();
        offCrash();
        resolve();
      });
      const offCrash = this.consumer.on(this.consumer.events.CRASH, (event) => {
        // a retriable crash (e.g. COORDINATOR_LOAD_IN_PROGRESS while a freshly started broker
        // loads __consumer_offsets) is followed by kafkajs restarting the consumer: keep waiting
        // for the join then, and give up only when kafkajs itself gives up
        if ((event.payload as { restart?: boolean }).restart) return;
        offJoin();
        offCrash();
        reject(event.payload.error);
      });
    });
    // observed here too, so a crash before the `await joined` below is never an unhandled rejection
    joined.catch(() => undefined);
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently,
      eachMessage: (payload) => this.eachMessage(payload),
    });
    await joined;
    this.started = true;
  }

  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopping = true;
      this.enter('stopped');
      for (const wake of this.sleepers) wake();
      this.stopped = (async () => {
        // kafkajs' runner silently drops commitOffsets() once its stop() has begun, so the
        // handlers in flight must finish and commit first; any message kafkajs hands over
        // meanwhile returns at once, uncommitted. Only then does disconnect() stop the runner
        // and leave the group, so the partitions move on now rather than after the session timeout.
        while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
        await this.consumer.disconnect();
      })().finally(() => this.onStopped());
    }
    return this.stopped;
  }

  private eachMessage(payload: EachMessagePayload): Promise<void> {
    const processing = this.process(payload);
    this.inFlight.add(processing);
    const untrack = () => this.inFlight.delete(processing);
    processing.then(untrack, untrack);
    return processing;
  }

  private async process({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const copy = (): IncomingMessage => ({
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString('utf8') : '',
      value: message.value ? Buffer.from(message.value) : Buffer.alloc(0),
      headers: decodeHeaders(message.headers),
    });
    const outcome = await deliverWithRetries(
      copy,
      this.options,
      { stopping: () => this.stopping, sleep: (ms) => this.sleep(ms, heartbeat) },
      this.logger,
    );
    // Not committed: kafkajs only marks it consumed in memory, and with autoCommit off that is
    // never written, so the group's next member starts again at this message.
    if (outcome === 'stopped') return;
    await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  }

  /**
   * Waits between retries, heartbeating so a long backoff does not cost the membership. If the
   * heartbeat reports a rebalance the error propagates: kafkajs rejoins without committing, and
   * the partition's new owner redelivers the message.
   */
  private async sleep(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    let remaining = ms;
    while (remaining > 0 && !this.stopping) {
      const slice = Math.min(remaining, HEARTBEAT_SLICE_MS);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, slice);
        this.sleepers.add(wake);
      });
      remaining -= slice;
      if (!this.stopping) await heartbeat();
    }
  }
}

const pinKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    // kafkajs returns a repeated header as an array; the port has one value per name: the last
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    out[name] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
  }
  return out;
}

/** kafkajs wraps the error that made it give up (KafkaJSNumberOfRetriesExceeded, KafkaJSNonRetriableError): name both */
function describeCause(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  return cause && cause !== error ? `${describeError(error)} (cause: ${describeError(cause)})` : describeError(error);
}

function isUnknownTopic(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown): boolean => {
    if (!e || typeof e !== 'object' || seen.has(e)) return false;
    seen.add(e);
    const err = e as { type?: string; originalError?: unknown; cause?: unknown; errors?: unknown[] };
    if (err.type === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
    return visit(err.originalError) || visit(err.cause) || (err.errors ?? []).some(visit);
  };
  return visit(error);
}
