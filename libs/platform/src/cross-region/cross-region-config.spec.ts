import { ConfigError, loadConfig } from '../config';
import { inboundTopic, outboundTopic } from '@lianban/contracts';

describe('cross-region configuration', () => {
  it('is off unless CROSS_REGION=on, and refuses other values', () => {
    expect(loadConfig({}).crossRegion).toBe(false);
    expect(loadConfig({ CROSS_REGION: 'on', REGION: 'sc' })).toMatchObject({ crossRegion: true, region: 'sc' });
    expect(() => loadConfig({ CROSS_REGION: 'yes' })).toThrow(ConfigError);
  });

  it('accepts a clock skew only in tests', () => {
    expect(loadConfig({ NODE_ENV: 'test', LIANBAN_TEST_CLOCK_SKEW_MS: '-600000' }).clockSkewMs).toBe(-600_000);
    expect(() => loadConfig({ NODE_ENV: 'production', LIANBAN_TEST_CLOCK_SKEW_MS: '600000' })).toThrow(/only for tests/);
    expect(() => loadConfig({ NODE_ENV: 'test', LIANBAN_TEST_CLOCK_SKEW_MS: '10 minutes' })).toThrow(ConfigError);
    expect(loadConfig({}).clockSkewMs).toBe(0);
  });

  it('names each direction so one broker can carry both regions', () => {
    expect(outboundTopic({ prefix: 'p.', region: 'cq' }, 'sc')).toBe('p.cq.outbound.sc');
    expect(inboundTopic({ prefix: 'p.', region: 'sc' }, 'cq')).toBe('p.sc.inbound.cq');
  });
});
