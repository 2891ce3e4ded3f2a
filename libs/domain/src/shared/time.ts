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
