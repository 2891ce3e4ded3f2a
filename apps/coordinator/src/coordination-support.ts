import { ValidateBy, type ValidationOptions } from 'class-validator';
import type { Principal } from '@lianban/auth';
import type { StoredEvent } from '@lianban/contracts';
import { fold, type Decider, type DomainEvent } from '@lianban/domain';
import { derivedEventId, idempotencyKeyOf } from '@lianban/platform';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export function isChinaDate(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v && Number(m[1]) >= 1900;
}

/** a China-local date, YYYY-MM-DD, that exists */
export function IsChinaDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({
    name: 'isChinaDate',
    validator: { validate: isChinaDate, defaultMessage: (a) => `${a?.property ?? 'value'} must be a date, YYYY-MM-DD (China time)` },
  }, options);
}

/** an ISO 8601 instant with its zone: a time without one would mean different moments on different servers */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({
    name: 'isInstant',
    validator: {
      validate: (v) => typeof v === 'string' && INSTANT.test(v) && !Number.isNaN(Date.parse(v)),
      defaultMessage: (a) => `${a?.property ?? 'value'} must be an ISO 8601 instant with its zone, e.g. 2020-10-20T14:30:00+08:00`,
    },
  }, options);
}

/**
 * An id derived from the Idempotency-Key, so a retried creation finds what the first one made;
 * a fresh random-looking id without a key.
 */
export function idFor(kind: string, idempotencyKey: string | undefined, fresh: () => string): string {
  const key = idempotencyKeyOf(idempotencyKey);
  return key === undefined ? fresh() : derivedEventId(kind, key);
}

const BUREAU_ROLES = ['coordinator', 'supervisor', 'analyst', 'admin'];

/**
 * Who sees a task force or a campaign: the bureau side of its region (coordinators,
 * supervisors, analysts), and a member agency's coordinator from the other region. Others get
 * 404, as for a case: they do not learn it exists.
 */
export function canSeeCoordination(p: Principal, region: string, memberAgencies: readonly string[] = []): boolean {
  if (!BUREAU_ROLES.includes(p.role)) return false;
  return !p.region || p.region === region || (!!p.agency && memberAgencies.includes(p.agency));
}

/**
 * Decides on the stored history without appending: a command spanning several streams is
 * checked against every one of them before the first is written, so a rule refusing one
 * stream never leaves the others half done.
 */
export function dryRun<C, S, E extends DomainEvent>(decider: Decider<C, S, E>, history: readonly StoredEvent[], command: C): E[] {
  return decider.decide(command, fold(decider, history));
}
