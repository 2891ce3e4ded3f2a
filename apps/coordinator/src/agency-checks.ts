import { refuse } from '@lianban/domain';
import { badRequest } from '@lianban/platform';
import { Registry } from '@lianban/registry';

/**
 * An agency named in a request must exist (else 400: the client sent a wrong id) and be in force
 * at the command's time (else 409: a rule — the agency was abolished, its successor is named).
 */
export function requireActiveAgency(registry: Registry, agencyId: string, at: string, field = 'agencyId'): void {
  if (!registry.agency(agencyId)) throw badRequest('UNKNOWN_AGENCY', `${field}: ${agencyId} is not an agency in the registry`, [{ field, problems: ['unknown agency'] }]);
  if (!registry.isActive(agencyId, at)) {
    const successor = registry.successorAt(agencyId, at);
    refuse(
      'AGENCY_NOT_ACTIVE',
      `${agencyId} does not exist at ${at}${successor && successor !== agencyId ? `; its successor is ${successor}` : ''}`,
      'Art. 24',
      successor ? { successorId: successor } : undefined,
    );
  }
}
