import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Principal } from '@lianban/auth';
import { AcceptTaskCommand, IssueReplyCommand, RecordActionCommand, SubmitOpinionCommand } from '@lianban/agency';
import { AssignAgenciesCommand, ClassifyPetitionCommand } from '@lianban/coordinator';
import { RateReplyCommand, RegisterPetitionCommand, type RegisterPetitionDto, type RegisterPetitionResult } from '@lianban/intake';
import { CaseReader } from '@lianban/platform';
import { demoStaff, waitUntilAnswered } from './demo-support';

/** The Idempotency-Key of the demo registration: it fixes the demo case's id. */
export const WAGE_ARREARS_KEY = 'demo-2021-wage-arrears-yubei';

const clerk: Principal = demoStaff('clerk', '500112-xfb');
const coordinator: Principal = demoStaff('coordinator', '500112-xfb');
const rsj: Principal = demoStaff('caseworker', '500112-rsj');
const xfb: Principal = demoStaff('caseworker', '500112-xfb');

/**
 * The wage-arrears case as it happened in 渝北区 in May 2021: employees of a branch company,
 * unpaid for months, leave an online message; 渝北区信访办 registers it and takes it on with
 * 渝北区人社局 (人社局 lead, 信访办 co-handler); labour inspection starts, the company is told
 * the law and draws up a payment plan; on 31 May the arrears are paid in full and confirmed
 * with the petitioners, who rate the reply. Run through the same command handlers as HTTP,
 * at the historical times.
 */
@Injectable()
export class WageArrearsDemo {
  private readonly log = new Logger('demo');

  constructor(private readonly commands: CommandBus, private readonly reader: CaseReader) {}

  async load(): Promise<string> {
    const body = {
      channel: 'online', regionCode: '500112', demandClass: 'claim',
      petitioner: { name: '王某等7名员工', phone: '13983000000' },
      subject: '某建设公司渝北分公司拖欠员工工资数月',
      content: '我们是某建设公司渝北分公司员工，公司已连续数月未发放工资，多次找公司协商无果，请求有关部门帮助追讨欠薪。',
      occurredAt: '2021-05-04T09:40:00+08:00',
    } as RegisterPetitionDto;
    const { caseId } = await this.commands.execute<RegisterPetitionCommand, RegisterPetitionResult>(
      new RegisterPetitionCommand(body, new Date('2021-05-04T10:12:00+08:00').toISOString(), clerk, WAGE_ARREARS_KEY),
    );
    const at = (s: string) => new Date(s).toISOString();
    await this.commands.execute(new ClassifyPetitionCommand(caseId, { demandClass: 'claim', category: '劳动保障/拖欠工资', route: 'petition' }, at('2021-05-04T15:30:00+08:00'), coordinator));
    await this.commands.execute(new AssignAgenciesCommand(caseId, {
      mode: 'assign', agencies: [{ agencyId: '500112-rsj', role: 'lead' }, { agencyId: '500112-xfb', role: 'co' }],
    }, at('2021-05-06T09:30:00+08:00'), coordinator));
    await this.commands.execute(new AcceptTaskCommand(caseId, '500112-rsj', at('2021-05-06T14:00:00+08:00'), rsj));
    await this.commands.execute(new AcceptTaskCommand(caseId, '500112-xfb', at('2021-05-06T15:00:00+08:00'), xfb));
    await this.commands.execute(new RecordActionCommand(caseId, '500112-rsj', { kind: 'inspection', note: '启动劳动保障监察程序，赴分公司调查核实欠薪人数与金额，约谈公司负责人' }, at('2021-05-07T10:00:00+08:00'), rsj));
    await this.commands.execute(new RecordActionCommand(caseId, '500112-rsj', { kind: 'meeting', note: '向公司宣讲《保障农民工工资支付条例》等法律法规，告知拒不支付劳动报酬的法律后果' }, at('2021-05-10T15:00:00+08:00'), rsj));
    await this.commands.execute(new RecordActionCommand(caseId, '500112-rsj', { kind: 'payment-plan', note: '督促公司制定工资支付计划，承诺5月底前足额支付' }, at('2021-05-12T11:00:00+08:00'), rsj));
    await this.commands.execute(new RecordActionCommand(caseId, '500112-xfb', { kind: 'site-visit', note: '联系信访人，通报办理进展，稳定情绪' }, at('2021-05-13T10:00:00+08:00'), xfb));
    await this.commands.execute(new RecordActionCommand(caseId, '500112-rsj', { kind: 'investigation', note: '拖欠工资已足额支付，经与信访人逐一电话核实确认到账' }, at('2021-05-31T10:00:00+08:00'), rsj));
    await this.commands.execute(new SubmitOpinionCommand(caseId, '500112-xfb', '同意主办单位处理意见，信访人诉求已解决', at('2021-05-31T11:00:00+08:00'), xfb));
    await this.commands.execute(new IssueReplyCommand(caseId, {
      outcome: 'support', text: '经劳动保障监察，某建设公司渝北分公司已于2021年5月31日足额支付所欠工资，信访人诉求予以支持并已解决。',
      // 交办: the lead reports the result back to the bureau (Art. 22)
      completionReport: '渝北区信访办交办的欠薪信访事项已办结：经劳动保障监察，所欠7名员工工资已于5月31日足额支付，经电话回访信访人确认到账。',
    }, at('2021-05-31T16:00:00+08:00'), rsj));
    await waitUntilAnswered(this.reader, caseId);
    const petitioner: Principal = { sub: 'demo-petitioner', role: 'petitioner', cases: [caseId] };
    await this.commands.execute(new RateReplyCommand(caseId, { rating: 'satisfied', comment: '工资已全部到账，感谢人社局和信访办' }, at('2021-06-02T09:00:00+08:00'), petitioner));
    this.log.log(`demo case loaded: wage arrears (欠薪), case ${caseId}`);
    return caseId;
  }
}
