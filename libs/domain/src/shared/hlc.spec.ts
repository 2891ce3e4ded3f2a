import { decodeHlc, encodeHlc, HybridLogicalClock } from './hlc';

describe('hybrid logical clock (DESIGN 6)', () => {
  it('encodes so that string order is stamp order', () => {
    const a = encodeHlc({ physical: 999, logical: 12 });
    const b = encodeHlc({ physical: 1000, logical: 0 });
    const c = encodeHlc({ physical: 1000, logical: 1 });
    expect([c, b, a].sort()).toEqual([a, b, c]);
    expect(decodeHlc(c)).toEqual({ physical: 1000, logical: 1 });
  });

  it('never goes backwards when the physical clock does', () => {
    const clock = new HybridLogicalClock();
    const s1 = clock.tick(5000);
    const s2 = clock.tick(4000);
    const s3 = clock.tick(5000);
    expect(s1 < s2 && s2 < s3).toBe(true);
  });

  it('stamps after a received stamp even when the local clock is behind (skewed region)', () => {
    const behind = new HybridLogicalClock();
    const remote = encodeHlc({ physical: 10_000_000, logical: 3 });
    behind.receive(remote, 10_000_000 - 600_000);
    expect(behind.tick(10_000_000 - 599_000) > remote).toBe(true);
  });

  it('stays ordered and readable past 99,999 events in one millisecond (the counter carries into the physical part)', () => {
    const clock = new HybridLogicalClock();
    let previous = clock.tick(5000);
    for (let i = 0; i < 150_000; i++) {
      const next = clock.tick(5000);
      expect(next > previous).toBe(true);
      previous = next;
    }
    expect(decodeHlc(previous)).toEqual({ physical: 5001, logical: 50_000 });
    const remote = encodeHlc({ physical: 9000, logical: 99_999 });
    const after = clock.receive(remote, 9000);
    expect(after > remote).toBe(true);
    expect(decodeHlc(after)).toEqual({ physical: 9001, logical: 0 });
  });

  it('resumes from a persisted stamp', () => {
    const clock = new HybridLogicalClock('000000000005000.00007');
    expect(clock.tick(1000)).toBe('000000000005000.00008');
  });
});
