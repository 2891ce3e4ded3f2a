export * from './coordinator.module';
export { AssignAgenciesCommand } from './assign-agencies/assign-agencies.handler';
export { ClassifyPetitionCommand } from './classify-petition/classify-petition.handler';
export { ReleaseCoHandlerCommand } from './release-co-handler/release-co-handler';
export { DecideDisputeCommand } from './disputes/decide-dispute';
export { RaiseDisputeCommand } from './disputes/raise-dispute';
export { IssueSupervisionCommand } from './issue-supervision/issue-supervision';
export { DeadlineWatch, WATCH_CLOCK, type WatchClock, type WatchReport } from './deadline-watch/deadline-watch';
