import { Module } from '@nestjs/common';
import { PetitionStatusController } from './petition-status/petition-status.controller';
import { ReceptionsController } from './receptions/receptions';
import { GetPetitionStatusHandler } from './petition-status/petition-status.handler';
import { RateReplyController } from './rate-reply/rate-reply.controller';
import { RateReplyHandler } from './rate-reply/rate-reply.handler';
import { RequestAppealController, RequestAppealHandler } from './request-appeal/request-appeal';
import { CaseNumberAllocator } from './register-petition/case-number';
import { PetitionerIndex } from './register-petition/petitioner-index';
import { RegisterPetitionController } from './register-petition/register-petition.controller';
import { RegisterPetitionHandler } from './register-petition/register-petition.handler';

/**
 * 登记 and the petitioner-facing surface: registration from every channel (repeats linked,
 * concluded matters refused), status with every limit, rating, 复查 / 复核 requests, and the
 * leader reception days (领导接访) with the visits received at them.
 */
@Module({
  controllers: [RegisterPetitionController, PetitionStatusController, RateReplyController, RequestAppealController, ReceptionsController],
  providers: [CaseNumberAllocator, PetitionerIndex, RegisterPetitionHandler, GetPetitionStatusHandler, RateReplyHandler, RequestAppealHandler],
})
export class IntakeModule {}
