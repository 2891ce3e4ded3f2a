import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Principal } from '@lianban/auth';
import { AcceptTaskCommand, AnswerSupervisionCommand, ExtendLimitCommand, IssueReplyCommand, RecordActionCommand } from '@lianban/agency';
import {
  ActOnTaskForceCommand, AssignAgenciesCommand, ClassifyPetitionCommand, EnrollCasesCommand, FormTaskForceCommand, IssueSupervisionCommand,
  LaunchCampaignCommand,
} from '@lianban/coordinator';
import { RateReplyCommand, RegisterPetitionCommand, type RegisterPetitionDto, type RegisterPetitionResult } from '@lianban/intake';
import { CaseReader } from '@lianban/platform';
import { demoStaff, waitUntilAnswered } from './demo-support';

/** The Idempotency-Keys of the demo: they fix the ids of its case, campaign and task force. */
export const HOUSING_KEY = 'demo-2020-housing-beibei';
export const CAMPAIGN_KEY = 'demo-2020-campaign-repeat-backlog';
export const HOUSING_TASK_FORCE_KEY = 'demo-2020-housing-task-force';

const beibeiClerk: Principal = demoStaff('clerk', '500109-xfb');
const cityClerk: Principal = demoStaff('clerk', '500000-xfb');
const beibeiBureau: Principal = demoStaff('coordinator', '500109-xfb');
const cityBureau: Principal = demoStaff('coordinator', '500000-xfb');
const zjw: Principal = demoStaff('caseworker', '500109-zjw');
const zjwHead: Principal = demoStaff('agency-head', '500109-zjw');

const at = (s: string) => new Date(s).toISOString();

/**
 * 袁大姐's flat in 北碚区. She bought it in 2017; from 2019 its walls cracked and the bathroom
 * leaked, and several rounds of negotiation with the developer came to nothing. In May 2020 she
 * petitions online; 北碚区住建委 handles it (交办) but mediation fails and she comes back — a visit
 * to the district bureau, a letter to the city — each linked to the open case (Art. 19). The
 * limit passes even after its extension; the bureau supervises (督办, Art. 40). In September
 * 2020 the case joins the nationwide campaign against repeat petitions and backlog, and a
 * deputy district head forms a task force and owns the case (包案): site inspections, a
 * dedicated meeting (专题会), milestones. The developer repairs and compensates; the reply
 * supports her claim, she rates it 满意, and the task force closes in January 2021.
 *
 * Run through the same command handlers as HTTP, at the historical times. Her name is sealed
 * like any petitioner's and appears in no event body (DESIGN 3.3): the records say 信访人.
 */
@Injectable()
export class HousingDemo {
  private readonly log = new Logger('demo');

  constructor(private readonly commands: CommandBus, private readonly reader: CaseReader) {}

