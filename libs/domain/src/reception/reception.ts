import { CALENDAR_FIRST_YEAR, isWorkingDay, localDate } from '../calendar';
import type { ReceptionRecord } from '../case/case.events';
import { refuse } from '../shared/errors';
import type { Leader } from '../shared/vocabulary';

/**
 * Leader receptions (领导接访): the days on which leaders receive petitioners in person, as
 * each district publishes them. A schedule is a rule, kept as data; the concrete sessions of
 * any period are computed from it, so a petitioner can choose a day and a clerk can register a
 * visit against the session it was received at.
 *
 * Pure: dates in, sessions out. Sessions fall on China working days only (a Tuesday in the
 * National Day holiday has no reception), using the working-day calendar, which starts in 2020.
 */

/** China-local opening hours, `HH:MM` */
export interface ReceptionHours {
  from: string;
  to: string;
}

export interface ScheduledLeader {
  name: string;
  title: string;
}

/** fixed weekdays at one place, the leaders taking turns */
export interface WeeklyReceptions {
  kind: 'weekly';
  /** ISO weekdays: 1 = Monday … 7 = Sunday */
  weekdays: number[];
  place: string;
  hours: ReceptionHours;
  /** the n-th session since the schedule took effect is received by rota[n mod length] */
  rota: ScheduledLeader[];
}

/** 巡回接访: once a quarter, one town after another, each by the leader linked to it (联系领导) */
export interface QuarterlyRovingReceptions {
  kind: 'quarterly-roving';
  /** the tour starts on the first working day on or after this day of the quarter's first month */
  startDay: number;
  hours: ReceptionHours;
  /** every town in the order visited, one per working day */
  towns: { town: string; place: string; leader: ScheduledLeader }[];
}

export interface ReceptionSchedule {
  scheduleId: string;
  /** the district or county that publishes it */
  divisionCode: string;
  title: string;
  /** who receives the public, as published (市管领导, 区领导…) */
  receivedBy: string;
  /** China-local dates; validTo excluded */
  validFrom: string;
  validTo?: string;
  rule: WeeklyReceptions | QuarterlyRovingReceptions;
}

export interface ReceptionSession {
  /** `<scheduleId>:<date>`: a schedule holds at most one session a day */
  sessionId: string;
  scheduleId: string;
  divisionCode: string;
  title: string;
  kind: 'weekly' | 'roving';
  /** China-local date */
  date: string;
  startsAt: string;
  endsAt: string;
  place: string;
  town: string | null;
  leader: Leader;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** the first day the working-day calendar can answer for */
export const FIRST_RECEPTION_DATE = `${CALENDAR_FIRST_YEAR}-01-01`;

function dayNumber(date: string): number {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`no such date: ${date}`);
  return ms / DAY_MS;
}

const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const isoWeekday = (day: number) => new Date(day * DAY_MS).getUTCDay() || 7;
const chinaInstant = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00+08:00`).toISOString();
const laterOf = (a: string, b: string) => (a > b ? a : b);

function session(s: ReceptionSchedule, date: string, hours: ReceptionHours, place: string, town: string | null, leader: ScheduledLeader): ReceptionSession {
  return {
    sessionId: `${s.scheduleId}:${date}`, scheduleId: s.scheduleId, divisionCode: s.divisionCode, title: s.title,
    kind: s.rule.kind === 'weekly' ? 'weekly' : 'roving', date, startsAt: chinaInstant(date, hours.from), endsAt: chinaInstant(date, hours.to),
    place, town, leader: { ...leader, divisionCode: s.divisionCode },
  };
}

function weekly(s: ReceptionSchedule, rule: WeeklyReceptions, first: number, last: number): ReceptionSession[] {
  const out: ReceptionSession[] = [];
  // the rota turns from the day the schedule took effect, so each day's leader is the same whoever asks
  let n = 0;
  for (let d = dayNumber(laterOf(s.validFrom, FIRST_RECEPTION_DATE)); d <= last; d++) {
    if (!rule.weekdays.includes(isoWeekday(d)) || !isWorkingDay(dateOf(d))) continue;
    if (d >= first) out.push(session(s, dateOf(d), rule.hours, rule.place, null, rule.rota[n % rule.rota.length]));
    n++;
  }
  return out;
}

function roving(s: ReceptionSchedule, rule: QuarterlyRovingReceptions, first: number, last: number): ReceptionSession[] {
  const out: ReceptionSession[] = [];
  // a tour that started in the quarter before `first` may still be under way
  const fromYear = Number(dateOf(first - 120).slice(0, 4));
  const toYear = Number(dateOf(last).slice(0, 4));
  for (let year = Math.max(fromYear, CALENDAR_FIRST_YEAR); year <= toYear; year++) {
    for (const month of [1, 4, 7, 10]) {
      let d = dayNumber(`${year}-${String(month).padStart(2, '0')}-${String(rule.startDay).padStart(2, '0')}`);
      for (const stop of rule.towns) {
        while (!isWorkingDay(dateOf(d))) d++;
        if (d >= first && d <= last) out.push(session(s, dateOf(d), rule.hours, stop.place, stop.town, stop.leader));
        d++;
      }
    }
  }
  return out;
}

/** The sessions of one schedule on the China-local dates `from`…`to` (both included). */
export function receptionSessions(s: ReceptionSchedule, from: string, to: string): ReceptionSession[] {
  let first = dayNumber(laterOf(laterOf(from, s.validFrom), FIRST_RECEPTION_DATE));
  let last = dayNumber(to);
  if (s.validTo) last = Math.min(last, dayNumber(s.validTo) - 1);
  first = Math.max(first, dayNumber(FIRST_RECEPTION_DATE));
  if (first > last) return [];
  return s.rule.kind === 'weekly' ? weekly(s, s.rule, first, last) : roving(s, s.rule, first, last);
}

/** Every session of these schedules in the period, optionally of one division, in time order. */
export function receptionSessionsBetween(schedules: readonly ReceptionSchedule[], from: string, to: string, divisionCode?: string): ReceptionSession[] {
  return schedules
    .filter((s) => !divisionCode || s.divisionCode === divisionCode)
    .flatMap((s) => receptionSessions(s, from, to))
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.sessionId.localeCompare(b.sessionId));
}

/** The session a session id names, if the schedule holds one on that date. */
export function findReceptionSession(schedules: readonly ReceptionSchedule[], sessionId: string): ReceptionSession | null {
  const m = /^([a-z0-9-]+):(\d{4}-\d{2}-\d{2})$/.exec(sessionId);
  if (!m) return null;
  const schedule = schedules.find((s) => s.scheduleId === m[1]);
  if (!schedule) return null;
  try {
    return receptionSessions(schedule, m[2], m[2])[0] ?? null;
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/** What a petition received at the session records. */
export function receptionRecordOf(s: ReceptionSession): ReceptionRecord {
  return { sessionId: s.sessionId, scheduleId: s.scheduleId, date: s.date, place: s.place, town: s.town, leader: s.leader };
}

/**
 * A visit is registered as received at a session on the session's own day (China time): the
 * record says a leader received the petitioner there, which a registration on another day
 * could not truthfully say.
 */
export function requireInSession(s: ReceptionSession, at: string): ReceptionRecord {
  const day = localDate(at);
  if (day !== s.date) {
    refuse('RECEPTION_NOT_IN_SESSION', `session ${s.sessionId} is held on ${s.date}; a visit registered on ${day} was not received at it`, undefined, { date: s.date });
  }
  return receptionRecordOf(s);
}
