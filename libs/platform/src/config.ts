import * as path from 'node:path';
import type { Region } from '@lianban/contracts';

/**
 * Configuration from the environment (DESIGN 10). Validated once at start-up: an unknown
 * value stops the process with a message naming the variable, rather than running on a guess.
 */
export interface LianbanConfig {
  port: number;
  dataDir: string;
  eventStore: 'sqlite' | 'postgres' | 'eventstoredb';
  bus: 'memory' | 'kafka';
  databaseUrl: string | null;
  eventStoreConnectionString: string | null;
  kafkaBrokers: string[];
  region: Region;
  agencyId: string | null;
  authMode: 'dev' | 'jwt';
  authSecret: string;
  demo: boolean;
  /**
   * embedded = one process on the in-process bus (the standalone app), whatever the store;
   * distributed = separate processes over Kafka. Dev auth and the clock header exist only embedded.
   */
  embedded: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(`${name}=${v} is not one of ${allowed.join(' | ')}`);
  return v as T;
}

const AGENCY_ID = /^\d{6}-[a-z]{2,8}$/;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LianbanConfig {
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT=${portText} is not a TCP port`);
  const eventStore = oneOf(env, 'EVENTSTORE', ['sqlite', 'postgres', 'eventstoredb'] as const, 'sqlite');
  const bus = oneOf(env, 'BUS', ['memory', 'kafka'] as const, 'memory');
  const embedded = bus === 'memory';
  const databaseUrl = env.DATABASE_URL || null;
  if (eventStore === 'postgres' && !databaseUrl) throw new ConfigError('EVENTSTORE=postgres needs DATABASE_URL');
  const eventStoreConnectionString = env.EVENTSTORE_CONNECTION_STRING || null;
  if (eventStore === 'eventstoredb' && !eventStoreConnectionString) {
    throw new ConfigError('EVENTSTORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING (e.g. esdb://localhost:2113?tls=false)');
  }
  const kafkaBrokers = (env.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (bus === 'kafka' && kafkaBrokers.length === 0) throw new ConfigError('BUS=kafka needs KAFKA_BROKERS (host:port,…)');
  for (const b of kafkaBrokers) if (!/^[\w.-]+:\d+$/.test(b)) throw new ConfigError(`KAFKA_BROKERS entry ${b} is not host:port`);
  const agencyId = env.AGENCY_ID || null;
  if (agencyId && !AGENCY_ID.test(agencyId)) throw new ConfigError(`AGENCY_ID=${agencyId} is not <division code>-<department>, e.g. 500112-rsj`);
  const regionFromAgency: Region | null = agencyId ? (agencyId.startsWith('51') ? 'sc' : agencyId.startsWith('50') ? 'cq' : null) : null;
  if (agencyId && !regionFromAgency) throw new ConfigError(`AGENCY_ID=${agencyId}: division codes of Chongqing start with 50, Sichuan with 51`);
  const region = oneOf(env, 'REGION', ['cq', 'sc'] as const, regionFromAgency ?? 'cq');
  const authMode = oneOf(env, 'AUTH_MODE', ['dev', 'jwt'] as const, embedded ? 'dev' : 'jwt');
  if (authMode === 'dev' && !embedded) {
    throw new ConfigError('AUTH_MODE=dev exists only in embedded mode (one process, BUS=memory); distributed processes verify real JWTs');
  }
  const authSecret = env.AUTH_SECRET || (authMode === 'dev' ? 'lianban-dev-secret-not-for-production' : '');
  if (!authSecret) throw new ConfigError('AUTH_MODE=jwt needs AUTH_SECRET');
  const demo = oneOf(env, 'DEMO', ['on', 'off'] as const, embedded ? 'on' : 'off') === 'on';
  return {
    port, dataDir: path.resolve(env.DATA_DIR || './data'), eventStore, bus, databaseUrl, eventStoreConnectionString, kafkaBrokers,
    region, agencyId, authMode, authSecret, demo, embedded,
  };
}
