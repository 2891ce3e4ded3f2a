import { Module } from '@nestjs/common';
import { PetitionStatusController } from './petition-status/petition-status.controller';
import { GetPetitionStatusHandler } from './petition-status/petition-status.handler';
import { RateReplyController } from './rate-reply/rate-reply.controller';
import { RateReplyHandler } from './rate-reply/rate-reply.handler';
import { CaseNumberAllocator } from './register-petition/case-number';
import { RegisterPetitionController } from './register-petition/register-petition.controller';
import { RegisterPetitionHandler } from './register-petition/register-petition.handler';

/** 登记 and the petitioner-facing surface: registration from every channel, status, rating. */
@Module({
  controllers: [RegisterPetitionController, PetitionStatusController, RateReplyController],
  providers: [CaseNumberAllocator, RegisterPetitionHandler, GetPetitionStatusHandler, RateReplyHandler],
})
export class IntakeModule {}
