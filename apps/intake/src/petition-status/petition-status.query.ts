import type { Principal } from '@lianban/auth';

export class GetPetitionStatusQuery {
  constructor(readonly caseId: string, readonly caller: Principal) {}
}
