import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Principal } from '@lianban/auth';
import { caseDecider } from '@lianban/domain';
import { assertCanReadCase, CaseCommandRunner, CaseReader } from '@lianban/platform';
import type { ClassifyPetitionDto } from './classify-petition.dto';

export class ClassifyPetitionCommand {
  constructor(readonly caseId: string, readonly body: ClassifyPetitionDto, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(ClassifyPetitionCommand)
export class ClassifyPetitionHandler implements ICommandHandler<ClassifyPetitionCommand> {
  constructor(private readonly runner: CaseCommandRunner, private readonly reader: CaseReader) {}

  async execute({ caseId, body, at, caller }: ClassifyPetitionCommand) {
    assertCanReadCase(caller, (await this.reader.fileOr404(caseId)).file);
    await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: caseDecider, actor: { id: caller.sub, role: caller.role }, agencyId: caller.agency,
      causationId: `request:${randomUUID()}`, command: { kind: 'ClassifyPetition', at, ...body },
    });
    return { caseId, ...body };
  }
}
