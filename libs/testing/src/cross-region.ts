import { InProcessBus, KafkaBus, type MessageBus } from '@lianban/messaging';
import { ReplicationBridge } from '@lianban/platform';
import { startStandalone, type RunningApp } from './standalone';

export interface JointRegions {
  cq: RunningApp;
  sc: RunningApp;
  bus: MessageBus;
  bridge: ReplicationBridge;
  close(): Promise<void>;
}

/**
 * Two regions' embedded deployments in one process (DESIGN 6): each its own SQLite store and
 * HLC, one in-process bus carrying both prefixes (as one broker does in the distributed tests),
 * and the replication bridge between `cq.outbound.sc` → `sc.inbound.cq` and back.
 * `skewMs` puts a region's wall clock off (commands without X-Lianban-Clock act at now + skew).
 */
export async function startJointRegions(opts: {
  skewMs?: { cq?: number; sc?: number };
  dataDirs?: { cq?: string; sc?: string };
  /** the real broker instead of the in-process bus, with this run's topic prefix (the relays, the link and the bridge go over Kafka) */
  kafka?: { brokers: string[]; prefix: string };
  /** further configuration for both deployments (AUTO_SUPERVISION=on…) */
  env?: Record<string, string>;
} = {}): Promise<JointRegions> {
  const shared: MessageBus = opts.kafka ? new KafkaBus({ brokers: opts.kafka.brokers, clientId: 'lianban-joint-regions' }) : new InProcessBus();
  const prefix = opts.kafka?.prefix ?? '';
  // each app closes its bus on shutdown; the shared one outlives both and is closed here
  const bus: MessageBus = {
    kind: shared.kind,
    createTopics: (t) => shared.createTopics(t),
    publish: (t, m) => shared.publish(t, m),
    subscribe: (o) => shared.subscribe(o),
    health: () => shared.health(),
    close: async () => undefined,
  };
  const bridge = new ReplicationBridge(shared, prefix);
  await bridge.start();
  const start = (region: 'cq' | 'sc') => startStandalone({
    dataDir: opts.dataDirs?.[region],
    env: { ...opts.env, NODE_ENV: process.env.NODE_ENV ?? '', KAFKA_TOPIC_PREFIX: prefix, REGION: region, CROSS_REGION: 'on', LIANBAN_TEST_CLOCK_SKEW_MS: String(opts.skewMs?.[region] ?? 0) },
    ports: { bus },
  });
  let cq: RunningApp | undefined;
  let sc: RunningApp;
  try {
    cq = await start('cq');
    sc = await start('sc');
  } catch (e) {
    await cq?.close();
    await bridge.stop();
    await shared.close();
    throw e;
  }
  return {
    cq, sc, bus: shared, bridge,
    close: async () => {
      await Promise.allSettled([cq.close(), sc.close()]);
      await bridge.stop();
      await shared.close();
    },
  };
}
