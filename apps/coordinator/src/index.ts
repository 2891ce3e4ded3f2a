export * from './coordinator.module';
export { AssignAgenciesCommand } from './assign-agencies/assign-agencies.handler';
export { ClassifyPetitionCommand } from './classify-petition/classify-petition.handler';
export { ReleaseCoHandlerCommand } from './release-co-handler/release-co-handler';
