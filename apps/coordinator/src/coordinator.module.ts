import { Module } from '@nestjs/common';
import { AssignAgenciesController } from './assign-agencies/assign-agencies.controller';
import { AssignAgenciesHandler } from './assign-agencies/assign-agencies.handler';
import { CaseAnsweredProcessManager } from './case-answered/case-answered.process-manager';
import { ClassifyPetitionController } from './classify-petition/classify-petition.controller';
import { ClassifyPetitionHandler } from './classify-petition/classify-petition.handler';
import { ReleaseCoHandlerController, ReleaseCoHandlerHandler } from './release-co-handler/release-co-handler';

/** The petition bureau (信访办): classification, assignment to several agencies, the case answer. */
@Module({
  controllers: [ClassifyPetitionController, AssignAgenciesController, ReleaseCoHandlerController],
  providers: [ClassifyPetitionHandler, AssignAgenciesHandler, ReleaseCoHandlerHandler, CaseAnsweredProcessManager],
})
export class CoordinatorModule {}
