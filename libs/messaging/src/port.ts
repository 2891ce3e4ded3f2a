/**
 * The message bus port (DESIGN 5). The in-process adapter has the semantics Kafka has:
 * topics with partitions, a key that picks the partition (so per-key order holds),
 * consumer groups that share partitions and keep committed offsets, at-least-once delivery.
 */
export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** messages for one topic, in the order they are to be appended */
export interface TopicMessages {
  topic: string;
  messages: OutgoingMessage[];
}

export interface TopicSpec {
  topic: string;
  /** default 3 */
  partitions?: number;
}

export interface ConsumerOptions {
  /** consumer group: members of one group share the partitions; each group sees every message */
  groupId: string;
  topics: string[];
  /**
   * Called once per message, in order per partition. When it resolves, the message's offset
   * is committed. When it rejects, the message is retried with backoff up to `maxRetries`
   * times, then handed to `onDeadLetter` (if given) and the partition moves on.
   */
  handler: (message: IncomingMessage) => Promise<void>;
  /** where a group with no committed offset starts; default 'earliest' */
  fromBeginning?: boolean;
  maxRetries?: number;
  retryBackoffMs?: number;
  onDeadLetter?: (message: IncomingMessage, error: unknown) => Promise<void>;
  /**
   * Called once if the consumer stops by itself for good (not through `stop()`): it will not
   * consume again, so its messages wait unprocessed until something starts a new consumer for
   * the group. On Kafka this is kafkajs giving up (a crash it does not restart from); a crash it
   * restarts from, such as a broker outage, is not reported here, only in `status()`.
   */
  onStopped?: (error: unknown) => void;
}

/**
 * - `starting`: subscribe() has not finished joining the group yet;
 * - `running`: a member of its group, consuming (or waiting for messages);
 * - `restarting`: it crashed and the adapter is bringing it back by itself (Kafka: kafkajs'
 *   restart after a retriable error, e.g. the broker is unreachable); `error` says why;
 * - `stopped`: it consumes no more. With `error`, it stopped by itself for good (see
 *   `onStopped`); without, `stop()` was called.
 */
export type SubscriptionState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface SubscriptionStatus {
  groupId: string;
  topics: string[];
  state: SubscriptionState;
  /** when it entered this state (ISO 8601) */
  since: string;
  error?: string;
}

export interface ConsumerHandle {
  stop(): Promise<void>;
  /** where this consumer is now; cheap and synchronous (no request to the bus) */
  status(): SubscriptionStatus;
}

export interface BusHealth {
  /** whether the bus itself answers */
  ok: boolean;
  detail?: string;
  /** every consumer subscribed through this bus instance and not stopped through `stop()` */
  subscriptions: SubscriptionStatus[];
}

export interface MessageBus {
  readonly kind: string;
  /** creates topics explicitly (Kafka topics are never auto-created); idempotent */
  createTopics(topics: TopicSpec[]): Promise<void>;
  /** resolves once every message is durably accepted by the bus, in the order given */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /**
   * `publish` to several topics in one go (on Kafka one produce request instead of one per
   * topic): resolves once every message is durably accepted, each topic's in the order given.
   * Nothing is sent when a topic does not exist or a message is invalid.
   */
  publishAll(batch: TopicMessages[]): Promise<void>;
  subscribe(options: ConsumerOptions): Promise<ConsumerHandle>;
  /** whether the bus is reachable, and the state of every subscription (for /health) */
  health(): Promise<BusHealth>;
  close(): Promise<void>;
}
