import { HttpException } from '@nestjs/common';
import type { Principal } from '@lianban/auth';
import type { CaseFile } from '@lianban/domain';

const BUREAU_ROLES = ['clerk', 'coordinator', 'supervisor', 'analyst', 'admin'];

/**
 * Who may read a case: the petitioner their own; agency staff a case their agency holds a
 * task on; the bureau, supervisors and analysts any case of their region.
 */
export function canReadCase(p: Principal, f: CaseFile): boolean {
  if (p.role === 'petitioner') return p.cases?.includes(f.caseId) ?? false;
  if (p.role === 'caseworker' || p.role === 'agency-head') return f.tasks.some((t) => t.agencyId === p.agency);
  if (BUREAU_ROLES.includes(p.role)) return !p.region || p.region === f.region || f.tasks.some((t) => t.agencyId === p.agency);
  return false;
}

export function assertCanReadCase(p: Principal, f: CaseFile): void {
  // 404 rather than 403: a caller not entitled to a case does not learn that it exists.
  if (!canReadCase(p, f)) throw new HttpException({ error: { code: 'CASE_NOT_FOUND', message: `no case ${f.caseId}` } }, 404);
}
