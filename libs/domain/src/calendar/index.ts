export {
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_OFFICIAL_YEAR,
  CHINA_TIME_ZONE,
  CalendarError,
  addCalendarDays,
  addWorkingDays,
  calendarCoverage,
  isWorkingDay,
  localDate,
  workingDayDeadline,
  workingDaysBetween,
} from './calendar';
export type { CalendarCoverage, CalendarErrorCode, WorkingDayDeadline } from './calendar';
export { HOLIDAY_SCHEDULES } from './holidays.data';
export type { HolidayRange, YearSchedule } from './holidays.data';
