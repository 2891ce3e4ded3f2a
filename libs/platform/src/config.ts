import { hkdfSync } from 'node:crypto';
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { DEV_MASTER_KEY, JwksError, parseJwks, parseSigningKey, type SigningKey, type VerificationKey } from '@lianban/auth';
import type { Region } from '@lianban/contracts';
import { DEFAULT_BUS_RETENTION_MESSAGES } from '@lianban/messaging';
import { regionOfAgency } from '@lianban/registry';
import {
  AUTO_SUPERVISED_LIMIT_KINDS, LIMITS, WATCHED_LIMIT_KINDS, type AutoSupervisedLimitKind, type WarningDays, type WatchedLimitKind,
} from '@lianban/domain';

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
  /** HS256 secret of the embedded dev mode's tokens; in jwt mode only the seed of a derived PETITIONER_KEY_SECRET */
  authSecret: string;
  /** jwt mode: the organisation's token-signing keys read from AUTH_JWKS_FILE at start-up */
  authJwks: VerificationKey[];
  authJwksFile: string | null;
  /** jwt mode: a JWKS URL, fetched and cached (https, or http on the loopback interface) */
  authJwksUrl: string | null;
  /** jwt mode: `iss` and `aud` the organisation's tokens must carry, when set */
  authIssuer: string | null;
  authAudience: string | null;
  /** how far the clocks of the token issuer and this service may disagree (exp, nbf) */
  authClockSkewSec: number;
  /** jwt mode: the service's own key, which signs petitioner tokens (AUTH_SIGNING_KEY_FILE) */
  authSigningKey: SigningKey | null;
  /** MASTER_KEY: wraps every key of the personal-data key table; a fixed dev key only in embedded dev mode */
  masterKey: Buffer;
  /** token buckets (RATE_LIMIT_IP, RATE_LIMIT_TOKEN); null = off */
  rateLimitIp: RateLimit | null;
  rateLimitToken: RateLimit | null;
  /**
   * Which peers may tell the client's address in X-Forwarded-For (TRUST_PROXY): `false` = none
   * (the socket's peer is the client), a hop count, or proxy addresses and subnets. Handed to
   * Express's `trust proxy`, so `req.ip` (rate limits, anything else that names the client)
   * follows one rule.
   */
  trustProxy: TrustProxy;
  /**
   * In-process bus (BUS=memory): messages kept per partition once every consumer group of the
   * topic has committed past them (BUS_RETENTION_MESSAGES); 0 keeps none of those.
   */
  busRetentionMessages: number;
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
  /**
   * CROSS_REGION=on (DESIGN 6): this deployment exchanges joint cases with the other region over
   * `<region>.outbound.<peer>` / `<region>.inbound.<peer>`; events are stamped with the writing
   * region, and a case's own stream is written only by its home region.
   */
  crossRegion: boolean;
  /**
   * TEST ONLY (LIANBAN_TEST_CLOCK_SKEW_MS, NODE_ENV=test): added to this process's wall clock
   * when a command carries no X-Lianban-Clock, to run two regions whose clocks disagree.
   */
  clockSkewMs: number;
  /** how often the deadline watch ticks; 0 = no timer (checks then run only when asked) */
  deadlineWatchIntervalMs: number;
  /** how many days before each kind of limit the watch warns (预警) */
  deadlineWarningDays: WarningDays;
  /**
   * Automatic 督办 (Art. 40): the agency limits whose passing, unmet, makes the deadline watch
   * supervise the agency (AUTO_SUPERVISION=on, AUTO_SUPERVISION_LIMITS); empty when off.
   */
  autoSupervisionLimits: AutoSupervisedLimitKind[];
  /** 提级督办: a late written answer to 督办 moves it to the bureau one level up (SUPERVISION_ESCALATION) */
  supervisionEscalation: boolean;
  /** 日 an agency has for its written answer to 督办 (SUPERVISION_ANSWER_DAYS) */
  supervisionAnswerDays: number;
}

/** A token bucket: up to `requests` at once, refilled at `requests` per `seconds`. */
export interface RateLimit {
  requests: number;
  seconds: number;
}

