import type { DomainEvent } from '@lianban/domain';

/**
 * What the AsyncAPI document describes, and where the generator finds it.
 *
 * Event types are found, not listed: every exported union of `DomainEvent`s in a
 * `libs/domain/src/**\/*.events.ts` file is read with the TypeScript checker, so a type added to
 * `CaseEvent`, `TaskEvent`, `AppealEvent`, or a new `*.events.ts` file with its own union, is
 * documented by running `npm run asyncapi` — nothing to edit here. Only events written outside
 * the domain (bookkeeping streams) are declared below, with the body their writer stores.
 */
export const DOMAIN_EVENTS_GLOB = { dir: 'libs/domain/src', suffix: '.events.ts' };

/** `casenumber-<region>-<year>`: intake's case-number allocation (apps/intake/src/register-petition/case-number.ts) */
export type CaseNumberAllocated = DomainEvent<'lianban.casenumber.allocated.v1', {
  /** the year (China time) whose sequence the number was taken from */
  year: number;
}>;

/** Unions outside the domain, by file (relative to the repository) and exported type name. */
export const EXTRA_EVENT_UNIONS = [{ file: 'scripts/asyncapi/catalogue.ts', type: 'CaseNumberAllocated' }];

/**
 * The aggregates whose events live in a case's own streams (`case-<caseId>`, and
 * `task-<caseId>-<agencyId>` for task and appeal events; the petitioner's erasure is on the case
 * stream): the relay also sends those to the
 * agencies concerned (libs/platform/src/relay/audience.ts). Task forces, campaigns and
 * bookkeeping have streams of their own and travel on `<region>.case-events` only.
 */
export const AGENCY_FACING_AGGREGATES = ['case', 'task', 'appeal', 'petitioner'];

/** Written next to the code; `npm run asyncapi` rewrites it, the unit test fails while it is stale. */
export const ASYNCAPI_FILE = 'docs/asyncapi.yaml';
