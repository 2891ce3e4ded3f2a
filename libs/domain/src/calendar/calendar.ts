import { HOLIDAY_SCHEDULES } from './holidays.data';

/**
 * The China working-day calendar behind the 条例's limits (DESIGN 4.1): 日 are calendar days,
 * 工作日 are working days after 调休 (a weekday made a holiday is off; a weekend day made a
 * make-up working day is on).
 *
 * Counting, as the 条例 and 《民法典》Art. 201 count: a limit starts the day after receipt, so for
 * a receipt on day D, day 1 is the first (working) day after D, and the limit ends at the end of
 * day n, China time (23:59:59.999 +08:00). The hour of receipt never matters, only its day.
 *
 * Coverage: the official schedules of 2020–2026 are in `holidays.data.ts`.
 * - Before 2020 every question is refused (CalendarError OUTSIDE_COVERAGE): a guessed holiday
 *   moves a legal deadline, so no guess.
 * - After 2026 a day is a working day iff it is Monday–Friday, and `calendarCoverage` says
 *   'weekdays-only' (as does `workingDayDeadline`), so a caller can flag the deadline as
 *   provisional until next year's notice is added here. Refusing instead would make any case
 *   near year's end fail outright before the notice is out (it usually appears in November).
 *
 * Pure: the moment is always an argument; no clock is read.
 */

export const CALENDAR_FIRST_YEAR = 2020;
export const CALENDAR_LAST_OFFICIAL_YEAR = 2026;
export const CHINA_TIME_ZONE = 'Asia/Shanghai';

/** 'official': a State Council schedule decides; 'weekdays-only': Mon–Fri, no schedule known yet */
export type CalendarCoverage = 'official' | 'weekdays-only';

export type CalendarErrorCode = 'OUTSIDE_COVERAGE' | 'INVALID_DATE' | 'INVALID_ARGUMENT' | 'INVALID_TIME_ZONE';

export class CalendarError extends Error {
  constructor(
    readonly code: CalendarErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CalendarError';
  }
}

const DAY_MS = 86_400_000;
// China has kept UTC+8 without daylight saving since 1991, so Asia/Shanghai needs no tz database.
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

// Dates are handled as day numbers (days since 1970-01-01) so that stepping a day can never
// slip through a time-zone offset.
type DayNumber = number;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

const OFF_DAYS = new Set<DayNumber>();
const ON_DAYS = new Set<DayNumber>();
for (const schedule of HOLIDAY_SCHEDULES) {
  for (const h of schedule.holidays) {
    for (let d = parseDate(h.from); d <= parseDate(h.to); d++) OFF_DAYS.add(d);
  }
  for (const w of schedule.makeUpWorkdays) ON_DAYS.add(parseDate(w));
}

