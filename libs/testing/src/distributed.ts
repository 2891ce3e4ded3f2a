import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Principal } from '@lianban/auth';
import type { Region } from '@lianban/contracts';
import { createTestIssuer, type TestIssuer } from './jwt';
import { createTestDatabase, type TestDatabase } from './postgres';
import { spawnService, type SpawnedService } from './process';
import { Api } from './standalone';

/**
 * The distributed mode of DESIGN 2 for the e2e tier: each app a separate OS process (the built
 * dist entries), BUS=kafka on the real broker, EVENTSTORE=postgres on a database of its own,
 * AUTH_MODE=jwt with a test identity provider (staff tokens signed with its key, verified by every
 * process through the same JWKS file; one service key for petitioner tokens). Every run has its
 * own topic prefix, so runs sharing the broker never share a topic or a consumer group, and
 * deletes its topics at the end — except two regions' runs of one cross-region test, which share
 * the test's prefix (DistributedRunOptions).
 */
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/** each app's entry point inside a build (`dist/` unless a run names another) */
export const ENTRIES = {
  intake: 'apps/intake/src/main.js',
  coordinator: 'apps/coordinator/src/main.js',
  agency: 'apps/agency/src/main.js',
  history: 'apps/history/src/main.js',
} as const;

export type ServiceName = 'intake' | 'coordinator' | 'history' | `agency:${string}`;

export interface DistributedRun {
  prefix: string;
  /** the cluster the processes use */
  brokers: string;
  database: TestDatabase;
  /** the identity provider: `issuer.sign(principal)` mints a staff token */
  issuer: TestIssuer;
  services: Map<ServiceName, SpawnedService>;
  dataDirs: Map<ServiceName, string>;
  /** the client of one service, signed in as `principal` */
  api(service: ServiceName, principal?: Principal): Api;
  /** starts (or restarts, on the same data directory) one service; `env` adds to the run's */
  start(service: ServiceName, env?: Record<string, string>): Promise<SpawnedService>;
  /** SIGKILL: no shutdown hook runs, nothing is flushed or acknowledged */
  kill(service: ServiceName): Promise<void>;
  /** resolves when the running process of `service` ends by itself, with how it ended */
  exited(service: ServiceName): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** everything every process printed, for a failure message */
  output(): string;
  close(): Promise<void>;
}

