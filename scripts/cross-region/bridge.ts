import { ReplicationBridge } from '@lianban/platform';
import { KafkaBus } from '@lianban/messaging';

/**
 * The replication bridge as its own process, for one broker that carries both regions' topics
 * (tests, a single-cluster pilot): `<prefix>cq.outbound.sc` → `<prefix>sc.inbound.cq` and back.
 * Production replicates between the two regions' clusters with MirrorMaker 2 instead
 * (docs/cross-region.md). Env: KAFKA_BROKERS (required), KAFKA_TOPIC_PREFIX (optional).
 */
async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
  if (brokers.length === 0 || !/^[a-zA-Z0-9._-]{0,100}$/.test(prefix)) {
    console.error('lianban bridge: KAFKA_BROKERS=host:port[,…] is required; KAFKA_TOPIC_PREFIX may use [a-zA-Z0-9._-]');
    process.exit(2);
  }
  const bus = new KafkaBus({ brokers, clientId: 'lianban-bridge' });
  const bridge = new ReplicationBridge(bus, prefix);
  await bridge.start();
  for (const r of bridge.routes()) console.log(`lianban bridge: ${r.from} → ${r.to}`);
  const stop = async () => {
    await bridge.stop();
    await bus.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main();
