import { TokenBuckets } from './rate-limit';

describe('token buckets (rate limits, DESIGN 7: 429 with Retry-After)', () => {
  it('lets a burst of `requests` through, then refuses with the seconds until a token is back, refilling continuously', () => {
    let now = 0;
    const buckets = new TokenBuckets({ requests: 3, seconds: 6 }, 100, () => now);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    // one token every 2 s
    expect(buckets.take('a')).toBe(2);
    now = 1000;
    expect(buckets.take('a')).toBe(1);
    now = 2000;
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(2);
    // another key has its own bucket
    expect(buckets.take('b')).toBe(0);
    // an idle bucket fills up to its size, not beyond
    now = 60_000;
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0, 2]);
  });

  it('keeps at most maxKeys buckets, forgetting the one idle longest', () => {
    const buckets = new TokenBuckets({ requests: 1, seconds: 60 }, 2, () => 0);
    buckets.take('a');
    buckets.take('b');
    buckets.take('a');
    buckets.take('c');
    expect(buckets.size).toBe(2);
    // b was dropped (a was used after it): a is still empty, b starts full again
    expect(buckets.take('a')).toBeGreaterThan(0);
    expect(buckets.take('b')).toBe(0);
  });
});
