import { iso } from './moment';

describe('iso', () => {
  it('normalises every ISO instant the store may hold; one already normal is itself', () => {
    expect(iso('2025-03-01T09:00:00+08:00')).toBe('2025-03-01T01:00:00.000Z');
    expect(iso('2025-03-31T01:00:00Z')).toBe('2025-03-31T01:00:00.000Z');
    expect(iso('2025-02-28T23:59:59.999Z')).toBe('2025-02-28T23:59:59.999Z');
    expect(iso('2025-03-31T23:59:59.999Z')).toBe('2025-03-31T23:59:59.999Z');
    expect(iso('2024-12-31T16:00:00.000-08:00')).toBe('2025-01-01T00:00:00.000Z');
  });
});
