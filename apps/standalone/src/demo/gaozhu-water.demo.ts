import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Principal } from '@lianban/auth';
import { AcceptTaskCommand, IssueReplyCommand, RecordActionCommand, SubmitOpinionCommand } from '@lianban/agency';
import { AssignAgenciesCommand, ClassifyPetitionCommand } from '@lianban/coordinator';
import { RateReplyCommand, RegisterPetitionCommand, type RegisterPetitionDto, type RegisterPetitionResult } from '@lianban/intake';
import { CaseReader } from '@lianban/platform';
import { demoStaff, waitUntilAnswered } from './demo-support';

/** The Idempotency-Key of the demo registration: it fixes the demo case's id. */
export const GAOZHU_WATER_KEY = 'demo-2022-gaozhu-water-yubei-linshui';

const clerk: Principal = demoStaff('clerk', '500112-xfb');
const coordinator: Principal = demoStaff('coordinator', '500112-xfb');
const slj: Principal = demoStaff('caseworker', '500112-slj');
const sw: Principal = demoStaff('caseworker', '511623-sw');

/**
 * The 川渝高竹新区 water case (2022), a joint case of both provinces. Enterprises in the new
 * area, which spans 渝北区 and 邻水县, lack water in the dry season; 卫星水库 in 渝北区茨竹镇,
 * 3 km away, has water but cannot supply across the provincial line. A Chongqing cadre seconded
 * to 广安 writes it up as a proposal; two CPPCC members table it at the 2022 municipal sessions
 * and it reaches the 渝北区 petition office. 渝北区水利局 leads, 邻水县水务局 (Sichuan) works it
 * with them; 渝北区 replies with joint planning and supply, and the reservoir now supplies the
 * new area. Run through the same command handlers as HTTP, at 2022 times.
 *
 * One deployment holds it here (the embedded demo): with CROSS_REGION=on the 邻水县 task would
 * be Sichuan's to write, so the demo is not loaded there (see DemoLoader).
 */
@Injectable()
export class GaozhuWaterDemo {
  private readonly log = new Logger('demo');

  constructor(private readonly commands: CommandBus, private readonly reader: CaseReader) {}

  async load(): Promise<string> {
    const body = {
      channel: 'letter', regionCode: '500112', demandClass: 'suggestion',
      petitioner: { name: '市政协委员二人（提案执笔：重庆市派驻广安市挂职干部）' },
      subject: '川渝高竹新区企业枯水期缺水，建议卫星水库跨省供水',
      content: '高竹新区横跨渝北区和邻水县，园区企业每逢枯水期用水紧张。渝北区茨竹镇卫星水库距新区约3公里，水量充足，但因行政区划分属两省，不能跨省供水。'
        + '建议川渝两地联合规划，由卫星水库向新区供水。（2022年市两会政协提案，由重庆市派驻广安挂职干部撰写，两名市政协委员联名提出）',
      occurredAt: '2022-01-20T10:00:00+08:00',
    } as RegisterPetitionDto;
    const { caseId } = await this.commands.execute<RegisterPetitionCommand, RegisterPetitionResult>(
      new RegisterPetitionCommand(body, new Date('2022-01-24T09:30:00+08:00').toISOString(), clerk, GAOZHU_WATER_KEY),
    );
    const at = (s: string) => new Date(s).toISOString();
    await this.commands.execute(new ClassifyPetitionCommand(caseId, { demandClass: 'suggestion', category: '水利/供水', route: 'petition' }, at('2022-01-24T15:00:00+08:00'), coordinator));
    await this.commands.execute(new AssignAgenciesCommand(caseId, {
      mode: 'assign', agencies: [{ agencyId: '500112-slj', role: 'lead' }, { agencyId: '511623-sw', role: 'co' }],
    }, at('2022-01-25T09:30:00+08:00'), coordinator));
    await this.commands.execute(new AcceptTaskCommand(caseId, '500112-slj', at('2022-01-25T14:00:00+08:00'), slj));
    await this.commands.execute(new AcceptTaskCommand(caseId, '511623-sw', at('2022-01-26T10:00:00+08:00'), sw));
    await this.commands.execute(new RecordActionCommand(caseId, '500112-slj', { kind: 'site-visit', note: '赴茨竹镇卫星水库实地查看库容与取水条件，测算可向高竹新区供水量' }, at('2022-02-15T10:00:00+08:00'), slj));
    await this.commands.execute(new RecordActionCommand(caseId, '511623-sw', { kind: 'investigation', note: '摸排高竹新区邻水片区企业枯水期用水缺口，核实管网接入点' }, at('2022-02-22T10:00:00+08:00'), sw));
    await this.commands.execute(new RecordActionCommand(caseId, '500112-slj', { kind: 'meeting', note: '川渝两地水利部门联合协调会：共同编制高竹新区供水规划，明确卫星水库跨省供水方案' }, at('2022-03-08T14:30:00+08:00'), slj));
    await this.commands.execute(new SubmitOpinionCommand(caseId, '511623-sw', '同意卫星水库跨省向高竹新区供水，邻水县负责新区邻水片区配套管网建设', at('2022-03-15T11:00:00+08:00'), sw));
    await this.commands.execute(new IssueReplyCommand(caseId, {
      outcome: 'support', text: '渝北区人民政府答复：采纳该提案建议，川渝两地联合规划、联合供水，由卫星水库向川渝高竹新区供水，解决园区企业枯水期缺水问题。',
      completionReport: '渝北区水利局会同邻水县水务局联合编制供水规划，卫星水库跨省向高竹新区供水方案已确定并组织实施，水库向新区供水。',
    }, at('2022-03-22T16:00:00+08:00'), slj));
    await waitUntilAnswered(this.reader, caseId);
    const petitioner: Principal = { sub: 'demo-petitioner', role: 'petitioner', cases: [caseId] };
    await this.commands.execute(new RateReplyCommand(caseId, { rating: 'satisfied', comment: '卫星水库已向新区供水，企业用水有了保障' }, at('2022-03-28T09:00:00+08:00'), petitioner));
    this.log.log(`demo case loaded: 高竹新区 water (川渝 joint case), case ${caseId}`);
    return caseId;
  }
}
