import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Principal } from '@lianban/auth';
import { caseDecider, refuse } from '@lianban/domain';
import { assertCanReadCase, badRequest, CaseCommandRunner, CaseReader } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import type { AssignAgenciesDto } from './assign-agencies.dto';

export class AssignAgenciesCommand {
  constructor(readonly caseId: string, readonly body: AssignAgenciesDto, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(AssignAgenciesCommand)
export class AssignAgenciesHandler implements ICommandHandler<AssignAgenciesCommand> {
  constructor(private readonly runner: CaseCommandRunner, private readonly reader: CaseReader, private readonly registry: Registry) {}

  async execute({ caseId, body, at, caller }: AssignAgenciesCommand) {
    assertCanReadCase(caller, (await this.reader.fileOr404(caseId)).file);
    for (const a of body.agencies) {
      if (!this.registry.agency(a.agencyId)) throw badRequest('UNKNOWN_AGENCY', `${a.agencyId} is not an agency in the registry`);
      if (!this.registry.isActive(a.agencyId, at)) {
        const successor = this.registry.successorAt(a.agencyId, at);
        refuse('AGENCY_NOT_ACTIVE', `${a.agencyId} does not exist at ${at}${successor && successor !== a.agencyId ? `; its successor is ${successor}` : ''}`, 'Art. 24');
      }
    }
    const [event] = await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: caseDecider, actor: { id: caller.sub, role: caller.role }, agencyId: caller.agency,
      causationId: `request:${randomUUID()}`, command: { kind: 'AssignAgencies', at, mode: body.mode, agencies: body.agencies },
    });
    return { caseId, ...(event.data as object) };
  }
}
