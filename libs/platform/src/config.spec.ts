import { ConfigError, loadConfig } from './config';

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

  it('keys petitioner hashes with PETITIONER_KEY_SECRET, else with a key derived from AUTH_SECRET (never AUTH_SECRET itself)', () => {
    expect(loadConfig({ PETITIONER_KEY_SECRET: 'a-long-enough-secret' }).petitionerKeySecret).toBe('a-long-enough-secret');
    const derived = loadConfig({ AUTH_SECRET: 'one-secret' }).petitionerKeySecret;
    expect(derived).toMatch(/^[0-9a-f]{64}$/);
    expect(derived).not.toBe(loadConfig({ AUTH_SECRET: 'another-secret' }).petitionerKeySecret);
  });

  it('distributed mode defaults to jwt auth and no demo', () => {
    const c = loadConfig({ BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092', AUTH_SECRET: 's' });
    expect(c).toMatchObject({ embedded: false, authMode: 'jwt', demo: false });
  });
});

describe('configuration of distributed mode (issue 4)', () => {
  const kafka = { BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092', AUTH_SECRET: 's' };

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