/** `false`, a number of proxy hops to trust, or proxy addresses / subnets (Express's `trust proxy`) */
export type TrustProxy = false | number | string[];

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

/** `off`, or `<requests>/<seconds>` */
function rateLimit(env: NodeJS.ProcessEnv, name: string, fallback: string): RateLimit | null {
  const text = (env[name] || fallback).trim();
  if (text === 'off') return null;
  const m = /^(\d{1,7})\/(\d{1,4})$/.exec(text);
  const requests = m ? Number(m[1]) : 0;
  const seconds = m ? Number(m[2]) : 0;
  if (!m || requests < 1 || seconds < 1 || seconds > 3600) {
    throw new ConfigError(`${name}=${text} must be off or <requests>/<seconds>, e.g. 3000/10 (1–3600 seconds)`);
  }
  return { requests, seconds };
}

/** proxy-addr's named subnets (Express `trust proxy`) */
const NAMED_SUBNETS = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_PROXY_HOPS = 10;

/**
 * TRUST_PROXY: `off` (default), a hop count `1`–`10`, or a comma-separated list of proxy
 * addresses, CIDR subnets and the names `loopback`, `linklocal`, `uniquelocal`. `on`/`true`
 * (trust every peer) is refused: any client could then pick the address it is counted under.
 */
function trustProxy(text: string | undefined): TrustProxy {
  const v = (text ?? '').trim();
  if (v === '' || v === 'off') return false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops < 1 || hops > MAX_PROXY_HOPS) throw new ConfigError(`TRUST_PROXY=${v}: a hop count must be 1–${MAX_PROXY_HOPS} (or off)`);
    return hops;
  }
  if (v === 'on' || v === 'true') {
    throw new ConfigError(`TRUST_PROXY=${v} would trust X-Forwarded-For from anyone, so any client could choose its address: name the proxies (addresses, subnets, loopback…) or a hop count`);
  }
  const entries = v.split(',').map((e) => e.trim());
  for (const e of entries) {
    if (NAMED_SUBNETS.has(e)) continue;
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(e);
    const family = m ? isIP(m[1]) : 0;
    if (!m || family === 0 || (m[2] !== undefined && Number(m[2]) > (family === 4 ? 32 : 128))) {
      throw new ConfigError(`TRUST_PROXY: ${e || '(empty)'} is not an IP address, a CIDR subnet (10.0.0.0/8) or one of loopback | linklocal | uniquelocal`);
    }
  }
  return entries;
}

const MAX_BUS_RETENTION = 1_000_000;

function busRetentionMessages(env: NodeJS.ProcessEnv, bus: 'memory' | 'kafka'): number {
  const text = env.BUS_RETENTION_MESSAGES;
  if (text === undefined || text === '') return DEFAULT_BUS_RETENTION_MESSAGES;
  if (bus === 'kafka') {
    throw new ConfigError('BUS_RETENTION_MESSAGES applies to the in-process bus (BUS=memory); on Kafka, retention is the topics\' retention.ms / retention.bytes');
  }
  if (!/^\d+$/.test(text) || Number(text) > MAX_BUS_RETENTION) {
    throw new ConfigError(`BUS_RETENTION_MESSAGES=${text} must be a whole number of messages per partition, 0–${MAX_BUS_RETENTION}`);
  }
  return Number(text);
}

function readFile(name: string, file: string): string {
  try {
    return fs.readFileSync(path.resolve(file), 'utf8');
  } catch (e) {
    throw new ConfigError(`${name}=${file} cannot be read: ${(e as Error).message}`);
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function jwksUrl(text: string | undefined): string | null {
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`AUTH_JWKS_URL=${text} is not a URL`);
  }
  // the keys decide who is who: fetched over plain HTTP they could be swapped on the way
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new ConfigError(`AUTH_JWKS_URL=${text} must be https (http only on the loopback interface)`);
  }
  return url.toString();
}

function masterKeyOf(env: NodeJS.ProcessEnv, devDefault: boolean): Buffer {
  const text = env.MASTER_KEY;
  if (!text) {
    if (devDefault) return DEV_MASTER_KEY;
    throw new ConfigError('MASTER_KEY is required outside the embedded dev mode: 32 random bytes in base64 (e.g. `openssl rand -base64 32`)');
  }
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== 32) throw new ConfigError('MASTER_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)');
  return key;
}

