import fc from 'fast-check';
import {
  CalendarError,
  addCalendarDays,
  addWorkingDays,
  calendarCoverage,
  isWorkingDay,
  localDate,
  workingDayDeadline,
  workingDaysBetween,
} from '.';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CalendarError) return e.code;
    throw e;
  }
  return undefined;
}

describe('isWorkingDay', () => {
  it('2024 National Day: 10-01..07 off, Sun 09-29 and Sat 10-12 are make-up working days', () => {
    for (const d of ['2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-07']) {
      expect([d, isWorkingDay(d)]).toEqual([d, false]);
    }
    expect(isWorkingDay('2024-09-29')).toBe(true);
    expect(isWorkingDay('2024-10-12')).toBe(true);
    expect(isWorkingDay('2024-10-08')).toBe(true);
    // the ordinary weekend around them stays off
    expect(isWorkingDay('2024-09-28')).toBe(false);
    expect(isWorkingDay('2024-10-13')).toBe(false);
  });

  it('2020 Spring Festival as extended for COVID-19: off until Sun 02-02, the make-up Saturday 02-01 gone', () => {
    expect(isWorkingDay('2020-01-24')).toBe(false);
    expect(isWorkingDay('2020-01-31')).toBe(false);
    expect(isWorkingDay('2020-02-01')).toBe(false);
    expect(isWorkingDay('2020-02-02')).toBe(false);
    expect(isWorkingDay('2020-02-03')).toBe(true);
    // the make-up Sunday before the festival still stood
    expect(isWorkingDay('2020-01-19')).toBe(true);
  });

  it('2023: Sun 04-23 is a make-up working day for 劳动节', () => {
    expect(isWorkingDay('2023-04-23')).toBe(true);
    expect(isWorkingDay('2023-05-02')).toBe(false);
    expect(isWorkingDay('2023-05-06')).toBe(true);
  });

  it('2024: 除夕 02-09 was only encouraged off, officially a working day', () => {
    expect(isWorkingDay('2024-02-09')).toBe(true);
    expect(isWorkingDay('2024-02-10')).toBe(false);
    expect(isWorkingDay('2024-02-18')).toBe(true);
  });

  it('2025 rules: Spring Festival 01-28 (除夕)..02-04 off, Sun 01-26 and Sat 02-08 on, 05-02 off', () => {
    expect(isWorkingDay('2025-01-27')).toBe(true);
    for (const d of ['2025-01-28', '2025-01-31', '2025-02-03', '2025-02-04']) {
      expect([d, isWorkingDay(d)]).toEqual([d, false]);
    }
    expect(isWorkingDay('2025-01-26')).toBe(true);
    expect(isWorkingDay('2025-02-08')).toBe(true);
    expect(isWorkingDay('2025-02-05')).toBe(true);
    expect(isWorkingDay('2025-05-02')).toBe(false);
    expect(isWorkingDay('2025-04-27')).toBe(true);
  });

  it('2026 schedule (notice of 2025-11-04)', () => {
    expect(isWorkingDay('2026-01-02')).toBe(false);
    expect(isWorkingDay('2026-01-04')).toBe(true);
    expect(isWorkingDay('2026-02-14')).toBe(true);
    expect(isWorkingDay('2026-02-16')).toBe(false);
    expect(isWorkingDay('2026-02-23')).toBe(false);
    expect(isWorkingDay('2026-02-24')).toBe(true);
    expect(isWorkingDay('2026-02-28')).toBe(true);
    expect(isWorkingDay('2026-05-05')).toBe(false);
    expect(isWorkingDay('2026-05-09')).toBe(true);
    expect(isWorkingDay('2026-06-19')).toBe(false);
    expect(isWorkingDay('2026-09-25')).toBe(false);
    expect(isWorkingDay('2026-09-20')).toBe(true);
    expect(isWorkingDay('2026-10-07')).toBe(false);
    expect(isWorkingDay('2026-10-08')).toBe(true);
    expect(isWorkingDay('2026-10-10')).toBe(true);
  });

  it('refuses dates before 2020 rather than guess', () => {
    expect(codeOf(() => isWorkingDay('2019-12-31'))).toBe('OUTSIDE_COVERAGE');
  });

  it('after 2026 falls back to Monday–Friday and says so through calendarCoverage', () => {
    expect(isWorkingDay('2027-01-01')).toBe(true); // a Friday; next year's notice will likely make it off
    expect(isWorkingDay('2027-01-02')).toBe(false);
    expect(calendarCoverage('2027-01-01')).toBe('weekdays-only');
    expect(calendarCoverage('2026-12-31')).toBe('official');
    expect(codeOf(() => calendarCoverage('2019-01-01'))).toBe('OUTSIDE_COVERAGE');
  });

  it('refuses what is not a real YYYY-MM-DD date', () => {
    expect(codeOf(() => isWorkingDay('2024-02-30'))).toBe('INVALID_DATE');
    expect(codeOf(() => isWorkingDay('2024-9-1'))).toBe('INVALID_DATE');
    expect(codeOf(() => isWorkingDay('2024-09-01T00:00:00Z'))).toBe('INVALID_DATE');
    expect(isWorkingDay('2024-02-29')).toBe(true);
  });
});

