import { refuse } from './errors';

/** A case's events never go back in time (DESIGN 7): a command dated before the last event is refused. */
export function ensureNotBefore(at: string, lastEventAt: string | null): void {
  if (lastEventAt !== null && Date.parse(at) < Date.parse(lastEventAt)) {
    refuse(
      'COMMAND_BEFORE_LAST_EVENT',
      `the command is dated ${at}, before the case's last event at ${lastEventAt}; a case's history never goes back in time`,
    );
  }
}

export function isAfter(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ` with days up to 28: any such string is a real instant, and parses to it. */
const CANONICAL_ISO = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * Whether `at` is already what `new Date(at).toISOString()` makes of it, known without parsing:
 * such fixed-width UTC strings sort as their instants do. False says nothing (days 29–31 may roll
 * over, other offsets, invalid dates): those go through Date.parse.
 */
export function isCanonicalInstant(at: string): boolean {
  return CANONICAL_ISO.test(at);
}
