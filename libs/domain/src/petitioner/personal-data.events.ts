import type { DomainEvent } from '../shared/events';

/**
 * Events about the petitioner's personal data, in the case stream `case-<caseId>` of the case the
 * petitioner registered (a petitioner id belongs to one registration).
 */
export const PersonalDataEventTypes = {
  /**
   * An administrator erased the petitioner's personal data (个人信息保护法 Art. 47): the
   * petitioner's key was destroyed (crypto-shredding), so the sealed identity in the registration
   * can never be opened again. The actor is the administrator; `reason` says why.
   */
  PersonalDataErased: 'lianban.petitioner.personal-data-erased.v1',
} as const;

export type PersonalDataErased = DomainEvent<typeof PersonalDataEventTypes.PersonalDataErased, {
  petitionerId: string;
  /** why, as the administrator wrote it (kept in the store; removed from every topic) */
  reason: string;
}>;

export type PersonalDataEvent = PersonalDataErased;
