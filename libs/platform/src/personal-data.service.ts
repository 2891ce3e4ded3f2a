import { Inject, Injectable } from '@nestjs/common';
import { ERASED, type PersonalData, type PersonalDataVault } from '@lianban/auth';
import type { SealedPetitioner } from '@lianban/domain';
import { VAULT } from './tokens';

/** What a reader entitled to the petitioner's identity sees. */
export interface PetitionerView {
  petitionerId: string;
  anonymous: boolean;
  name: string;
  phone?: string;
  idNumber?: string;
  address?: string;
}

@Injectable()
export class PersonalDataService {
  constructor(@Inject(VAULT) private readonly vault: PersonalDataVault) {}

  seal(petitionerId: string, data: PersonalData): Promise<string> {
    return this.vault.seal(petitionerId, data);
  }

  /** the petitioner as an entitled reader sees them; erased keys show the erasure, never fail */
  async open(p: SealedPetitioner): Promise<PetitionerView> {
    const data = await this.vault.open(p.petitionerId, p.sealed);
    if (!data) return { petitionerId: p.petitionerId, anonymous: p.anonymous, name: ERASED };
    return { petitionerId: p.petitionerId, anonymous: p.anonymous, ...data };
  }
}
