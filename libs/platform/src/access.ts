import { HttpException } from '@nestjs/common';
import type { Principal } from '@lianban/auth';
import { regionOfAgency } from '@lianban/registry';
import type { CaseFile } from '@lianban/domain';

const BUREAU_ROLES = ['clerk', 'coordinator', 'supervisor', 'analyst', 'admin'];

/** Every agency with a part in the case: its tasks, its reviewers, the agencies supervised, the parties and deciders of its disputes. */
export function agenciesOnCase(f: CaseFile): Set<string> {
  return new Set([
    ...f.tasks.map((t) => t.agencyId),
    ...f.appeals.map((a) => a.reviewerAgencyId),
    ...f.supervisions.map((s) => s.agencyId),
    ...f.disputes.flatMap((d) => [...d.parties, d.deciderId]),
  ]);
}

/**
 * Who may read a case: the petitioner their own; agency staff a case their agency has a part
 * in (a task, an appeal to decide, a supervision to answer, a dispute); the bureau, supervisors
 * and analysts any case of their region and any joint case one of their region's agencies works
 * (DESIGN 6: each region's history holds the whole timeline of joint cases, for its own bureau to
 * follow its agencies' part), and a bureau of another region the cases it must decide on (a
 * cross-province dispute goes to the joint conference, staffed by both provinces).
 */
/** the joint conference's member bureaus, or how to find them: only a caller of another region needs them */
export type ConferenceMembers = readonly string[] | (() => readonly string[]);

export function canReadCase(p: Principal, f: CaseFile, jointConferenceMembers: ConferenceMembers = []): boolean {
  if (p.role === 'petitioner') return p.cases?.includes(f.caseId) ?? false;
  const onCase = agenciesOnCase(f);
  if (p.role === 'caseworker' || p.role === 'agency-head') return !!p.agency && onCase.has(p.agency);
  if (BUREAU_ROLES.includes(p.role)) {
    if (!p.region || p.region === f.region || (!!p.agency && onCase.has(p.agency))) return true;
    if ([...onCase].some((a) => regionOfAgency(a) === p.region)) return true;
    if (!p.agency || !f.disputes.some((d) => d.deciderKind === 'joint-conference')) return false;
    return (typeof jointConferenceMembers === 'function' ? jointConferenceMembers() : jointConferenceMembers).includes(p.agency);
  }
  return false;
}

export function assertCanReadCase(p: Principal, f: CaseFile, jointConferenceMembers: ConferenceMembers = []): void {
  // 404 rather than 403: a caller not entitled to a case does not learn that it exists.
  if (!canReadCase(p, f, jointConferenceMembers)) throw new HttpException({ error: { code: 'CASE_NOT_FOUND', message: `no case ${f.caseId}` } }, 404);
}