function parseDate(date: string): DayNumber {
  const m = DATE_RE.exec(date);
  if (!m) throw new CalendarError('INVALID_DATE', `not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  const day = toDayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
  if (day === undefined) throw new CalendarError('INVALID_DATE', `no such date: ${date}`);
  return day;
}

function toDayNumber(year: number, month: number, day: number): DayNumber | undefined {
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 02-30 over to 03-01; a real date survives the round trip unchanged
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms / DAY_MS;
}

function formatDay(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function yearOf(day: DayNumber): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

function coverageOf(day: DayNumber): CalendarCoverage {
  const year = yearOf(day);
  if (year < CALENDAR_FIRST_YEAR) {
    throw new CalendarError(
      'OUTSIDE_COVERAGE',
      `${formatDay(day)} is before ${CALENDAR_FIRST_YEAR}: the working-day calendar has no holiday data for it`,
    );
  }
  return year > CALENDAR_LAST_OFFICIAL_YEAR ? 'weekdays-only' : 'official';
}

function isWorkingDayNumber(day: DayNumber): boolean {
  coverageOf(day);
  if (ON_DAYS.has(day)) return true;
  if (OFF_DAYS.has(day)) return false;
  const weekday = new Date(day * DAY_MS).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** Is this China-local date (YYYY-MM-DD) a working day? Throws OUTSIDE_COVERAGE before 2020. */
export function isWorkingDay(date: string): boolean {
  return isWorkingDayNumber(parseDate(date));
}

/** Whether the date's working-day status comes from an official schedule. Throws before 2020. */
export function calendarCoverage(date: string): CalendarCoverage {
  return coverageOf(parseDate(date));
}

// ---- time zones -------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new CalendarError('INVALID_TIME_ZONE', `unknown time zone: ${JSON.stringify(tz)}`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/** how far the wall clock of `tz` is ahead of UTC at instant `ms` */
function offsetAt(ms: number, tz: string): number {
  if (tz === CHINA_TIME_ZONE) return SHANGHAI_OFFSET_MS;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

function localDayOf(ms: number, tz: string): DayNumber {
  return Math.floor((ms + offsetAt(ms, tz)) / DAY_MS);
}

/** the last millisecond of local day `day` in `tz` */
function endOfLocalDay(day: DayNumber, tz: string): number {
  const nextMidnightWall = (day + 1) * DAY_MS;
  // two rounds settle the offset even when it changes between the guess and the answer (DST)
  let guess = nextMidnightWall - offsetAt(nextMidnightWall, tz);
  guess = nextMidnightWall - offsetAt(guess, tz);
  return guess - 1;
}

function toInstantMs(at: string | Date): number {
  if (at instanceof Date) {
    const ms = at.getTime();
    if (Number.isNaN(ms)) throw new CalendarError('INVALID_DATE', 'invalid Date');
    return ms;
  }
  const m = INSTANT_RE.exec(at);
  // without an offset the moment would depend on the machine's time zone
  if (!m) throw new CalendarError('INVALID_DATE', `not an ISO 8601 moment with an offset or Z: ${JSON.stringify(at)}`);
  const ms = Date.parse(at);
  if (Number.isNaN(ms) || toDayNumber(Number(m[1]), Number(m[2]), Number(m[3])) === undefined) {
    throw new CalendarError('INVALID_DATE', `no such moment: ${at}`);
  }
  return ms;
}

/** A bare date (YYYY-MM-DD) is already a local day; a moment is placed in `tz`. */
function localDayOfInput(at: string | Date, tz: string): DayNumber {
  if (typeof at === 'string' && DATE_RE.test(at)) {
    formatterFor(tz);
    return parseDate(at);
  }
  return localDayOf(toInstantMs(at), tz);
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new CalendarError('INVALID_ARGUMENT', `a number of days must be a whole number ≥ 0, got ${n}`);
  }
}

/** The China-local date (YYYY-MM-DD) of a moment, or of a moment in another zone. */
export function localDate(at: string | Date, tz: string = CHINA_TIME_ZONE): string {
  return formatDay(localDayOfInput(at, tz));
}

// ---- limits -----------------------------------------------------------------------------

export interface WorkingDayDeadline {
  /** ISO 8601 UTC: the last millisecond of the n-th working day */
  deadline: string;
  /** 'weekdays-only' when any day counted lies past the official schedules */
  coverage: CalendarCoverage;
}

/** `addWorkingDays`, also telling whether every day counted had an official schedule. */
export function workingDayDeadline(start: string | Date, n: number, tz: string = CHINA_TIME_ZONE): WorkingDayDeadline {
  checkCount(n);
  let day = localDayOfInput(start, tz);
  let coverage: CalendarCoverage = 'official';
  for (let counted = 0; counted < n; ) {
    day++;
    if (coverageOf(day) === 'weekdays-only') coverage = 'weekdays-only';
    if (isWorkingDayNumber(day)) counted++;
  }
  return { deadline: new Date(endOfLocalDay(day, tz)).toISOString(), coverage };
}

/**
 * The end of the n-th working day after the day of `start` (e.g. the 5 工作日 return window of
 * Art. 23), as an ISO UTC string. n = 0 gives the end of the day of `start` itself.
 * A receipt on Fri 2024-09-27 with n = 5 ends on 2024-10-10, because Sun 09-29 is a make-up
 * working day and 10-01..07 are off: '2024-10-10T15:59:59.999Z'.
 */
export function addWorkingDays(start: string | Date, n: number, tz: string = CHINA_TIME_ZONE): string {
  return workingDayDeadline(start, n, tz).deadline;
}

/**
 * The end of the n-th calendar day after the day of `start` (the 15 日 / 60 日 / 30 日 limits),
 * as an ISO UTC string. Holidays do not move these limits, so there is no coverage limit.
 */
export function addCalendarDays(start: string | Date, n: number, tz: string = CHINA_TIME_ZONE): string {
  checkCount(n);
  return new Date(endOfLocalDay(localDayOfInput(start, tz) + n, tz)).toISOString();
}

/**
 * Working days d with day(a) < d ≤ day(b), counted the way `addWorkingDays` counts: when
 * `addWorkingDays(a, n)` ends on day X, `workingDaysBetween(a, X) === n`. Negative when b is
 * before a. Accepts dates (YYYY-MM-DD) or moments (placed in `tz`).
 */
export function workingDaysBetween(a: string | Date, b: string | Date, tz: string = CHINA_TIME_ZONE): number {
  const from = localDayOfInput(a, tz);
  const to = localDayOfInput(b, tz);
  const [lo, hi, sign] = from <= to ? [from, to, 1] : [to, from, -1];
  let count = 0;
  for (let d = lo + 1; d <= hi; d++) if (isWorkingDayNumber(d)) count++;
  return sign * count;
}
