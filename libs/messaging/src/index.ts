export * from './port';
export * from './errors';
export { partitionForKey } from './murmur2';
export {
  BusLogger,
  DEFAULT_MAX_RETRIES,
  DEFAULT_PARTITIONS,
  DEFAULT_RETRY_BACKOFF_MS,
  describeError,
  MAX_RETRY_BACKOFF_MS,
  retryDelayMs,
} from './delivery';
export { DEFAULT_BUS_RETENTION_MESSAGES, InProcessBus, InProcessBusOptions } from './memory/in-process-bus';
export { KafkaBus, KafkaBusOptions } from './kafka/kafka-bus';
export { createMessageBus, MessageBusConfig } from './factory';
