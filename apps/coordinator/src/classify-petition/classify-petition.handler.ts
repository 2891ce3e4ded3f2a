import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Principal } from '@lianban/auth';
import { caseDecider, CaseEventTypes, type Route } from '@lianban/domain';
import { assertCanReadCase, CaseCommandRunner, CaseReader } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import type { ClassifyPetitionDto } from './classify-petition.dto';

export class ClassifyPetitionCommand {
  constructor(readonly caseId: string, readonly body: ClassifyPetitionDto, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(ClassifyPetitionCommand)
export class ClassifyPetitionHandler implements ICommandHandler<ClassifyPetitionCommand> {
  constructor(private readonly runner: CaseCommandRunner, private readonly reader: CaseReader, private readonly registry: Registry) {}

  async execute({ caseId, body, at, caller }: ClassifyPetitionCommand) {
    const { file } = await this.reader.fileOr404(caseId);
    assertCanReadCase(caller, file);
    const routedToAgencyId = this.receivingAgency(body.route, file.regionCode, at);
    const events = await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: caseDecider, actor: { id: caller.sub, role: caller.role }, agencyId: caller.agency,
      causationId: `request:${randomUUID()}`,
      command: { kind: 'ClassifyPetition', at, demandClass: body.demandClass, category: body.category, route: body.route, guidance: body.guidance ?? null, routedToAgencyId },
    });
    const routedOut = events.find((e) => e.type === CaseEventTypes.RoutedOut);
    return { caseId, demandClass: body.demandClass, category: body.category, route: body.route, ...(routedOut ? { routedOut: routedOut.data } : {}) };
  }

  /**
   * 涉法涉诉 matters go to the 政法委 of the case's level (Art. 28), 纪检监察 matters to its
   * 纪委监委 — the division's own, else the nearest above. The other statutory routes have no
   * receiving body in the registry: the petitioner's guidance says where to go.
   */
  private receivingAgency(route: Route, regionCode: string, at: string): string | null {
    if (route === 'litigation') return this.registry.politicsLawAgencyFor(regionCode, at)?.id ?? null;
    if (route === 'discipline') return this.registry.disciplineAgencyFor(regionCode, at)?.id ?? null;
    return null;
  }
}
