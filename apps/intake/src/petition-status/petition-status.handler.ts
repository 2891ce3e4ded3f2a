import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CHANNEL_NAMES, limitsOf, OUTCOME_NAMES, type CaseFile, type CaseStep } from '@lianban/domain';
import { assertCanReadCase, CaseReader, PersonalDataService, type PetitionerView } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { GetPetitionStatusQuery } from './petition-status.query';

const STEP_NAMES: Record<CaseStep, string> = {
  registered: '已登记，待分类转办', classified: '已分类，待交办', 'routed-out': '已导入法定途径', assigned: '已交办，待受理',
  handling: '办理中', answered: '已答复，请评价', rated: '已评价',
};

export interface PetitionStatusView {
  caseId: string;
  caseNumber: string;
  step: CaseStep;
  stepName: string;
  channel: string;
  subject: string;
  registeredAt: string;
  petitioner: PetitionerView | null;
  agencies: { agencyId: string; name: string; role: string; status: string; acknowledgedAt: string | null }[];
  limits: ReturnType<typeof limitsOf>;
  answer: (CaseFile['answer'] & { outcomeName: string }) | null;
  rating: CaseFile['rating'];
  canRate: boolean;
}

/** The petitioner's view of their case: where it stands, who handles it, every limit and its due date. */
@QueryHandler(GetPetitionStatusQuery)
export class GetPetitionStatusHandler implements IQueryHandler<GetPetitionStatusQuery, PetitionStatusView> {
  constructor(private readonly reader: CaseReader, private readonly registry: Registry, private readonly personal: PersonalDataService) {}

  async execute({ caseId, caller }: GetPetitionStatusQuery): Promise<PetitionStatusView> {
    const { file } = await this.reader.fileOr404(caseId);
    assertCanReadCase(caller, file);
    const ownCase = caller.role === 'petitioner';
    return {
      caseId: file.caseId,
      caseNumber: file.caseNumber,
      step: file.step,
      stepName: STEP_NAMES[file.step],
      channel: CHANNEL_NAMES[file.channel],
      subject: file.subject,
      registeredAt: file.registeredAt,
      petitioner: ownCase ? await this.personal.open(file.petitioner) : null,
      agencies: file.tasks.map((t) => ({
        agencyId: t.agencyId,
        name: this.registry.agency(t.agencyId, t.assignedAt)?.name ?? t.agencyId,
        role: t.role === 'lead' ? '主办' : '协办',
        status: t.status,
        acknowledgedAt: t.acceptedAt,
      })),
      limits: limitsOf(file),
      answer: file.answer ? { ...file.answer, outcomeName: OUTCOME_NAMES[file.answer.outcome] } : null,
      rating: file.rating,
      canRate: file.step === 'answered',
    };
  }
}
