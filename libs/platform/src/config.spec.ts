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
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it('a single process on PostgreSQL is still embedded: dev auth and the demo stay available', () => {
    expect(loadConfig({ EVENTSTORE: 'postgres', DATABASE_URL: 'postgres://x@127.0.0.1/db' })).toMatchObject({ embedded: true, authMode: 'dev', demo: true });
  });

  it('distributed mode defaults to jwt auth and no demo', () => {
    const c = loadConfig({ BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092', AUTH_SECRET: 's' });
    expect(c).toMatchObject({ embedded: false, authMode: 'jwt', demo: false });
  });
});