  async load(): Promise<string> {
    const petitioner = { name: '袁某某', phone: '13883000088', address: '重庆市北碚区某小区3栋' };
    const subject = '某小区3栋商品房墙体开裂、卫生间渗水，开发商拒不维修';
    const first = {
      channel: 'online', regionCode: '500109', demandClass: 'claim', petitioner, subject,
      content: '本人2017年在北碚区某小区购买商品房一套。2019年起外墙和卧室墙体多处开裂，卫生间渗水。2019年3月至11月与开发商先后四次协商，'
        + '开发商只同意局部修补，不承认质量问题，协商未果。请求有关部门督促开发商彻底维修并赔偿损失。',
      occurredAt: '2019-03-15T00:00:00+08:00',
    } as RegisterPetitionDto;
    const { caseId } = await this.commands.execute<RegisterPetitionCommand, RegisterPetitionResult>(
      new RegisterPetitionCommand(first, at('2020-05-11T10:05:00+08:00'), undefined, HOUSING_KEY),
    );
    const run = (command: object) => this.commands.execute(command);

    await run(new ClassifyPetitionCommand(caseId, { demandClass: 'claim', category: '城乡建设/房屋质量', route: 'petition' }, at('2020-05-12T09:30:00+08:00'), beibeiBureau));
    await run(new AssignAgenciesCommand(caseId, { mode: 'assign', agencies: [{ agencyId: '500109-zjw', role: 'lead' }] }, at('2020-05-13T10:00:00+08:00'), beibeiBureau));
    await run(new AcceptTaskCommand(caseId, '500109-zjw', at('2020-05-14T09:00:00+08:00'), zjw));
    await run(new RecordActionCommand(caseId, '500109-zjw', { kind: 'site-visit', note: '到现场查看，外墙及卧室墙体多处裂缝、卫生间渗水属实；约谈开发商' }, at('2020-05-28T15:00:00+08:00'), zjw));
    await run(new RecordActionCommand(caseId, '500109-zjw', { kind: 'mediation', note: '组织信访人与开发商协商，开发商仍只同意局部修补，信访人不接受，协商未果' }, at('2020-06-10T14:00:00+08:00'), zjw));
    // she comes back while the matter is open: a visit to the district bureau, then a letter to the city (Art. 19)
    await run(new RegisterPetitionCommand(
      { ...first, channel: 'visit', content: '房屋质量问题反映多次仍未解决，开发商拒不维修。', occurredAt: undefined } as RegisterPetitionDto,
      at('2020-06-18T10:00:00+08:00'), beibeiClerk, `${HOUSING_KEY}-visit-2020-06-18`,
    ));
    await run(new ExtendLimitCommand(caseId, '500109-zjw', { days: 30, reason: '需委托第三方检测机构鉴定房屋质量' }, at('2020-07-06T16:00:00+08:00'), zjwHead));
    await run(new RegisterPetitionCommand(
      { ...first, channel: 'letter', regionCode: '500000', content: '向市信访办反映：北碚区某小区房屋质量问题久拖不决。', occurredAt: undefined } as RegisterPetitionDto,
      at('2020-07-20T09:00:00+08:00'), cityClerk, `${HOUSING_KEY}-letter-2020-07-20`,
    ));
    const campaign = await this.commands.execute<LaunchCampaignCommand, { campaignId: string }>(new LaunchCampaignCommand({
      name: '治理重复信访、化解信访积案专项工作', description: '自2020年8月起在全国开展，集中治理重复信访、化解信访积案（演示数据）。', from: '2020-08-01', to: '2021-06-30',
    }, at('2020-08-03T09:00:00+08:00'), cityBureau, CAMPAIGN_KEY));
    // the extended limit ended on 08-12 with no reply: 督办 (Art. 40)
    const supervision = await this.commands.execute<IssueSupervisionCommand, { supervisionId: string }>(new IssueSupervisionCommand(caseId, {
      agencyId: '500109-zjw', reason: '办理期限（含延期）已届满仍未答复，请加快办理并书面反馈',
    }, at('2020-08-14T09:00:00+08:00'), beibeiBureau));
    await run(new AnswerSupervisionCommand(caseId, supervision.supervisionId, '已委托第三方检测，报告预计9月底出具，将会同开发商制定维修方案', at('2020-08-25T15:00:00+08:00'), zjw));
    await run(new EnrollCasesCommand(campaign.campaignId, [caseId], at('2020-09-01T09:00:00+08:00'), beibeiBureau));

    const { taskForceId } = await this.commands.execute<FormTaskForceCommand, { taskForceId: string }>(new FormTaskForceCommand({
      name: '某小区3栋房屋质量问题化解工作专班', purpose: '查清房屋质量问题，督促开发商维修赔偿，化解信访积案',
      leader: { name: '刘某', title: '北碚区副区长', divisionCode: '500109' }, caseIds: [caseId], agencyIds: ['500109-zjw', '500109-xfb', '500000-zjw'],
    }, at('2020-09-04T10:00:00+08:00'), beibeiBureau, HOUSING_TASK_FORCE_KEY));
    const act = (action: ConstructorParameters<typeof ActOnTaskForceCommand>[1], when: string) =>
      this.commands.execute<ActOnTaskForceCommand, { milestoneId?: string }>(new ActOnTaskForceCommand(taskForceId, action, at(when), beibeiBureau));
    const testing = (await act({ kind: 'SetMilestone', title: '委托第三方机构完成房屋质量检测', dueDate: '2020-10-15' }, '2020-09-04T11:00:00+08:00')).milestoneId!;
    const plan = (await act({ kind: 'SetMilestone', title: '制定维修加固和补偿方案并经信访人确认', dueDate: '2020-11-15' }, '2020-09-04T11:00:00+08:00')).milestoneId!;
    const repair = (await act({ kind: 'SetMilestone', title: '完成维修并回访信访人', dueDate: '2020-12-20' }, '2020-09-04T11:00:00+08:00')).milestoneId!;
    const leader = { name: '刘某', title: '北碚区副区长' };
    await act({
      kind: 'RecordGathering', gathering: 'site-visit', body: {
        heldAt: '2020-09-10T09:30:00+08:00', place: '北碚区某小区3栋', topic: '现场查看墙体裂缝和卫生间渗水',
        attendees: [leader, { name: '张某', title: '科长', agencyId: '500109-zjw' }, { name: '李某', agencyId: '500109-xfb' }, { name: '开发商项目负责人' }, { name: '信访人' }],
        conclusions: ['墙体裂缝、卫生间渗水情况属实', '委托第三方检测机构对房屋质量进行鉴定'],
      },
    }, '2020-09-10T17:00:00+08:00');
    await act({ kind: 'CompleteMilestone', milestoneId: testing, note: '第三方检测报告出具：墙体裂缝系施工质量问题，开发商应承担维修责任' }, '2020-10-12T16:00:00+08:00');
    await act({
      kind: 'RecordGathering', gathering: 'meeting', body: {
        heldAt: '2020-10-20T14:30:00+08:00', place: '北碚区住建委会议室', topic: '研究房屋维修加固和补偿方案',
        attendees: [leader, { name: '张某', agencyId: '500109-zjw' }, { name: '李某', agencyId: '500109-xfb' }, { name: '王某', title: '技术指导', agencyId: '500000-zjw' }, { name: '开发商项目负责人' }],
        conclusions: ['开发商按检测报告承担维修加固责任，12月20日前完工', '对信访人装修损失给予补偿', '区住建委全程监督维修质量，区信访办负责与信访人沟通'],
      },
    }, '2020-10-20T18:00:00+08:00');
    await act({ kind: 'CompleteMilestone', milestoneId: plan, note: '维修加固和补偿方案经信访人同意并签字确认' }, '2020-11-10T10:00:00+08:00');
    await act({
      kind: 'RecordGathering', gathering: 'site-visit', body: {
        heldAt: '2020-11-25T10:00:00+08:00', place: '北碚区某小区3栋', topic: '查看维修进展',
        attendees: [leader, { name: '张某', agencyId: '500109-zjw' }, { name: '信访人' }], conclusions: ['外墙加固完成，卫生间防水重做中，进度符合方案'],
      },
    }, '2020-11-25T16:00:00+08:00');
    await act({ kind: 'CompleteMilestone', milestoneId: repair, note: '维修完工，经回访信访人认可' }, '2020-12-15T10:00:00+08:00');

    await run(new IssueReplyCommand(caseId, {
      outcome: 'support', text: '经第三方检测，房屋墙体裂缝系施工质量问题。在区工作专班协调下，开发商已完成维修加固并补偿装修损失，信访人诉求予以支持并已解决。',
      completionReport: '交办的某小区3栋房屋质量信访事项已办结：开发商已完成维修并补偿，经回访信访人认可。',
    }, at('2020-12-16T10:00:00+08:00'), zjw));
    await waitUntilAnswered(this.reader, caseId);
    await run(new RateReplyCommand(caseId, { rating: 'satisfied', comment: '房子修好了，感谢专班' }, at('2020-12-18T09:00:00+08:00'), { sub: 'demo-petitioner-housing', role: 'petitioner', cases: [caseId] }));
    await act({ kind: 'CloseTaskForce', outcome: 'resolved', summary: '房屋维修完成、补偿到位，信访人评价满意，息诉罢访' }, '2021-01-08T10:00:00+08:00');
    this.log.log(`demo case loaded: housing quality (房屋质量, 工作专班), case ${caseId}`);
    return caseId;
  }
}