const MAX_SUPERVISION_ANSWER_DAYS = 60;

/** AUTO_SUPERVISION=on|off (default off) and AUTO_SUPERVISION_LIMITS=acknowledge,handle (the default kinds) */
function autoSupervisionLimits(env: NodeJS.ProcessEnv): AutoSupervisedLimitKind[] {
  const on = oneOf(env, 'AUTO_SUPERVISION', ['on', 'off'] as const, 'off') === 'on';
  const text = env.AUTO_SUPERVISION_LIMITS;
  const kinds = (text === undefined || text.trim() === '' ? 'acknowledge,handle' : text).split(',').map((k) => k.trim());
  for (const k of kinds) {
    if (!(AUTO_SUPERVISED_LIMIT_KINDS as readonly string[]).includes(k)) {
      throw new ConfigError(`AUTO_SUPERVISION_LIMITS: ${k} is not one of ${AUTO_SUPERVISED_LIMIT_KINDS.join(' | ')}`);
    }
  }
  return on ? [...new Set(kinds)] as AutoSupervisedLimitKind[] : [];
}

function supervisionAnswerDays(text: string | undefined): number {
  if (text === undefined || text === '') return LIMITS.supervisionAnswerDays;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_SUPERVISION_ANSWER_DAYS) {
    throw new ConfigError(`SUPERVISION_ANSWER_DAYS=${text} must be a whole number of days 1–${MAX_SUPERVISION_ANSWER_DAYS}`);
  }
  return Number(text);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: ConfigDefaults = {}): LianbanConfig {
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT=${portText} is not a TCP port`);
  const eventStore = oneOf(env, 'EVENTSTORE', ['sqlite', 'postgres', 'eventstoredb'] as const, 'sqlite');
  const bus = oneOf(env, 'BUS', ['memory', 'kafka'] as const, 'memory');
  const embedded = bus === 'memory';
  const busRetention = busRetentionMessages(env, bus);
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
  const regionFromAgency: Region | null = agencyId ? (regionOfAgency(agencyId) ?? null) : null;
  if (agencyId && !regionFromAgency) throw new ConfigError(`AGENCY_ID=${agencyId}: division codes of Chongqing start with 50, Sichuan with 51`);
  const region = oneOf(env, 'REGION', ['cq', 'sc'] as const, regionFromAgency ?? 'cq');
  const authMode = oneOf(env, 'AUTH_MODE', ['dev', 'jwt'] as const, embedded ? 'dev' : 'jwt');
  if (authMode === 'dev' && !embedded) {
    throw new ConfigError('AUTH_MODE=dev exists only in embedded mode (one process, BUS=memory); distributed processes verify real JWTs');
  }
  const authSecret = env.AUTH_SECRET || (authMode === 'dev' ? 'lianban-dev-secret-not-for-production' : '');
  const authJwksFile = env.AUTH_JWKS_FILE || null;
  const authJwksUrl = jwksUrl(env.AUTH_JWKS_URL);
  const signingKeyFile = env.AUTH_SIGNING_KEY_FILE || null;
  const authIssuer = env.AUTH_ISSUER || null;
  const authAudience = env.AUTH_AUDIENCE || null;
  for (const [name, v] of [['AUTH_ISSUER', authIssuer], ['AUTH_AUDIENCE', authAudience]] as const) {
    if (v && v.length > 300) throw new ConfigError(`${name} is longer than 300 characters`);
  }
  const skewText = env.AUTH_CLOCK_SKEW_S ?? '30';
  if (!/^\d{1,3}$/.test(skewText) || Number(skewText) > 300) throw new ConfigError(`AUTH_CLOCK_SKEW_S=${skewText} must be 0–300 seconds`);
  let authJwks: VerificationKey[] = [];
  let authSigningKey: SigningKey | null = null;
  if (authMode === 'dev') {
    // a dev process configured with real keys was meant to run in jwt mode: say so rather than ignore them
    for (const [name, v] of [['AUTH_JWKS_FILE', authJwksFile], ['AUTH_JWKS_URL', authJwksUrl], ['AUTH_SIGNING_KEY_FILE', signingKeyFile]] as const) {
      if (v) throw new ConfigError(`${name} is read only with AUTH_MODE=jwt; this process runs AUTH_MODE=dev`);
    }
  } else {
    if (!authJwksFile && !authJwksUrl) throw new ConfigError('AUTH_MODE=jwt needs the token issuer\'s public keys: AUTH_JWKS_FILE and/or AUTH_JWKS_URL');
    if (!signingKeyFile) throw new ConfigError('AUTH_MODE=jwt needs AUTH_SIGNING_KEY_FILE: the PEM private key (EC P-256 or RSA) that signs and verifies petitioner tokens');
    try {
      if (authJwksFile) authJwks = parseJwks(readFile('AUTH_JWKS_FILE', authJwksFile), `AUTH_JWKS_FILE ${authJwksFile}`);
      authSigningKey = parseSigningKey(readFile('AUTH_SIGNING_KEY_FILE', signingKeyFile), `AUTH_SIGNING_KEY_FILE ${signingKeyFile}`);
    } catch (e) {
      if (e instanceof JwksError) throw new ConfigError(e.message);
      throw e;
    }
    if (!env.PETITIONER_KEY_SECRET && !authSecret) throw new ConfigError('AUTH_MODE=jwt needs PETITIONER_KEY_SECRET (the key of the hashes that recognise a repeat petitioner)');
  }
  const masterKey = masterKeyOf(env, embedded && authMode === 'dev');
  const rateLimitIp = rateLimit(env, 'RATE_LIMIT_IP', '3000/10');
  const rateLimitToken = rateLimit(env, 'RATE_LIMIT_TOKEN', '2000/10');
  const trustedProxies = trustProxy(env.TRUST_PROXY);
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
  const skewMsText = env.LIANBAN_TEST_CLOCK_SKEW_MS || '0';
  if (!/^-?\d{1,10}$/.test(skewMsText)) throw new ConfigError(`LIANBAN_TEST_CLOCK_SKEW_MS=${skewMsText} must be a whole number of milliseconds`);
  if (skewMsText !== '0' && env.NODE_ENV !== 'test') {
    throw new ConfigError('LIANBAN_TEST_CLOCK_SKEW_MS puts this process\'s clock off on purpose and exists only for tests (NODE_ENV=test)');
  }
  const intervalText = env.DEADLINE_WATCH_INTERVAL_MS ?? '60000';
  const deadlineWatchIntervalMs = Number(intervalText);
  if (!/^\d+$/.test(intervalText) || (deadlineWatchIntervalMs > 0 && deadlineWatchIntervalMs < 100) || deadlineWatchIntervalMs > 86_400_000) {
    throw new ConfigError(`DEADLINE_WATCH_INTERVAL_MS=${intervalText} must be 0 (off) or 100–86400000 milliseconds`);
  }
  return {
    port, dataDir: path.resolve(env.DATA_DIR || './data'), eventStore, bus, databaseUrl, eventStoreConnectionString, kafkaBrokers,
    region, agencyId, authMode, authSecret, authJwks, authJwksFile, authJwksUrl, authIssuer, authAudience, authClockSkewSec: Number(skewText),
    authSigningKey, masterKey, rateLimitIp, rateLimitToken, trustProxy: trustedProxies, busRetentionMessages: busRetention, demo, embedded, relay, topicPrefix, testCrashAfterEffect,
    petitionerKeySecret, deadlineWatchIntervalMs, deadlineWarningDays: warningDays(env.DEADLINE_WARNING_DAYS),
    autoSupervisionLimits: autoSupervisionLimits(env),
    supervisionEscalation: oneOf(env, 'SUPERVISION_ESCALATION', ['on', 'off'] as const, 'on') === 'on',
    supervisionAnswerDays: supervisionAnswerDays(env.SUPERVISION_ANSWER_DAYS),
    crossRegion: oneOf(env, 'CROSS_REGION', ['on', 'off'] as const, 'off') === 'on',
    clockSkewMs: Number(skewMsText),
  };
}
