import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@lianban/platform';

/**
 * docker/compose.yml and docker/Dockerfile, checked without Docker (which a developer's or CI's
 * machine need not have): the structure compose relies on, and every Lianban service's
 * environment run through the same validation as the apps' start-up.
 */
const ROOT = path.resolve(__dirname, '..');
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker/compose.yml'), 'utf8'), { merge: true }) as {
  name?: string;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const dockerfile = fs.readFileSync(path.join(ROOT, 'docker/Dockerfile'), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  healthcheck?: { test: string[] };
}

/** DESIGN 10, the configuration the apps accept. */
const DESIGN_10 = [
  'PORT', 'DATA_DIR', 'EVENTSTORE', 'BUS', 'DATABASE_URL', 'EVENTSTORE_CONNECTION_STRING',
  'KAFKA_BROKERS', 'REGION', 'AGENCY_ID', 'AUTH_MODE', 'DEMO',
];
// read by libs/platform/src/config.ts for AUTH_MODE=jwt, which every distributed process uses;
// DESIGN 10 does not list it (yet)
const ALSO_READ_BY_CONFIG = ['AUTH_SECRET', 'AUTH_JWKS_FILE', 'AUTH_SIGNING_KEY_FILE', 'MASTER_KEY'];

const LIANBAN_APPS: Record<string, string> = {
  standalone: 'standalone', intake: 'intake', coordinator: 'coordinator',
  'agency-rsj': 'agency', 'agency-zjw': 'agency', history: 'history',
};
const DISTRIBUTED = Object.keys(LIANBAN_APPS).filter((s) => s !== 'standalone');

/** Compose's interpolation of `${NAME:-default}` and `${NAME}` with the given variables. */
function interpolate(value: string | number, vars: Record<string, string>): string {
  return String(value).replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => vars[name] || (fallback ?? ''));
}

function environment(service: string, vars: Record<string, string> = {}): Record<string, string> {
  const env = compose.services[service].environment ?? {};
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v, vars)]));
}

function hostPort(mapping: string): { host: number; container: number } {
  const m = /^(\d+):(\d+)$/.exec(mapping);
  if (!m) throw new Error(`port mapping ${mapping} is not "host:container"`);
  return { host: Number(m[1]), container: Number(m[2]) };
}

