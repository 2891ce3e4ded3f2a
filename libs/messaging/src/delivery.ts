import { InvalidMessageError } from './errors';
import type { ConsumerOptions, IncomingMessage, OutgoingMessage } from './port';

/**
 * What both adapters share: defaults, validation that mirrors what Kafka itself refuses, and the
 * retry → dead-letter loop, so a consumer behaves the same on either bus.
 */
export const DEFAULT_PARTITIONS = 3;
export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_RETRY_BACKOFF_MS = 200;
/** Exponential backoff stops growing here so a long outage does not park a partition for hours. */
export const MAX_RETRY_BACKOFF_MS = 30_000;

export interface BusLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export const consoleBusLogger: BusLogger = {
  warn: (message, meta) => console.warn(`[messaging] ${message}`, meta ?? ''),
  error: (message, meta) => console.error(`[messaging] ${message}`, meta ?? ''),
};

// Kafka's own rule (kafka.common.Topic): legal characters, at most 249 of them, not "." or "..".
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function assertValidTopicName(topic: string): void {
  if (typeof topic !== 'string' || !TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw new InvalidMessageError(
      `invalid topic name ${JSON.stringify(topic)}: use 1-249 of [a-zA-Z0-9._-], not "." or ".."`,
    );
  }
}

export function assertValidPartitions(topic: string, partitions: number): void {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new InvalidMessageError(`topic ${topic}: partitions must be a positive integer, got ${partitions}`);
  }
}

export function assertValidMessage(topic: string, message: OutgoingMessage): void {
  if (typeof message?.key !== 'string') {
    throw new InvalidMessageError(`message for ${topic}: key must be a string (it picks the partition)`);
  }
  if (!Buffer.isBuffer(message.value)) {
    throw new InvalidMessageError(`message for ${topic}: value must be a Buffer`);
  }
  const headers = message.headers;
  if (headers === undefined || headers === null) return;
  // no Object.entries: a relayed event carries 15 headers, and an array per header per message
  // was about half of what publishing cost the in-process bus (B2 profile)
  for (const name in headers) {
    if (Object.hasOwn(headers, name) && typeof headers[name] !== 'string') {
      throw new InvalidMessageError(`message for ${topic}: header ${name} must be a string`);
    }
  }
}

export interface ResolvedConsumerOptions {
  groupId: string;
  topics: string[];
  handler: (message: IncomingMessage) => Promise<void>;
  fromBeginning: boolean;
  maxRetries: number;
  retryBackoffMs: number;
  onDeadLetter?: (message: IncomingMessage, error: unknown) => Promise<void>;
  onStopped?: (error: unknown) => void;
}

export function resolveConsumerOptions(options: ConsumerOptions): ResolvedConsumerOptions {
  if (typeof options.groupId !== 'string' || options.groupId.length === 0) {
    throw new InvalidMessageError('subscribe: groupId is required');
  }
  if (!Array.isArray(options.topics) || options.topics.length === 0) {
    throw new InvalidMessageError('subscribe: at least one topic is required');
  }
  options.topics.forEach(assertValidTopicName);
  if (typeof options.handler !== 'function') {
    throw new InvalidMessageError('subscribe: handler is required');
  }
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const retryBackoffMs = options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidMessageError(`subscribe: maxRetries must be a non-negative integer, got ${maxRetries}`);
  }
  if (!Number.isFinite(retryBackoffMs) || retryBackoffMs < 0) {
    throw new InvalidMessageError(`subscribe: retryBackoffMs must be >= 0, got ${retryBackoffMs}`);
  }
  return {
    groupId: options.groupId,
    topics: [...new Set(options.topics)],
    handler: options.handler,
    fromBeginning: options.fromBeginning ?? true,
    maxRetries,
    retryBackoffMs,
    onDeadLetter: options.onDeadLetter,
    onStopped: options.onStopped,
  };
}

/** Delay before retry number `retry` (1-based): base, 2×base, 4×base … capped. */
export function retryDelayMs(baseMs: number, retry: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, retry - 1), MAX_RETRY_BACKOFF_MS);
}

export interface DeliveryControl {
  /** true once the consumer is stopping: no further attempt is started */
  stopping(): boolean;
  /** waits `ms`, returning early when the consumer stops */
  sleep(ms: number): Promise<void>;
}

/**
 * - `processed`: the handler resolved; commit.
 * - `dead-lettered`: retries exhausted and the dead-letter callback resolved (or there is none);
 *   commit, so the partition moves on.
 * - `stopped`: the consumer stopped before either; do NOT commit, the message is redelivered to
 *   the group's next consumer (at-least-once).
 */
export type DeliveryOutcome = 'processed' | 'dead-lettered' | 'stopped';

/**
 * Runs the handler for one message with bounded retries, then the dead-letter callback.
 * `copy` produces a fresh message per attempt so a handler that mutates what it was given
 * cannot change what the retry or the dead-letter callback sees.
 */
export async function deliverWithRetries(
  copy: () => IncomingMessage,
  options: ResolvedConsumerOptions,
  control: DeliveryControl,
  logger: BusLogger,
): Promise<DeliveryOutcome> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= options.maxRetries; attempt++) {
    if (attempt > 0) {
      await control.sleep(retryDelayMs(options.retryBackoffMs, attempt));
    }
    if (control.stopping()) return 'stopped';
    try {
      // the wrapper also turns a handler that throws synchronously into a rejection
      await Promise.resolve().then(() => options.handler(copy()));
      return 'processed';
    } catch (error) {
      lastError = error;
    }
  }

  const failed = copy();
  const where = { groupId: options.groupId, topic: failed.topic, partition: failed.partition, offset: failed.offset, key: failed.key };
  if (!options.onDeadLetter) {
    logger.error(`handler failed ${options.maxRetries + 1} times and no dead-letter callback is set; skipping the message`, {
      ...where,
      error: describeError(lastError),
    });
    return 'dead-lettered';
  }
  // A message is only let go once the dead-letter callback has taken it; until then it keeps
  // its partition waiting, since skipping it would lose it.
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      await control.sleep(retryDelayMs(options.retryBackoffMs, Math.min(attempt, 16)));
    }
    if (control.stopping()) return 'stopped';
    try {
      await Promise.resolve().then(() => options.onDeadLetter!(copy(), lastError));
      return 'dead-lettered';
    } catch (error) {
      logger.error('dead-letter callback failed; retrying it', { ...where, error: describeError(error) });
    }
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
