import { InProcessBus, KafkaBus, type MessageBus } from '@lianban/messaging';
import { bridgeRoutes, ReplicationBridge, type BridgeRoute } from '@lianban/platform';
import { spawnEntry, type SpawnedService } from './process';
import { startStandalone, type RunningApp } from './standalone';

/** what the causality checks need of a timeline entry (GET /v1/cases/{id}/timeline) */
export interface CausalEntry { eventId: string; causationId: string | null; hlc: string; at: string; type: string; region: string; streamId: string }

/**
 * DESIGN 6's promise about a merged timeline: every event linked to its cause (causationId)
 * comes after it, and the order is the HLC's. At least `minLinks` events must have their cause
 * in the timeline, so the check cannot pass on a story whose links were lost.
 */
export function expectCausal(entries: CausalEntry[], minLinks = 3): void {
  const index = new Map(entries.map((e, i) => [e.eventId, i]));
  let causes = 0;
  for (const [i, e] of entries.entries()) {
    const cause = e.causationId ? index.get(e.causationId) : undefined;
    if (cause === undefined) continue;
    causes += 1;
    expect({ event: e.type, after: entries[cause].type, ok: cause < i }).toEqual({ event: e.type, after: entries[cause].type, ok: true });
  }
  expect(causes).toBeGreaterThanOrEqual(minLinks);
  const hlcs = entries.map((e) => e.hlc);
  expect([...hlcs].sort()).toEqual(hlcs);
}

/** `lianban.task.accepted.v1` → `task.accepted` */
export const shortType = (e: { type: string }): string => e.type.replace(/^lianban\./, '').replace(/\.v\d+$/, '');

const BRIDGE_ENTRY = 'dist/scripts/cross-region/bridge.js';

export interface BridgeProcess {
  routes: BridgeRoute[];
  /** starts the process (again); ready once it has printed both routes, i.e. both copies are subscribed */
  start(): Promise<void>;
  /** SIGTERM: the bridge commits what it copied and leaves its consumer groups */
  stop(): Promise<void>;
  output(): string;
}

/** The replication bridge as its own OS process (the built scripts/cross-region/bridge.ts) on one broker. */
export function bridgeProcess(brokers: string, prefix: string): BridgeProcess {
  const routes = bridgeRoutes(prefix);
  let running: SpawnedService | null = null;
  let earlier = '';
  return {
    routes,
    async start() {
      if (running) throw new Error('the bridge is already running');
      running = await spawnEntry(BRIDGE_ENTRY, { KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }, {
        timeoutMs: 60_000,
        ready: (out) => routes.every((r) => out.includes(`lianban bridge: ${r.from} → ${r.to}`)),
      });
    },
    async stop() {
      const s = running;
      running = null;
      if (!s) return;
      await s.kill('SIGTERM');
      earlier += `---- bridge (pid ${s.child.pid}, exited ${s.child.signalCode ?? s.child.exitCode}) ----\n${s.output()}`;
    },
    output: () => earlier + (running ? `---- bridge (running) ----\n${running.output()}` : ''),
  };
}

export interface JointRegions {
  cq: RunningApp;
  sc: RunningApp;
  /** the bridge between the regions' topics; null when something outside copies them (MirrorMaker 2 between two clusters) */
  bridge: ReplicationBridge | null;
  close(): Promise<void>;
}

/**
 * Two regions' embedded deployments in one process (DESIGN 6): each its own SQLite store and
 * HLC. By default one in-process bus carries both prefixes (as one broker does in the
 * distributed tests), with the replication bridge between `cq.outbound.sc` → `sc.inbound.cq` and
 * back. `skewMs` puts a region's wall clock off (commands without X-Lianban-Clock act at now + skew).
 */
export async function startJointRegions(opts: {
  skewMs?: { cq?: number; sc?: number };
  dataDirs?: { cq?: string; sc?: string };
  /** the real broker instead of the in-process bus, with this run's topic prefix (the relays, the link and the bridge go over Kafka) */
  kafka?: { brokers: string[]; prefix: string };
  /** further configuration for both deployments (AUTO_SUPERVISION=on…) */
  env?: Record<string, string>;
  /**
   * production's topology instead: each region on its own Kafka cluster, no prefix, and no
   * bridge — copying between the clusters is left to whatever the test runs (MirrorMaker 2)
   */
  clusters?: { cq: string[]; sc: string[] };
} = {}): Promise<JointRegions> {
  const prefix = opts.kafka?.prefix ?? '';
  const buses: MessageBus[] = [];
  const open = (brokers: string[] | null): MessageBus => {
    const bus = brokers ? new KafkaBus({ brokers, clientId: 'lianban-joint-regions' }) : new InProcessBus();
    buses.push(bus);
    return bus;
  };
  const shared = opts.clusters ? null : open(opts.kafka?.brokers ?? null);
  const busOf = { cq: shared ?? open(opts.clusters!.cq), sc: shared ?? open(opts.clusters!.sc) };
  const bridge = shared ? new ReplicationBridge(shared, prefix) : null;
  await bridge?.start();
  const start = (region: 'cq' | 'sc') => startStandalone({
    dataDir: opts.dataDirs?.[region],
    env: { ...opts.env, NODE_ENV: process.env.NODE_ENV ?? '', KAFKA_TOPIC_PREFIX: prefix, REGION: region, CROSS_REGION: 'on', LIANBAN_TEST_CLOCK_SKEW_MS: String(opts.skewMs?.[region] ?? 0) },
    // an app leaves a bus it was given open on shutdown (PlatformPorts): these are closed here
    ports: { bus: busOf[region] },
  });
  const closeBuses = async () => {
    await bridge?.stop();
    await Promise.allSettled(buses.map((b) => b.close()));
  };
  let cq: RunningApp | undefined;
  let sc: RunningApp;
  try {
    cq = await start('cq');
    sc = await start('sc');
  } catch (e) {
    await cq?.close();
    await closeBuses();
    throw e;
  }
  return {
    cq, sc, bridge,
    close: async () => {
      await Promise.allSettled([cq.close(), sc.close()]);
      await closeBuses();
    },
  };
}