describe('docker/compose.yml', () => {
  it('gives every service an image or a build, and the Lianban services one image built from docker/Dockerfile', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect({ name, has: Boolean(s.image || s.build) }).toEqual({ name, has: true });
    }
    for (const name of Object.keys(LIANBAN_APPS)) {
      expect(compose.services[name]).toMatchObject({ image: 'lianban:local', build: { context: '..', dockerfile: 'docker/Dockerfile' } });
      expect(fs.existsSync(path.resolve(ROOT, 'docker', compose.services[name].build!.context, compose.services[name].build!.dockerfile))).toBe(true);
    }
    expect(compose.name).toBe('lianban');
  });

  it('runs Kafka in KRaft mode on the official image, EventStoreDB single-node insecure with system projections, PostgreSQL', () => {
    const kafka = compose.services.kafka;
    expect(kafka.image).toMatch(/^apache\/kafka:\d+\.\d+\.\d+$/);
    expect(environment('kafka')).toMatchObject({ KAFKA_PROCESS_ROLES: 'broker,controller', KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093' });
    expect(Object.keys(environment('kafka')).some((k) => k.includes('ZOOKEEPER'))).toBe(false);
    // KRaft's cluster id: 16 bytes, base64url without padding
    expect(Buffer.from(environment('kafka').CLUSTER_ID, 'base64url')).toHaveLength(16);
    expect(environment('kafka').KAFKA_ADVERTISED_LISTENERS).toContain('PLAINTEXT://kafka:9092');

    expect(compose.services.eventstoredb.image).toMatch(/^eventstore\/eventstore:/);
    expect(environment('eventstoredb')).toMatchObject({
      EVENTSTORE_CLUSTER_SIZE: '1', EVENTSTORE_RUN_PROJECTIONS: 'All', EVENTSTORE_START_STANDARD_PROJECTIONS: 'true', EVENTSTORE_INSECURE: 'true',
    });
    expect(compose.services.eventstoredb.ports).toContain('2113:2113');

    expect(compose.services.postgres.image).toMatch(/^postgres:\d+/);
    for (const server of ['kafka', 'eventstoredb', 'postgres']) {
      expect(compose.services[server].healthcheck?.test.length).toBeGreaterThan(0);
      // the servers come up with a plain `up`; the apps are opted into by profile
      expect(compose.services[server].profiles).toBeUndefined();
    }
  });

  it('runs intake, coordinator, two agencies and history from their built entry points, and the standalone app', () => {
    for (const [service, app] of Object.entries(LIANBAN_APPS)) {
      expect(compose.services[service].command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
      // tsconfig.build.json: rootDir "." and outDir "dist" turn apps/<app>/src/main.ts into that path
      expect(fs.existsSync(path.join(ROOT, 'apps', app, 'src'))).toBe(true);
    }
    expect(compose.services.standalone.profiles).toEqual(['standalone']);
    for (const service of DISTRIBUTED) expect(compose.services[service].profiles).toEqual(['distributed']);
    expect(new Set(['agency-rsj', 'agency-zjw'].map((s) => environment(s).AGENCY_ID)).size).toBe(2);
  });

  it('uses only the configuration of DESIGN 10 in the Lianban services, and each service passes the apps\' own validation', () => {
    for (const service of Object.keys(LIANBAN_APPS)) {
      for (const name of Object.keys(environment(service))) {
        expect({ service, name, known: [...DESIGN_10, ...ALSO_READ_BY_CONFIG].includes(name) }).toEqual({ service, name, known: true });
      }
    }
    expect(loadConfig(environment('standalone'))).toMatchObject({ embedded: true, eventStore: 'sqlite', bus: 'memory', demo: true });
    for (const eventstore of ['eventstoredb', 'postgres']) {
      for (const service of DISTRIBUTED) {
        const config = loadConfig(environment(service, { LIANBAN_EVENTSTORE: eventstore }));
        expect(config).toMatchObject({ embedded: false, bus: 'kafka', authMode: 'jwt', eventStore: eventstore, kafkaBrokers: ['kafka:9092'], region: 'cq' });
      }
    }
  });

  it('points the services at the servers of this file, on the ports those servers listen on', () => {
    const env = environment('intake');
    expect(env.KAFKA_BROKERS).toBe('kafka:9092');
    const esdb = new URL(env.EVENTSTORE_CONNECTION_STRING);
    expect([esdb.protocol, esdb.hostname, esdb.port, esdb.searchParams.get('tls')]).toEqual(['esdb:', 'eventstoredb', '2113', 'false']);
    const pg = new URL(env.DATABASE_URL);
    expect([pg.hostname, pg.port, pg.username, pg.password, pg.pathname]).toEqual([
      'postgres', '5432', environment('postgres').POSTGRES_USER, environment('postgres').POSTGRES_PASSWORD, `/${environment('postgres').POSTGRES_DB}`,
    ]);
    for (const service of DISTRIBUTED) {
      expect(Object.keys(compose.services[service].depends_on ?? {}).sort()).toEqual(['eventstoredb', 'kafka', 'postgres']);
      for (const dep of Object.values(compose.services[service].depends_on!)) expect(dep.condition).toBe('service_healthy');
    }
  });

  it('publishes each port once, mapped to the port the service listens on', () => {
    const published: number[] = [];
    for (const [name, s] of Object.entries(compose.services)) {
      for (const mapping of s.ports ?? []) {
        const { host, container } = hostPort(mapping);
        published.push(host);
        if (name in LIANBAN_APPS) expect(String(container)).toBe(environment(name).PORT);
      }
    }
    expect(new Set(published).size).toBe(published.length);
  });

  it('declares every named volume, and gives all distributed processes one DATA_DIR (the SQLite key table with EventStoreDB)', () => {
    for (const s of Object.values(compose.services)) {
      for (const v of s.volumes ?? []) {
        const [source] = v.split(':');
        // a bind mount of a folder of the repo (the dev keys) must exist; any other source is a named volume
        if (source.startsWith('./')) expect(fs.existsSync(path.join(ROOT, 'docker', source))).toBe(true);
        else expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
    const mounts = DISTRIBUTED.map((s) => compose.services[s].volumes?.find((v) => v.endsWith(`:${environment(s).DATA_DIR}`)));
    expect(new Set(mounts).size).toBe(1);
    expect(mounts[0]).toBeDefined();
  });
});

describe('docker/Dockerfile', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds in a node:20 stage (npm ci, npm run build) and runs from a second stage with production dependencies and dist', () => {
    expect(stages).toHaveLength(2);
    const [build, runtime] = stages;
    expect(build).toMatch(/^node:20[\w.-]* AS build\n/);
    expect(build).toMatch(/^RUN npm ci$/m);
    expect(build).toMatch(/npm run build/);
    expect(build).toMatch(/npm prune --omit=dev/);
    expect(runtime).toMatch(/^node:20[\w.-]* AS runtime\n/);
    expect(runtime).toMatch(/^COPY --from=build \/app\/node_modules node_modules$/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist dist$/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/apps\/standalone\/src\/main\.js"\]$/m);
  });

  it('copies everything the build reads, and its ignore file keeps none of it out', () => {
    const build = stages[0];
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.build.json', 'apps', 'libs', 'scripts']) {
      expect(build).toMatch(new RegExp(`^COPY .*\\b${needed.replace('.', '\\.')}\\b`, 'm'));
    }
    const buildConfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    for (const include of buildConfig.include) expect(['apps', 'libs', 'scripts']).toContain(include.split('/')[0]);
    const ignored = fs.readFileSync(path.join(ROOT, 'docker/Dockerfile.dockerignore'), 'utf8')
      .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const needed of ['apps', 'libs', 'scripts', 'package.json', 'package-lock.json']) expect(ignored).not.toContain(needed);
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.git']));
  });
});
