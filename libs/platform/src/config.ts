import { hkdfSync } from 'node:crypto';
import * as path from 'node:path';
import type { Region } from '@lianban/contracts';
import { WATCHED_LIMIT_KINDS, type WarningDays, type WatchedLimitKind } from '@lianban/domain';

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
  /**
   * Whether this process runs the region's outbox relay (store → Kafka). One per region: the
   * coordinator process and the standalone run it by default, other processes do not.
   */
  relay: boolean;
  /** prefixes every topic and consumer group (KAFKA_TOPIC_PREFIX), so deployments can share a cluster */
  topicPrefix: string;
  /**
   * TEST ONLY (LIANBAN_TEST_CRASH_AFTER_EFFECT=<event type>): a consumer kills its own process
   * right after committing the effect of such an event and before acknowledging it, to prove
   * that redelivery changes nothing. Refused unless NODE_ENV=test.
   */
  testCrashAfterEffect: string | null;
  /** HMAC-SHA256 key for the petitioner's normalised ID number / phone (Art. 19 repeats) */
  petitionerKeySecret: string;
  /** how often the deadline watch ticks; 0 = no timer (checks then run only when asked) */
  deadlineWatchIntervalMs: number;
  /** how many days before each kind of limit the watch warns (预警) */
  deadlineWarningDays: WarningDays;
}

/** What a process's main() decides for the settings whose default depends on the process. */
export interface ConfigDefaults {
  /** run the outbox relay when RELAY is not set (default: only in embedded mode) */
  relay?: boolean;
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

const TOPIC_PREFIX = /^[a-zA-Z0-9._-]{0,100}$/;

const MAX_WARNING_DAYS = 60;

/** `3` (every kind) or `3,handle=10,route=2` (a default, then kinds that differ) */
function warningDays(text: string | undefined): WarningDays {
  const out = Object.fromEntries(WATCHED_LIMIT_KINDS.map((k) => [k, 3])) as WarningDays;
  if (text === undefined || text.trim() === '') return out;
  const days = (v: string, what: string) => {
    if (!/^\d+$/.test(v) || Number(v) > MAX_WARNING_DAYS) throw new ConfigError(`DEADLINE_WARNING_DAYS: ${what} must be a whole number of days 0–${MAX_WARNING_DAYS}, got ${v}`);
    return Number(v);
  };
  for (const part of text.split(',').map((x) => x.trim())) {
    const m = /^([a-z-]+)=(.*)$/.exec(part);
    if (!m) {
      const d = days(part, 'the default');
      for (const k of WATCHED_LIMIT_KINDS) out[k] = d;
      continue;
    }
    if (!(WATCHED_LIMIT_KINDS as readonly string[]).includes(m[1])) {
      throw new ConfigError(`DEADLINE_WARNING_DAYS: ${m[1]} is not one of ${WATCHED_LIMIT_KINDS.join(' | ')}`);
    }
    out[m[1] as WatchedLimitKind] = days(m[2], m[1]);
  }
  return out;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: ConfigDefaults = {}): LianbanConfig {
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
  const relay = oneOf(env, 'RELAY', ['on', 'off'] as const, (defaults.relay ?? embedded) ? 'on' : 'off') === 'on';
  const topicPrefix = env.KAFKA_TOPIC_PREFIX ?? '';
  if (!TOPIC_PREFIX.test(topicPrefix)) throw new ConfigError(`KAFKA_TOPIC_PREFIX=${topicPrefix}: use at most 100 of [a-zA-Z0-9._-]`);
  const testCrashAfterEffect = env.LIANBAN_TEST_CRASH_AFTER_EFFECT || null;
  if (testCrashAfterEffect && env.NODE_ENV !== 'test') {
    throw new ConfigError('LIANBAN_TEST_CRASH_AFTER_EFFECT kills the process on purpose and exists only for tests (NODE_ENV=test)');
  }
  // Derived from AUTH_SECRET when not set, so existing deployments start unchanged; set it
  // explicitly in production, since rotating AUTH_SECRET would then stop repeats being recognised.
  const petitionerKeySecret = env.PETITIONER_KEY_SECRET
    || Buffer.from(hkdfSync('sha256', authSecret, 'lianban', 'petitioner identity keys', 32)).toString('hex');
  if (petitionerKeySecret.length < 16) throw new ConfigError('PETITIONER_KEY_SECRET must be at least 16 characters');
  const intervalText = env.DEADLINE_WATCH_INTERVAL_MS ?? '60000';
  const deadlineWatchIntervalMs = Number(intervalText);
  if (!/^\d+$/.test(intervalText) || (deadlineWatchIntervalMs > 0 && deadlineWatchIntervalMs < 100) || deadlineWatchIntervalMs > 86_400_000) {
    throw new ConfigError(`DEADLINE_WATCH_INTERVAL_MS=${intervalText} must be 0 (off) or 100–86400000 milliseconds`);
  }
  return {
    port, dataDir: path.resolve(env.DATA_DIR || './data'), eventStore, bus, databaseUrl, eventStoreConnectionString, kafkaBrokers,
    region, agencyId, authMode, authSecret, demo, embedded, relay, topicPrefix, testCrashAfterEffect,
    petitionerKeySecret, deadlineWatchIntervalMs, deadlineWarningDays: warningDays(env.DEADLINE_WARNING_DAYS),
  };
}