export async function assertBrokerReachable(brokers = KAFKA_BROKERS): Promise<void> {
  const admin = new Kafka({ clientId: 'e2e-probe', brokers: brokers.split(','), retry: { retries: 0 }, connectionTimeout: 3000, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (e) {
    throw new Error(`Kafka broker not reachable at ${brokers} (${(e as Error).message}); start it with scripts/kafka/start.sh`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface DistributedRunOptions {
  /** the region this run deploys (REGION of every process; default cq) */
  region?: Region;
  /** CROSS_REGION=on: the process running the relay also runs the link to the other region's deployment */
  crossRegion?: boolean;
  /**
   * A topic prefix shared with another run (the other region's deployment on the same broker).
   * Its topics are then the caller's to delete; by default the run has a prefix of its own and
   * deletes its topics on close.
   */
  prefix?: string;
  /** the cluster the processes use, comma-separated host:port (default KAFKA_BROKERS: the tiers' shared broker; F2 and the bench bring their own) */
  brokers?: string;
  /** the build the processes run from (default `dist`; the bench runs a private copy) */
  distDir?: string;
  /** starts the run's own topic prefix and its database's name (default `e2e`) */
  label?: string;
  /** added to every process's environment (e.g. LIANBAN_TEST_CLOCK_SKEW_MS); `start`'s env adds to it */
  env?: Record<string, string>;
}

export async function startDistributedRun(options: DistributedRunOptions = {}): Promise<DistributedRun> {
  const brokers = options.brokers ?? KAFKA_BROKERS;
  const label = options.label ?? 'e2e';
  // relative paths are the repository's (spawnService)
  const distDir = options.distDir ?? 'dist';
  await assertBrokerReachable(brokers);
  const id = randomUUID().slice(0, 8);
  const prefix = options.prefix ?? `${label}-${id}.`;
  const region = options.region ?? 'cq';
  const database = await createTestDatabase(`lianban_${label.replace(/[^a-z0-9]/gi, '_')}_${region}`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `lianban-distributed-${region}-${id}-`));
  const issuer = createTestIssuer({ dir: root });
  const services = new Map<ServiceName, SpawnedService>();
  const exits = new Map<ServiceName, Promise<{ code: number | null; signal: NodeJS.Signals | null }>>();
  const dataDirs = new Map<ServiceName, string>();
  const finished: string[] = [];
  const common = {
    NODE_ENV: 'test', BUS: 'kafka', KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, EVENTSTORE: 'postgres', DATABASE_URL: database.url,
    ...issuer.env, REGION: region, DEMO: 'off', CROSS_REGION: options.crossRegion ? 'on' : 'off', ...options.env,
  };

  const run: DistributedRun = {
    prefix, brokers, database, issuer, services, dataDirs,
    api(service, principal) {
      const s = services.get(service);
      if (!s) throw new Error(`${service} is not running`);
      const api = new Api(s.url);
      return principal ? api.as(issuer.sign(principal)) : api;
    },
    async start(service, env = {}) {
      if (services.has(service)) throw new Error(`${service} is already running`);
      const dir = dataDirs.get(service) ?? fs.mkdtempSync(path.join(root, `${service.replace(':', '-')}-`));
      dataDirs.set(service, dir);
      const [app, agencyId] = service.split(':') as [keyof typeof ENTRIES, string | undefined];
      const s = await spawnService(path.join(distDir, ENTRIES[app]), { ...common, DATA_DIR: dir, ...(agencyId ? { AGENCY_ID: agencyId } : {}), ...env }, 60_000);
      services.set(service, s);
      exits.set(service, new Promise((resolve) => {
        const done = (code: number | null, signal: NodeJS.Signals | null) => {
          finished.push(`---- ${service} (pid ${s.child.pid}) exited (${signal ?? code}) ----\n${s.output()}`);
          if (services.get(service) === s) services.delete(service);
          resolve({ code, signal });
        };
        if (s.child.exitCode !== null || s.child.signalCode !== null) done(s.child.exitCode, s.child.signalCode);
        else s.child.once('exit', done);
      }));
      return s;
    },
    async kill(service) {
      const s = services.get(service);
      if (!s) throw new Error(`${service} is not running`);
      services.delete(service);
      await s.kill('SIGKILL');
    },
    exited(service) {
      const exit = exits.get(service);
      if (!exit) throw new Error(`${service} was never started`);
      return exit;
    },
    output() {
      return [...finished, ...[...services].map(([name, s]) => `---- ${name} (running) ----\n${s.output()}`)].join('\n');
    },
    async close() {
      await Promise.allSettled([...services.values()].map((s) => s.kill('SIGTERM')));
      services.clear();
      await database.drop().catch(() => undefined);
      if (options.prefix === undefined) await deleteTopics(prefix, brokers).catch(() => undefined);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return run;
}

/** removes a run's topics so repeated runs do not fill the broker */
export async function deleteTopics(prefix: string, brokers = KAFKA_BROKERS): Promise<void> {
  const admin = new Kafka({ clientId: 'e2e-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** People of 北碚区 (today's successors of the demo's 渝北区 agencies), as JWT principals (AUTH_MODE=jwt: no dev tokens). */
export const PEOPLE = {
  clerk: { sub: 'clerk@500109-xfb', role: 'clerk', agency: '500109-xfb', region: 'cq' },
  coordinator: { sub: 'coordinator@500109-xfb', role: 'coordinator', agency: '500109-xfb', region: 'cq' },
  rsj: { sub: 'caseworker@500109-rsj', role: 'caseworker', agency: '500109-rsj', region: 'cq' },
  xfb: { sub: 'caseworker@500109-xfb', role: 'caseworker', agency: '500109-xfb', region: 'cq' },
  analyst: { sub: 'analyst@500000', role: 'analyst', region: 'cq' },
} satisfies Record<string, Principal>;
