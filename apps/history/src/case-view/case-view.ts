import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '@lianban/auth';
import { limitsOf, type CaseFile } from '@lianban/domain';
import { assertCanReadCase, CaseReader, Now, PersonalDataService, type PetitionerFor } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { AsOfDto } from '../as-of.dto';
import { parseMoment } from '../moment';

export type CaseView = Omit<CaseFile, 'petitioner' | 'tasks'> & {
  asOf: string | null;
  /** the name of the case's division (regionCode) as it was called then */
  regionName: string;
  petitioner: PetitionerFor;
  tasks: (CaseFile['tasks'][number] & { agencyName: string })[];
  limits: ReturnType<typeof limitsOf>;
};

export class GetCaseQuery {
  constructor(readonly caseId: string, readonly asOf: string | undefined, readonly caller: Principal, readonly now: string = new Date().toISOString()) {}
}

@QueryHandler(GetCaseQuery)
export class GetCaseHandler implements IQueryHandler<GetCaseQuery, CaseView> {
  constructor(private readonly reader: CaseReader, private readonly registry: Registry, private readonly personal: PersonalDataService) {}

  async execute({ caseId, asOf, caller, now }: GetCaseQuery): Promise<CaseView> {
    const { file } = await this.reader.fileOr404(caseId, asOf);
    assertCanReadCase(caller, file);
    // a view of the case at a moment names the agencies as they were called at that moment
    const nameAt = (id: string) => this.registry.agency(id, asOf ?? now)?.name ?? id;
    return {
      ...file,
      asOf: asOf ?? null,
      regionName: this.registry.division(file.regionCode, asOf ?? now)?.name ?? file.regionCode,
      // analysts a pseudonym, agency staff nothing of an accuser (Art. 30); a read of the person is audited
      petitioner: await this.personal.petitionerFor(caller, file, 'GET /v1/cases/{caseId}'),
      tasks: file.tasks.map((t) => ({ ...t, agencyName: nameAt(t.agencyId) })),
      limits: limitsOf(file),
    };
  }
}

@ApiTags('history')
@ApiBearerAuth()
@Controller('v1/cases')
export class CaseViewController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':caseId')
  @ApiOperation({ summary: 'the case as it stands, or as it stood at a moment (asOf)' })
  get(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Query() q: AsOfDto, @Caller() caller: Principal, @Now() now: string): Promise<CaseView> {
    return this.queries.execute(new GetCaseQuery(caseId, q.asOf ? parseMoment(q.asOf)! : undefined, caller, now));
  }
}
