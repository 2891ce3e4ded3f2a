import { Module } from '@nestjs/common';
import { AssignAgenciesController } from './assign-agencies/assign-agencies.controller';
import {
  CampaignsController, EnrollCasesHandler, GetCampaignHandler, LaunchCampaignHandler, ListCampaignsHandler,
} from './campaigns/campaigns';
import { CoordinationDirectory } from './coordination-directory';
import { LeaderCasesHandler, LeadersController, LeadersHandler } from './leaders/leaders';
import { TaskForceCaseLinks } from './task-forces/task-force-links';
import { TaskForcesController } from './task-forces/task-forces.controller';
import {
  ActOnTaskForceHandler, FormTaskForceHandler, GetTaskForceHandler, ListTaskForcesHandler,
} from './task-forces/task-forces.handlers';
import { AssignAgenciesHandler } from './assign-agencies/assign-agencies.handler';
import { CaseAnsweredProcessManager } from './case-answered/case-answered.process-manager';
import { CaseConcludedProcessManager } from './case-concluded/case-concluded.process-manager';
import { ClassifyPetitionController } from './classify-petition/classify-petition.controller';
import { ClassifyPetitionHandler } from './classify-petition/classify-petition.handler';
import { DeadlineWatch, WATCH_CLOCK } from './deadline-watch/deadline-watch';
import { DeadlineWatchDevController } from './deadline-watch/deadline-watch.dev-controller';
import { DecideDisputeController, DecideDisputeHandler } from './disputes/decide-dispute';
import { RaiseDisputeController, RaiseDisputeHandler } from './disputes/raise-dispute';
import { IssueSupervisionController, IssueSupervisionHandler } from './issue-supervision/issue-supervision';
import { ReleaseCoHandlerController, ReleaseCoHandlerHandler } from './release-co-handler/release-co-handler';

/**
 * The petition bureau (信访办): classification and routing out, assignment to several agencies,
 * disputes, supervision, the case answer and its conclusion, and the deadline watch; task
 * forces, campaigns and leaders' 包案.
 */
@Module({
  controllers: [
    ClassifyPetitionController, AssignAgenciesController, ReleaseCoHandlerController, IssueSupervisionController, RaiseDisputeController,
    DecideDisputeController, DeadlineWatchDevController, TaskForcesController, CampaignsController, LeadersController,
  ],
  providers: [
    ClassifyPetitionHandler, AssignAgenciesHandler, ReleaseCoHandlerHandler, IssueSupervisionHandler, RaiseDisputeHandler, DecideDisputeHandler,
    CaseAnsweredProcessManager, CaseConcludedProcessManager, DeadlineWatch,
    CoordinationDirectory, TaskForceCaseLinks, FormTaskForceHandler, ActOnTaskForceHandler, GetTaskForceHandler, ListTaskForcesHandler,
    LaunchCampaignHandler, EnrollCasesHandler, GetCampaignHandler, ListCampaignsHandler, LeaderCasesHandler, LeadersHandler,
    { provide: WATCH_CLOCK, useValue: () => new Date().toISOString() },
  ],
})
export class CoordinatorModule {}
