import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_OFFICIAL_YEAR, HOLIDAY_SCHEDULES } from '.';

// Guards against typing slips when next year's notice is added.
describe('holiday schedules', () => {
  const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

  it('has exactly one schedule per covered year, in order', () => {
    const years = HOLIDAY_SCHEDULES.map((s) => s.year);
    const expected = [];
    for (let y = CALENDAR_FIRST_YEAR; y <= CALENDAR_LAST_OFFICIAL_YEAR; y++) expected.push(y);
    expect(years).toEqual(expected);
  });

  it.each(HOLIDAY_SCHEDULES.map((s) => [s.year, s] as const))('%i: names its source notice', (_year, s) => {
    expect(s.source).toContain(`关于${s.year}年部分节假日安排的通知`);
  });

  it.each(HOLIDAY_SCHEDULES.map((s) => [s.year, s] as const))('%i: make-up working days are weekend days of that year', (year, s) => {
    for (const d of s.makeUpWorkdays) {
      expect([d, d.startsWith(`${year}-`), [0, 6].includes(weekday(d))]).toEqual([d, true, true]);
    }
  });

  it.each(HOLIDAY_SCHEDULES.map((s) => [s.year, s] as const))('%i: holiday ranges are ordered and hold no make-up day', (year, s) => {
    for (const h of s.holidays) {
      expect(h.from <= h.to).toBe(true);
      // only 元旦 may begin on the last day of the year before (2023's did)
      expect(h.to.startsWith(`${year}-`) && (h.from.startsWith(`${year}-`) || h.from === `${year - 1}-12-31`)).toBe(true);
      for (const w of s.makeUpWorkdays) expect([h.name, w, w >= h.from && w <= h.to]).toEqual([h.name, w, false]);
    }
  });
});
