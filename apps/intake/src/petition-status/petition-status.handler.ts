import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  APPEAL_KIND_NAMES, APPEAL_OUTCOME_NAMES, CHANNEL_NAMES, LIMIT_NAMES, limitsOf, OUTCOME_NAMES, ROUTE_NAMES, type AppealView, type CaseFile,
  type CaseStep, type Limit,
} from '@lianban/domain';
import { assertCanReadCase, CaseReader, PersonalDataService, type PetitionerFor } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { GetPetitionStatusQuery } from './petition-status.query';

const STEP_NAMES: Record<CaseStep, string> = {
  registered: '已登记，待分类转办', classified: '已分类，待交办', 'routed-out': '已导入法定途径，请按告知办理', assigned: '已交办，待受理',
  handling: '办理中', returned: '承办单位已退回，待重新交办', disputed: '管辖有争议，待上级决定', answered: '已答复，请评价',
  rated: '已评价', review: '复查中', reviewed: '已复查', 're-review': '复核中', concluded: '已终结',
};

export interface PetitionStatusView {
  caseId: string;
  caseNumber: string;
  step: CaseStep;
  stepName: string;
  channel: string;
  subject: string;
  registeredAt: string;
  petitioner: PetitionerFor | null;
  agencies: { agencyId: string; name: string; role: string; status: string; acknowledgedAt: string | null }[];
  /** 诉访分离: where to take the matter instead (Art. 28, 31) */
  routedOut: { route: string; routeName: string; guidance: string; agencyId: string | null; agencyName: string | null; at: string } | null;
  /** every limit that applies, with its due date and whether it was met */
  limits: (Limit & { name: string; agencyName: string | null })[];
  /** what the petitioner is told along the way, e.g. why the handling limit was extended (Art. 34) */
  notices: { at: string; kind: 'extension'; agencyId: string; text: string }[];
  answer: (CaseFile['answer'] & { outcomeName: string }) | null;
  rating: CaseFile['rating'];
  canRate: boolean;
  appeals: (AppealView & { kindName: string; reviewerName: string; outcomeName: string | null })[];
  /** the next appeal the petitioner may ask for, and until when; null when none */
  canAppeal: { kind: 'review' | 're-review'; until: string } | null;
  concluded: CaseFile['concluded'];
}

/** The petitioner's view of their case: where it stands, who handles it, every limit and its due date. */
@QueryHandler(GetPetitionStatusQuery)
export class GetPetitionStatusHandler implements IQueryHandler<GetPetitionStatusQuery, PetitionStatusView> {
  constructor(private readonly reader: CaseReader, private readonly registry: Registry, private readonly personal: PersonalDataService) {}

  async execute({ caseId, caller }: GetPetitionStatusQuery): Promise<PetitionStatusView> {
    const { file } = await this.reader.fileOr404(caseId);
    assertCanReadCase(caller, file);
    const ownCase = caller.role === 'petitioner';
    // names as they were when the agency took its part: a 2021 case names 渝北区 agencies
    const nameAt = (id: string, at: string) => this.registry.agency(id, at)?.name ?? id;
    const limits = limitsOf(file);
    const reviewWindow = limits.find((l) => l.kind === 'review-request' && !l.metAt);
    const reReviewWindow = limits.find((l) => l.kind === 're-review-request' && !l.metAt);
    const window = file.concluded ? null : reReviewWindow ?? reviewWindow;
    return {
      caseId: file.caseId,
      caseNumber: file.caseNumber,
      step: file.step,
      stepName: STEP_NAMES[file.step],
      channel: CHANNEL_NAMES[file.channel],
      subject: file.subject,
      registeredAt: file.registeredAt,
      petitioner: ownCase ? await this.personal.petitionerFor(caller, file, 'GET /v1/petitions/{caseId}') : null,
      agencies: file.tasks.map((t) => ({
        agencyId: t.agencyId,
        name: nameAt(t.agencyId, t.assignedAt),
        role: t.role === 'lead' ? '主办' : '协办',
        status: t.status,
        acknowledgedAt: t.acceptedAt,
      })),
      routedOut: file.routedOut ? {
        route: file.routedOut.route, routeName: ROUTE_NAMES[file.routedOut.route], guidance: file.routedOut.guidance,
        agencyId: file.routedOut.agencyId, agencyName: file.routedOut.agencyId ? nameAt(file.routedOut.agencyId, file.routedOut.at) : null,
        at: file.routedOut.at,
      } : null,
      limits: limits.map((l) => ({ ...l, name: LIMIT_NAMES[l.kind], agencyName: l.agencyId ? nameAt(l.agencyId, l.startedAt) : null })),
      notices: file.tasks.filter((t) => t.extension).map((t) => ({ at: t.extension!.at, kind: 'extension' as const, agencyId: t.agencyId, text: t.extension!.petitionerNotice })),
      answer: file.answer ? { ...file.answer, outcomeName: OUTCOME_NAMES[file.answer.outcome] } : null,
      rating: file.rating,
      canRate: !!file.answer && !file.rating && !file.concluded,
      appeals: file.appeals.map((a) => ({
        ...a, kindName: APPEAL_KIND_NAMES[a.kind], reviewerName: nameAt(a.reviewerAgencyId, a.requestedAt),
        outcomeName: a.decision ? APPEAL_OUTCOME_NAMES[a.decision.outcome] : null,
      })),
      canAppeal: window ? { kind: window.kind === 'review-request' ? 'review' : 're-review', until: window.dueAt } : null,
      concluded: file.concluded,
    };
  }
}
