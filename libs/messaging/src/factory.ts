import type { BusLogger } from './delivery';
import { KafkaBus } from './kafka/kafka-bus';
import { InProcessBus } from './memory/in-process-bus';
import type { MessageBus } from './port';

export interface MessageBusConfig {
  /** `memory`: the in-process bus of embedded mode; `kafka`: a real cluster (distributed mode) */
  kind: 'memory' | 'kafka';
  /** `host:port` of at least one broker; required for `kafka` */
  brokers?: string[];
  clientId?: string;
  /** replication factor for topics the bus creates (kafka only; default 1) */
  replicationFactor?: number;
  logger?: BusLogger;
  /** memory only: messages kept per partition once every group has committed them (InProcessBusOptions) */
  retainedMessages?: number;
}

/** Picks the adapter from configuration (DESIGN 2: `BUS=memory|kafka`, `KAFKA_BROKERS`). */
export function createMessageBus(config: MessageBusConfig): MessageBus {
  switch (config.kind) {
    case 'memory':
      return new InProcessBus({ logger: config.logger, retainedMessages: config.retainedMessages });
    case 'kafka': {
      const brokers = (config.brokers ?? []).map((b) => b.trim()).filter((b) => b.length > 0);
      if (brokers.length === 0) {
        throw new Error('BUS=kafka needs KAFKA_BROKERS (comma-separated host:port)');
      }
      return new KafkaBus({
        brokers,
        clientId: config.clientId,
        replicationFactor: config.replicationFactor,
        logger: config.logger,
      });
    }
    default:
      throw new Error(`unknown message bus kind ${JSON.stringify((config as { kind: unknown }).kind)}: use memory or kafka`);
  }
}