describe('addWorkingDays', () => {
  it('receipt Fri 2024-09-27: 5 working days end on Thu 10-10 (Sun 09-29 counts, 10-01..07 do not)', () => {
    expect(addWorkingDays('2024-09-27T10:00:00+08:00', 5)).toBe('2024-10-10T15:59:59.999Z');
  });

  it('only the China-local day of receipt matters, not its hour', () => {
    const expected = '2024-10-10T15:59:59.999Z';
    expect(addWorkingDays('2024-09-27T00:00:00+08:00', 5)).toBe(expected);
    expect(addWorkingDays('2024-09-27T23:59:59.999+08:00', 5)).toBe(expected);
    expect(addWorkingDays('2024-09-27', 5)).toBe(expected);
    // 16:30Z on the 26th is already 00:30 on the 27th in China
    expect(addWorkingDays('2024-09-26T16:30:00Z', 5)).toBe(expected);
    // one second before China midnight is still the 26th: one working day earlier
    expect(addWorkingDays('2024-09-26T15:59:59Z', 5)).toBe('2024-10-09T15:59:59.999Z');
    expect(addWorkingDays(new Date('2024-09-27T02:00:00Z'), 5)).toBe(expected);
  });

  it('a receipt during a holiday counts from the first working day after it', () => {
    // 10-08 Tue, 09, 10, 11, then Sat 10-12 is a make-up working day
    expect(addWorkingDays('2024-10-03T09:00:00+08:00', 5)).toBe('2024-10-12T15:59:59.999Z');
  });

  it('2025 Spring Festival: receipt Fri 01-24 ends Fri 02-07', () => {
    // 01-26 (Sun, on), 01-27, then 02-05, 02-06, 02-07
    expect(addWorkingDays('2025-01-24T15:00:00+08:00', 5)).toBe('2025-02-07T15:59:59.999Z');
  });

  it('2020: the COVID-19 extension pushes the limit past 02-02', () => {
    // 01-23, then 02-03 .. 02-06; under the original schedule it would have ended 02-03
    expect(addWorkingDays('2020-01-22T11:00:00+08:00', 5)).toBe('2020-02-06T15:59:59.999Z');
  });

  it('n = 0 is the end of the day of receipt', () => {
    expect(addWorkingDays('2024-10-03T09:00:00+08:00', 0)).toBe('2024-10-03T15:59:59.999Z');
  });

  it('the day of receipt itself needs no holiday data, the days counted do', () => {
    expect(addWorkingDays('2019-12-31T09:00:00+08:00', 1)).toBe('2020-01-02T15:59:59.999Z');
    expect(codeOf(() => addWorkingDays('2019-12-30T09:00:00+08:00', 1))).toBe('OUTSIDE_COVERAGE');
  });

  it('refuses a negative or fractional count and a moment without an offset', () => {
    expect(codeOf(() => addWorkingDays('2024-09-27T10:00:00+08:00', -1))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => addWorkingDays('2024-09-27T10:00:00+08:00', 1.5))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => addWorkingDays('2024-09-27T10:00:00', 5))).toBe('INVALID_DATE');
    expect(codeOf(() => addWorkingDays('2024-02-30T10:00:00Z', 5))).toBe('INVALID_DATE');
    expect(codeOf(() => addWorkingDays(new Date(Number.NaN), 5))).toBe('INVALID_DATE');
    expect(codeOf(() => addWorkingDays('yesterday', 5))).toBe('INVALID_DATE');
  });

  it('ends the day in another zone when asked', () => {
    expect(addWorkingDays('2024-09-27T10:00:00Z', 5, 'UTC')).toBe('2024-10-10T23:59:59.999Z');
    expect(codeOf(() => addWorkingDays('2024-09-27T10:00:00Z', 5, 'Mars/Olympus'))).toBe('INVALID_TIME_ZONE');
  });
});

