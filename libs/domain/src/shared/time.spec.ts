import fc from 'fast-check';
import { isCanonicalInstant } from './time';

describe('isCanonicalInstant', () => {
  it('holds only for strings that are their own toISOString (property, years 0000–9999)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        const text = d.toISOString();
        if (isCanonicalInstant(text)) expect(new Date(Date.parse(text)).toISOString()).toBe(text);
        // every day up to the 28th is recognised without parsing
        expect(isCanonicalInstant(text)).toBe(d.getUTCDate() <= 28);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves to Date.parse what may roll over or carries another offset', () => {
    for (const text of ['2025-02-29T00:00:00.000Z', '2025-04-31T09:00:00.000Z', '2025-03-01T09:00:00+08:00', '2025-03-01T09:00:00Z', '2025-03-01T24:00:00.000Z', '2025-13-01T00:00:00.000Z']) {
      expect([text, isCanonicalInstant(text)]).toEqual([text, false]);
    }
    expect(isCanonicalInstant('2025-02-28T23:59:59.999Z')).toBe(true);
  });
});
