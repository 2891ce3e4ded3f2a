import { AGENCY_ROLES, type Principal, type RoutePolicy } from '@lianban/auth';
import type { CaseFile } from '@lianban/domain';
import { canReadCase, type ConferenceMembers } from '../access';

export type Decision = { allow: true } | { allow: false; status: 400 | 401 | 403 | 404; code: string; message: string };

const ALLOW: Decision = { allow: true };
const deny = (status: 400 | 401 | 403 | 404, code: string, message: string): Decision => ({ allow: false, status, code, message });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The first step, before anything is read: is there a caller, and does the route serve its role? */
export function authorizeCaller(policy: RoutePolicy, p: Principal | undefined): Decision {
  if (policy.access === 'public') return ALLOW;
  if (!p) return policy.access === 'optional' ? ALLOW : deny(401, 'UNAUTHENTICATED', 'send Authorization: Bearer <token>');
  if (AGENCY_ROLES.includes(p.role) && !p.agency) return deny(403, 'AGENCY_CLAIM_MISSING', `a ${p.role} token must name its agency`);
  if (!policy.roles.includes(p.role)) return deny(403, 'ROLE_NOT_ALLOWED', `this action is for ${policy.roles.join(', ')}; the token's role is ${p.role}`);
  return ALLOW;
}

/** The parameters a scope reads must be well-formed before anything is looked up. */
export function scopeParameters(policy: RoutePolicy): string[] {
  switch (policy.scope) {
    case 'case':
    case 'task':
      return ['caseId'];
    case 'appeal-reviewer':
      return ['caseId', 'appealId'];
    case 'supervised-agency':
      return ['caseId', 'supervisionId'];
    case 'dispute-decider':
      return ['caseId', 'disputeId'];
    default:
      return [];
  }
}

export function checkParameters(policy: RoutePolicy, params: Record<string, string | undefined>): Decision {
  for (const name of scopeParameters(policy)) {
    if (!UUID.test(params[name] ?? '')) return deny(400, 'VALIDATION_FAILED', `${name} must be a UUID`);
  }
  return ALLOW;
}

export interface ScopeFacts {
  params: Record<string, string | undefined>;
  query: Record<string, unknown>;
  /** the case {caseId} names, as it stands now; null when there is none */
  file?: CaseFile | null;
  jointConferenceMembers?: ConferenceMembers;
  /** whether the caller acts for this dispute decider (its own bureau, or a joint-conference member) */
  actsFor?: (deciderId: string) => boolean;
}

const notFound = (caseId: string | undefined) => deny(404, 'CASE_NOT_FOUND', `no case ${caseId ?? ''}`);

/**
 * The second step, with what the scope needs read from the store. A caller not entitled to a
 * case gets 404, as for a case that does not exist, so it cannot probe which cases exist; once a
 * caller may see the case, acting for the wrong agency is a 403 that says whose turn it is.
 */
export function authorizeScope(policy: RoutePolicy, p: Principal | undefined, facts: ScopeFacts): Decision {
  if (policy.access === 'public' || !p) return ALLOW;
  const { params } = facts;
  const readable = () => !!facts.file && canReadCase(p, facts.file, facts.jointConferenceMembers ?? []);
  switch (policy.scope) {
    case 'none':
      return ALLOW;
    case 'own-agency':
      return p.agency ? ALLOW : deny(403, 'AGENCY_CLAIM_MISSING', 'this route serves the token\'s own agency: the token names none');
    case 'region': {
      const asked = facts.query.region;
      if (p.region && typeof asked === 'string' && asked !== '' && asked !== p.region) {
        return deny(403, 'REGION_NOT_ALLOWED', `this token acts in region ${p.region}; it cannot read the statistics of ${asked}`);
      }
      return ALLOW;
    }
    case 'case':
      return readable() ? ALLOW : notFound(params.caseId);
    case 'task':
      if (params.agencyId !== p.agency) {
        return deny(403, 'NOT_YOUR_AGENCY', `this task belongs to ${params.agencyId}; the token acts for ${p.agency ?? 'no agency'}`);
      }
      return readable() ? ALLOW : notFound(params.caseId);
    case 'appeal-reviewer': {
      if (!facts.file) return notFound(params.caseId);
      const appeal = facts.file.appeals.find((a) => a.appealId === params.appealId);
      if (!appeal) return deny(404, 'APPEAL_NOT_FOUND', `no appeal ${params.appealId} on case ${params.caseId}`);
      if (p.agency !== appeal.reviewerAgencyId) {
        return deny(403, 'NOT_THE_REVIEWER', `appeal ${params.appealId} is decided by ${appeal.reviewerAgencyId}; the token acts for ${p.agency ?? 'no agency'}`);
      }
      return ALLOW;
    }
    case 'supervised-agency': {
      if (!facts.file) return notFound(params.caseId);
      const s = facts.file.supervisions.find((x) => x.supervisionId === params.supervisionId);
      if (!s) return deny(404, 'SUPERVISION_NOT_FOUND', `no supervision ${params.supervisionId} on case ${params.caseId}`);
      if (p.agency !== s.agencyId) return deny(403, 'NOT_YOUR_AGENCY', `supervision ${params.supervisionId} is addressed to ${s.agencyId}; the token acts for ${p.agency ?? 'no agency'}`);
      return ALLOW;
    }
    case 'dispute-decider': {
      if (!readable()) return notFound(params.caseId);
      const d = facts.file!.disputes.find((x) => x.disputeId === params.disputeId);
      if (!d) return deny(404, 'DISPUTE_NOT_FOUND', `no dispute ${params.disputeId} on case ${params.caseId}`);
      if (!facts.actsFor?.(d.deciderId)) {
        return deny(403, 'NOT_THE_DECIDER', `dispute ${params.disputeId} is decided by ${d.deciderId}; the token acts for ${p.agency ?? 'no agency'}`);
      }
      return ALLOW;
    }
  }
}