describe('workingDayDeadline', () => {
  it('is official while every counted day has a schedule', () => {
    expect(workingDayDeadline('2024-09-27T10:00:00+08:00', 5)).toEqual({
      deadline: '2024-10-10T15:59:59.999Z',
      coverage: 'official',
    });
  });

  it('flags a deadline that counted days past 2026 as weekdays-only', () => {
    // 12-31 Thu, then 2027-01-01 (Fri, assumed working), 01-04, 01-05, 01-06
    expect(workingDayDeadline('2026-12-30T10:00:00+08:00', 5)).toEqual({
      deadline: '2027-01-06T15:59:59.999Z',
      coverage: 'weekdays-only',
    });
  });
});

describe('addCalendarDays', () => {
  it('15 日 from a receipt on 2024-09-27 end on 10-12, holidays notwithstanding', () => {
    expect(addCalendarDays('2024-09-27T10:00:00+08:00', 15)).toBe('2024-10-12T15:59:59.999Z');
  });

  it('60 日 cross the leap day of 2024', () => {
    expect(addCalendarDays('2024-01-15T10:00:00+08:00', 60)).toBe('2024-03-15T15:59:59.999Z');
  });

  it('counts from the China-local day of receipt', () => {
    // 17:00Z on 01-31 is 01:00 on 02-01 in China
    expect(addCalendarDays('2024-01-31T17:00:00Z', 15)).toBe('2024-02-16T15:59:59.999Z');
    expect(addCalendarDays(new Date('2024-01-31T15:00:00Z'), 15)).toBe('2024-02-15T15:59:59.999Z');
  });

  it('needs no holiday data, so it works before 2020 and after 2026', () => {
    expect(addCalendarDays('2019-06-01T00:00:00+08:00', 30)).toBe('2019-07-01T15:59:59.999Z');
    expect(addCalendarDays('2027-12-20', 30)).toBe('2028-01-19T15:59:59.999Z');
  });

  it('ends the local day across a daylight-saving change in a zone that has one', () => {
    // Berlin goes from +02:00 to +01:00 on 2024-10-27 and from +01:00 to +02:00 on 2024-03-31
    expect(addCalendarDays('2024-10-26T10:00:00Z', 1, 'Europe/Berlin')).toBe('2024-10-27T22:59:59.999Z');
    expect(addCalendarDays('2024-03-30T10:00:00Z', 1, 'Europe/Berlin')).toBe('2024-03-31T21:59:59.999Z');
  });

  it('refuses a negative count', () => {
    expect(codeOf(() => addCalendarDays('2024-01-15T10:00:00+08:00', -15))).toBe('INVALID_ARGUMENT');
  });
});

describe('workingDaysBetween', () => {
  it('counts working days after a up to and including b', () => {
    expect(workingDaysBetween('2024-09-27', '2024-10-10')).toBe(5);
    expect(workingDaysBetween('2024-09-27', '2024-09-27')).toBe(0);
    expect(workingDaysBetween('2024-09-30', '2024-10-07')).toBe(0);
    expect(workingDaysBetween('2024-09-28', '2024-09-29')).toBe(1);
  });

  it('is negative when b comes first', () => {
    expect(workingDaysBetween('2024-10-10', '2024-09-27')).toBe(-5);
  });

  it('places moments on their China-local day', () => {
    expect(workingDaysBetween('2024-09-26T16:30:00Z', '2024-10-10T15:00:00Z')).toBe(5);
  });

  it('inverts addWorkingDays for any receipt day and count', () => {
    const start = Date.UTC(2020, 0, 1);
    const days = (Date.UTC(2026, 11, 1) - start) / 86_400_000;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: days }), fc.integer({ min: 0, max: 30 }), (offset, n) => {
        const receipt = new Date(start + offset * 86_400_000).toISOString().slice(0, 10);
        const deadline = addWorkingDays(receipt, n);
        const lastDay = localDate(deadline);
        expect(workingDaysBetween(receipt, lastDay)).toBe(n);
        if (n > 0) expect(isWorkingDay(lastDay)).toBe(true);
      }),
    );
  });
});

describe('localDate', () => {
  it('gives the China-local date of a moment', () => {
    expect(localDate('2024-09-26T16:30:00Z')).toBe('2024-09-27');
    expect(localDate('2024-09-26T15:59:59.999Z')).toBe('2024-09-26');
    expect(localDate('2024-09-26T16:30:00Z', 'UTC')).toBe('2024-09-26');
  });
});
