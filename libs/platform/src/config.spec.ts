import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createTestIssuer } from '@lianban/testing/jwt';
import { ConfigError, loadConfig } from './config';

/** a jwt-mode process's keys: the issuer's JWKS, the service's signing key, MASTER_KEY */
const issuer = createTestIssuer();
afterAll(() => fs.rmSync(issuer.dir, { recursive: true, force: true }));

describe('configuration (DESIGN 10)', () => {
  it('defaults to the embedded mode: sqlite, in-process bus, dev auth, demo on, region cq', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, eventStore: 'sqlite', bus: 'memory', embedded: true, authMode: 'dev', demo: true, region: 'cq' });
  });

  it('derives the region from AGENCY_ID', () => {
    expect(loadConfig({ AGENCY_ID: '511623-sw' }).region).toBe('sc');
  });

  it.each([
    [{ EVENTSTORE: 'mysql' }, /EVENTSTORE=mysql/],
    [{ BUS: 'rabbit' }, /BUS=rabbit/],
    [{ PORT: 'abc' }, /PORT/],
    [{ EVENTSTORE: 'postgres' }, /DATABASE_URL/],
    [{ BUS: 'kafka' }, /KAFKA_BROKERS/],
    [{ BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092', AUTH_MODE: 'dev' }, /only in embedded mode/],
    [{ AGENCY_ID: 'rsj' }, /AGENCY_ID/],
    [{ DEMO: 'yes' }, /DEMO=yes/],
    [{ DEADLINE_WATCH_INTERVAL_MS: '5' }, /DEADLINE_WATCH_INTERVAL_MS=5/],
    [{ DEADLINE_WATCH_INTERVAL_MS: 'soon' }, /DEADLINE_WATCH_INTERVAL_MS/],
    [{ DEADLINE_WARNING_DAYS: '3,reply=2' }, /reply is not one of/],
    [{ DEADLINE_WARNING_DAYS: '99' }, /0–60/],
    [{ PETITIONER_KEY_SECRET: 'short' }, /PETITIONER_KEY_SECRET/],
    [{ AUTO_SUPERVISION: 'yes' }, /AUTO_SUPERVISION=yes/],
    [{ AUTO_SUPERVISION: 'on', AUTO_SUPERVISION_LIMITS: 'handle,route' }, /route is not one of/],
    [{ AUTO_SUPERVISION_LIMITS: 'supervision-answer' }, /supervision-answer is not one of/],
    [{ SUPERVISION_ESCALATION: 'always' }, /SUPERVISION_ESCALATION=always/],
    [{ SUPERVISION_ANSWER_DAYS: '0' }, /SUPERVISION_ANSWER_DAYS=0/],
    [{ SUPERVISION_ANSWER_DAYS: '61' }, /1–60/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it('a single process on PostgreSQL is still embedded: dev auth and the demo stay available', () => {
    expect(loadConfig({ EVENTSTORE: 'postgres', DATABASE_URL: 'postgres://x@127.0.0.1/db' })).toMatchObject({ embedded: true, authMode: 'dev', demo: true });
  });

  it('reads the deadline watch: interval (0 = off) and warning days, a default and per-kind overrides', () => {
    expect(loadConfig({})).toMatchObject({
      deadlineWatchIntervalMs: 60000, deadlineWarningDays: { route: 3, acknowledge: 3, handle: 3, 'appeal-decision': 3, 'supervision-answer': 3 },
    });
    expect(loadConfig({ DEADLINE_WATCH_INTERVAL_MS: '0', DEADLINE_WARNING_DAYS: '2, handle=10, route=0' })).toMatchObject({
      deadlineWatchIntervalMs: 0, deadlineWarningDays: { route: 0, acknowledge: 2, handle: 10, 'appeal-decision': 2, 'supervision-answer': 2 },
    });
  });

  it('reads supervision (Art. 40): automatic 督办 off unless asked, on which limits; escalation on; the answer limit', () => {
    expect(loadConfig({})).toMatchObject({ autoSupervisionLimits: [], supervisionEscalation: true, supervisionAnswerDays: 15 });
    expect(loadConfig({ AUTO_SUPERVISION: 'on' }).autoSupervisionLimits).toEqual(['acknowledge', 'handle']);
    expect(loadConfig({ AUTO_SUPERVISION: 'on', AUTO_SUPERVISION_LIMITS: 'handle, appeal-decision' }).autoSupervisionLimits).toEqual(['handle', 'appeal-decision']);
    expect(loadConfig({ SUPERVISION_ESCALATION: 'off', SUPERVISION_ANSWER_DAYS: '7' })).toMatchObject({ supervisionEscalation: false, supervisionAnswerDays: 7 });
  });

  it('keys petitioner hashes with PETITIONER_KEY_SECRET, else with a key derived from AUTH_SECRET (never AUTH_SECRET itself)', () => {
    expect(loadConfig({ PETITIONER_KEY_SECRET: 'a-long-enough-secret' }).petitionerKeySecret).toBe('a-long-enough-secret');
    const derived = loadConfig({ AUTH_SECRET: 'one-secret' }).petitionerKeySecret;
    expect(derived).toMatch(/^[0-9a-f]{64}$/);
    expect(derived).not.toBe(loadConfig({ AUTH_SECRET: 'another-secret' }).petitionerKeySecret);
  });

  it('distributed mode defaults to jwt auth and no demo', () => {
    const { AUTH_MODE: _mode, ...env } = issuer.env;
    const c = loadConfig({ BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092', ...env });
    expect(c).toMatchObject({ embedded: false, authMode: 'jwt', demo: false });
  });
});

describe('configuration of distributed mode (issue 4)', () => {
  const kafka = { BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092', ...issuer.env };

  it('runs the relay embedded and where the process asks for it, unless RELAY says otherwise', () => {
    expect(loadConfig({}).relay).toBe(true);
    expect(loadConfig(kafka).relay).toBe(false);
    expect(loadConfig(kafka, { relay: true }).relay).toBe(true);
    expect(loadConfig({ ...kafka, RELAY: 'off' }, { relay: true }).relay).toBe(false);
    expect(loadConfig({ ...kafka, RELAY: 'on' }).relay).toBe(true);
    expect(() => loadConfig({ RELAY: 'maybe' })).toThrow(/RELAY=maybe/);
  });

  it('prefixes topics only with characters Kafka accepts', () => {
    expect(loadConfig({ ...kafka, KAFKA_TOPIC_PREFIX: 'staging.' }).topicPrefix).toBe('staging.');
    expect(loadConfig(kafka).topicPrefix).toBe('');
    expect(() => loadConfig({ ...kafka, KAFKA_TOPIC_PREFIX: 'no spaces' })).toThrow(/KAFKA_TOPIC_PREFIX/);
  });

  it('accepts the crash hook only in tests', () => {
    const hook = { LIANBAN_TEST_CRASH_AFTER_EFFECT: 'lianban.task.reply-issued.v1' };
    expect(() => loadConfig({ ...kafka, ...hook })).toThrow(/only for tests/);
    expect(() => loadConfig({ ...kafka, ...hook, NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(loadConfig({ ...kafka, ...hook, NODE_ENV: 'test' }).testCrashAfterEffect).toBe('lianban.task.reply-issued.v1');
    expect(loadConfig({ ...kafka, NODE_ENV: 'test' }).testCrashAfterEffect).toBeNull();
  });
});

describe('configuration of security (issue 9)', () => {
  const kafka = { BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092' };

  it('refuses dev auth in a distributed process, and jwt mode without the issuer\'s keys, a signing key or a master key', () => {
    expect(() => loadConfig({ ...kafka, ...issuer.env, AUTH_MODE: 'dev' })).toThrow(/only in embedded mode/);
    const { AUTH_JWKS_FILE: _jwks, ...noJwks } = issuer.env;
    expect(() => loadConfig({ ...kafka, ...noJwks })).toThrow(/AUTH_JWKS_FILE and\/or AUTH_JWKS_URL/);
    const { AUTH_SIGNING_KEY_FILE: _key, ...noSigning } = issuer.env;
    expect(() => loadConfig({ ...kafka, ...noSigning })).toThrow(/AUTH_SIGNING_KEY_FILE/);
    const { MASTER_KEY: _master, ...noMaster } = issuer.env;
    expect(() => loadConfig({ ...kafka, ...noMaster })).toThrow(/MASTER_KEY is required/);
    // embedded but jwt: no dev defaults either
    expect(() => loadConfig(noMaster)).toThrow(/MASTER_KEY is required/);
    const { PETITIONER_KEY_SECRET: _secret, ...noSecret } = issuer.env;
    expect(() => loadConfig({ ...kafka, ...noSecret })).toThrow(/PETITIONER_KEY_SECRET/);
  });

  it('reads the keys at start-up, refusing files that are missing or hold no usable key', () => {
    const c = loadConfig({ ...kafka, ...issuer.env });
    expect(c).toMatchObject({ authMode: 'jwt', authJwksFile: issuer.jwksFile, authClockSkewSec: 30 });
    expect(c.authJwks.map((k) => k.kid)).toEqual([issuer.kid]);
    expect(c.authSigningKey?.alg).toBe('ES256');
    expect(c.masterKey).toEqual(Buffer.from(issuer.env.MASTER_KEY, 'base64'));
    expect(() => loadConfig({ ...kafka, ...issuer.env, AUTH_JWKS_FILE: '/nonexistent/jwks.json' })).toThrow(/cannot be read/);
    expect(() => loadConfig({ ...kafka, ...issuer.env, AUTH_JWKS_FILE: issuer.signingKeyFile })).toThrow(/not JSON/);
    expect(() => loadConfig({ ...kafka, ...issuer.env, AUTH_SIGNING_KEY_FILE: issuer.jwksFile })).toThrow(/PEM private key/);
  });

  it.each([
    [{ MASTER_KEY: 'c2hvcnQ=' }, /MASTER_KEY must be 32 bytes/],
    [{ MASTER_KEY: `${randomBytes(32).toString('base64')}!` }, /MASTER_KEY must be 32 bytes/],
    [{ AUTH_JWKS_URL: 'http://idp.example/jwks.json' }, /must be https/],
    [{ AUTH_JWKS_URL: 'not a url' }, /not a URL/],
    [{ AUTH_CLOCK_SKEW_S: '301' }, /AUTH_CLOCK_SKEW_S/],
    [{ AUTH_CLOCK_SKEW_S: '-1' }, /AUTH_CLOCK_SKEW_S/],
  ])('refuses %j in jwt mode', (bad, message) => {
    expect(() => loadConfig({ ...kafka, ...issuer.env, ...bad } as NodeJS.ProcessEnv)).toThrow(message);
  });

  it('accepts a JWKS URL on https, or http on the loopback interface only', () => {
    const { AUTH_JWKS_FILE: _f, ...env } = issuer.env;
    expect(loadConfig({ ...kafka, ...env, AUTH_JWKS_URL: 'https://idp.cq.gov.cn/.well-known/jwks.json' }).authJwksUrl).toBe('https://idp.cq.gov.cn/.well-known/jwks.json');
    expect(loadConfig({ ...kafka, ...env, AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks.json' }).authJwksUrl).toBe('http://127.0.0.1:8080/jwks.json');
  });

  it('uses the dev master key only in the embedded dev mode, and refuses real keys configured for dev auth', () => {
    expect(loadConfig({}).masterKey).toHaveLength(32);
    expect(() => loadConfig({ AUTH_JWKS_FILE: issuer.jwksFile })).toThrow(/read only with AUTH_MODE=jwt/);
  });

  it('reads rate limits as <requests>/<seconds> or off, with generous defaults', () => {
    expect(loadConfig({})).toMatchObject({ rateLimitIp: { requests: 3000, seconds: 10 }, rateLimitToken: { requests: 2000, seconds: 10 } });
    expect(loadConfig({ RATE_LIMIT_IP: 'off', RATE_LIMIT_TOKEN: '5/1' })).toMatchObject({ rateLimitIp: null, rateLimitToken: { requests: 5, seconds: 1 } });
    for (const bad of ['0/10', '10', '10/0', '10/3601', 'lots']) expect(() => loadConfig({ RATE_LIMIT_IP: bad })).toThrow(/RATE_LIMIT_IP/);
  });

  it('trusts no proxy by default; TRUST_PROXY names proxies (addresses, subnets, Express\'s named subnets) or a hop count, never everyone', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.7 ,loopback,fd00::/8,::1' }).trustProxy)
      .toEqual(['10.0.0.0/8', '192.168.1.7', 'loopback', 'fd00::/8', '::1']);
    expect(() => loadConfig({ TRUST_PROXY: 'on' })).toThrow(/TRUST_PROXY=on would trust X-Forwarded-For from anyone/);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true/);
    for (const bad of ['0', '11']) expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/hop count must be 1–10/);
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'proxy.internal', '10.0.0.1,', '300.1.1.1', 'everyone']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY: .* is not an IP address/);
    }
  });

  it('keeps 1,000 committed messages per partition on the in-process bus by default; BUS_RETENTION_MESSAGES changes it, only there', () => {
    expect(loadConfig({}).busRetentionMessages).toBe(1000);
    expect(loadConfig({ BUS_RETENTION_MESSAGES: '0' }).busRetentionMessages).toBe(0);
    expect(loadConfig({ BUS_RETENTION_MESSAGES: '50000' }).busRetentionMessages).toBe(50_000);
    for (const bad of ['-1', 'all', '1e3', '1000001']) expect(() => loadConfig({ BUS_RETENTION_MESSAGES: bad })).toThrow(/BUS_RETENTION_MESSAGES=/);
    expect(() => loadConfig({ BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092', AUTH_MODE: 'jwt', BUS_RETENTION_MESSAGES: '10' }))
      .toThrow(/BUS_RETENTION_MESSAGES applies to the in-process bus/);
  });
});
