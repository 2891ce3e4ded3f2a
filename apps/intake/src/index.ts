export * from './intake.module';
export { RateReplyCommand } from './rate-reply/rate-reply.handler';
export { RegisterPetitionCommand, type RegisterPetitionResult, type RepeatPetitionResult } from './register-petition/register-petition.command';
export type { RegisterPetitionDto } from './register-petition/register-petition.dto';
export { RequestAppealCommand } from './request-appeal/request-appeal';
