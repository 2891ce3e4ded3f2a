import { CaseEventTypes } from '../case/case.events';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/errors';
import type { Recorded } from '../shared/events';
import { PersonalDataEventTypes, type PersonalDataErased } from './personal-data.events';

export interface ErasePersonalData {
  kind: 'ErasePersonalData';
  at: string;
  petitionerId: string;
  reason: string;
}

export interface PersonalDataState {
  registeredPetitioner: string | null;
  erased: boolean;
}

/**
 * Erasure is decided on the case stream of the registration that created the petitioner id:
 * once, for the petitioner that case names.
 */
export const personalDataDecider: Decider<ErasePersonalData, PersonalDataState, PersonalDataErased> = {
  initialState: () => ({ registeredPetitioner: null, erased: false }),
  evolve(s: PersonalDataState, e: Recorded): PersonalDataState {
    if (e.type === CaseEventTypes.PetitionRegistered) {
      return { ...s, registeredPetitioner: (e.data as { petitioner: { petitionerId: string } }).petitioner.petitionerId };
    }
    if (e.type === PersonalDataEventTypes.PersonalDataErased) return { ...s, erased: true };
    return s;
  },
  decide(c: ErasePersonalData, s: PersonalDataState): PersonalDataErased[] {
    if (s.registeredPetitioner !== c.petitionerId) refuse('PETITIONER_NOT_FOUND', `no case registered petitioner ${c.petitionerId}`);
    if (s.erased) refuse('PERSONAL_DATA_ALREADY_ERASED', `the personal data of petitioner ${c.petitionerId} was already erased`, '个人信息保护法 Art. 47');
    return [{ type: PersonalDataEventTypes.PersonalDataErased, data: { petitionerId: c.petitionerId, reason: c.reason } }];
  },
};
