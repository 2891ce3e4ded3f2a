import type { StoredEvent } from '@lianban/contracts';

const AGENCY_ID = /^\d{6}-[a-z]{2,8}$/;

/** Only the case's own story goes to agencies: its case stream and its task streams, not bookkeeping (case numbers). */
export function isAgencyFacing(e: Pick<StoredEvent, 'streamId' | 'caseId'>): boolean {
  return e.streamId === `case-${e.caseId}` || e.streamId.startsWith(`task-${e.caseId}-`);
}

/**
 * The agencies an event brings into a case: the acting agency, the owner of the task stream,
 * and every agency the body names (assigned agencies, a successor, a reviewer, the parties and
 * decider of a dispute, a supervised agency…). Read by field name rather than per event type,
 * so an event type added later that names an agency the usual way (`agencyId`, `…AgencyId`,
 * `agencies[].agencyId`, `parties`, `relieved`, `deciderId`) reaches that agency without a
 * change here; values that are not agency ids (the joint conference) are ignored.
 */
export function agenciesNamedBy(e: Pick<StoredEvent, 'streamId' | 'caseId' | 'agencyId' | 'data'>): string[] {
  const found = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && AGENCY_ID.test(v)) found.add(v);
  };
  add(e.agencyId);
  const taskPrefix = `task-${e.caseId}-`;
  if (e.streamId.startsWith(taskPrefix)) add(e.streamId.slice(taskPrefix.length));
  const visit = (value: unknown, depth: number) => {
    if (depth > 4 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'agencyId' || key.endsWith('AgencyId') || key === 'deciderId') add(v);
      else if ((key === 'parties' || key === 'relieved') && Array.isArray(v)) v.forEach(add);
      else if (key === 'agencies' && Array.isArray(v)) visit(v, depth + 1);
    }
  };
  visit(e.data, 0);
  return [...found];
}
