import { assertBrokerReachable } from '@lianban/testing/distributed';
import { startDedicatedBroker, type DedicatedBroker } from '@lianban/testing/kafka-broker';
import type { BenchContext } from './common';

export interface BenchBroker {
  brokers: string;
  /** true when the bench started it (and so stops it) */
  private: boolean;
  stop(): Promise<void>;
}

/**
 * The broker B5 measures against: KAFKA_BROKERS when it is set and answers; otherwise a private
 * single-node broker (startDedicatedBroker: its own KAFKA_HOME and free ports), stopped and
 * removed at the end. A broker the bench did not start is never stopped.
 */
export async function benchBroker(ctx: BenchContext): Promise<BenchBroker> {
  const given = process.env.KAFKA_BROKERS;
  if (given) {
    try {
      await assertBrokerReachable(given);
      return { brokers: given, private: false, stop: async () => undefined };
    } catch (e) {
      ctx.log(`  KAFKA_BROKERS=${given} does not answer (${(e as Error).message.split(';')[0]}): starting a private broker`);
    }
  }
  const t0 = Date.now();
  let broker: DedicatedBroker;
  try {
    // start.sh's own JVM settings, not the tests' quick-start ones: B5 measures the broker too
    broker = await startDedicatedBroker({ label: 'lianban-bench-kafka-', jvm: 'bench' });
  } catch (e) {
    throw new Error(`could not start a private Kafka broker: ${(e as Error).message}`);
  }
  ctx.log(`  private Kafka broker on ${broker.brokers} (KAFKA_HOME ${broker.home}) ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { brokers: broker.brokers, private: true, stop: () => broker.close() };
}
