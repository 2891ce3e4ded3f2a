import type { Principal } from '@lianban/auth';
import type { ReceptionRecord } from '@lianban/domain';
import type { RegisterPetitionDto } from './register-petition.dto';

export class RegisterPetitionCommand {
  constructor(
    readonly body: RegisterPetitionDto,
    readonly at: string,
    readonly caller: Principal | undefined,
    readonly idempotencyKey: string | undefined,
    /** a visit received at a leader reception (领导接访): the session and the leader who received it */
    readonly reception?: ReceptionRecord,
  ) {}
}

export interface RegisterPetitionResult {
  caseId: string;
  caseNumber: string;
  status: string;
  petitionerToken: string;
  /** true when an earlier identical request (same Idempotency-Key) already registered it */
  replayed: boolean;
}

/**
 * The same petitioner raised the same matter while its case is open (Art. 19): linked to that
 * case, not opened anew. No petitioner token: matching an ID number or phone is not proof enough
 * to hand someone the case.
 */
export interface RepeatPetitionResult {
  caseId: string;
  caseNumber: string;
  repeat: true;
}
