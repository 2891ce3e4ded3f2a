import type { Principal } from '@lianban/auth';
import type { RegisterPetitionDto } from './register-petition.dto';

export class RegisterPetitionCommand {
  constructor(
    readonly body: RegisterPetitionDto,
    readonly at: string,
    readonly caller: Principal | undefined,
    readonly idempotencyKey: string | undefined,
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
