import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isCanonicalInstant } from '@lianban/domain';

/**
 * Moments in queries. Analysts think in China-local days: `2025-03-01` means the start of that
 * day in China (00:00 +08:00), the way the registry reads record dates and the way a decision
 * "effective 1 March" is read. An instant must carry its zone: a bare `2025-03-01T09:00` would
 * mean different moments on a server in UTC and a browser in Chongqing, so it is refused.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The moment as a normalised ISO instant (`toISOString`), or null when the text is not one. */
export function parseMoment(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const d = DATE.exec(text);
  if (d) {
    const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])) - CHINA_OFFSET_MS;
    const back = new Date(ms + CHINA_OFFSET_MS);
    // Date.UTC rolls 02-30 over to 03-02; a real date keeps its day
    if (back.getUTCDate() !== Number(d[3]) || back.getUTCMonth() + 1 !== Number(d[2])) return null;
    return new Date(ms).toISOString();
  }
  if (!INSTANT.test(text)) return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  // outside these years toISOString changes width and string order stops being time order
  if (year < 1000 || year > 9999) return null;
  return new Date(ms).toISOString();
}

/** class-validator: a China-local date or an instant with its zone (see parseMoment). */
export function IsMoment(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({
    name: 'isMoment',
    validator: {
      validate: (value) => parseMoment(value) !== null,
      defaultMessage: (args) =>
        `${args?.property ?? 'value'} must be a date (2025-03-01, China time) or an ISO 8601 instant with its zone (2025-03-01T09:00:00+08:00)`,
    },
  }, options);
}

/**
 * Normalised instants by what the store held. The projection normalises every moment of a case
 * again at each of its events (the fold keeps the same strings), and parsing and formatting a
 * date was a fifth of a replay's CPU. Emptied when full: memory stays bounded whatever the store.
 */
const normalised = new Map<string, string>();
const NORMALISED_KEPT = 20_000;

/** Normalises any ISO instant the store holds (offsets, missing milliseconds) so string order is time order. */
export function iso(at: string): string {
  // what the store normally holds: no lookup, which over a year of distinct moments mostly missed
  if (isCanonicalInstant(at)) return at;
  let out = normalised.get(at);
  if (out === undefined) {
    out = new Date(Date.parse(at)).toISOString();
    if (normalised.size >= NORMALISED_KEPT) normalised.clear();
    normalised.set(at, out);
  }
  return out;
}

/** `YYYY-MM` of the China-local month an instant falls in. */
export function chinaMonth(at: string): string {
  const d = new Date(Date.parse(at) + CHINA_OFFSET_MS);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The instant a China-local month (`YYYY-MM`) starts. */
export function chinaMonthStart(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1) - CHINA_OFFSET_MS).toISOString();
}

/** The month after `YYYY-MM`. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
