import { eventually, expectOk as ok, inboxItem, type Api } from '@lianban/testing/standalone';

/**
 * The wage-arrears case of the demo (apps/standalone/src/demo/wage-arrears.demo.ts), driven over
 * HTTP by the people who act in it, each against the service they would use. In the standalone
 * mode every service is the same process; distributed, each is its own. No X-Lianban-Clock:
 * commands are decided now, the same way in both modes.
 *
 * Decided now, the demo's 渝北区 agencies cannot take it: 渝北区 was abolished in November 2025
 * and the registry refuses to assign to 500112-rsj/-xfb after that (AGENCY_NOT_ACTIVE). The case
 * goes to their successors in 北碚区, the same departments today.
 */
export const LEAD = '500109-rsj';
export const CO = '500109-xfb';
export type FlowAgency = typeof LEAD | typeof CO;
export interface FlowClients {
  intake(as: 'clerk' | { token: string }): Api;
  coordinator(): Api;
  /** the caseworker of `agencyId`, on that agency's service */
  agency(agencyId: FlowAgency): Api;
  history(): Api;
}

export interface FlowResult {
  caseId: string;
  petitionerToken: string;
}

export const WAGE_ARREARS_PETITION = {
  channel: 'online', regionCode: '500109', demandClass: 'claim',
  petitioner: { name: '王某等7名员工', phone: '13983000000', idNumber: '500109198001010011' },
  subject: '某建设公司北碚分公司拖欠员工工资数月',
  content: '我们是某建设公司北碚分公司员工，公司已连续数月未发放工资，多次找公司协商无果，请求有关部门帮助追讨欠薪。',
};

export async function runWageArrears(c: FlowClients): Promise<FlowResult> {
  const reg = await ok('registration', c.intake('clerk').post('/v1/petitions', WAGE_ARREARS_PETITION));
  const caseId: string = reg.caseId;
  await ok('classification', c.coordinator().post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '劳动保障/拖欠工资', route: 'petition' }));
  await ok('assignment', c.coordinator().post(`/v1/cases/${caseId}/assignments`, {
    mode: 'assign', agencies: [{ agencyId: LEAD, role: 'lead' }, { agencyId: CO, role: 'co' }],
  }));
  const rsj = c.agency(LEAD);
  const xfb = c.agency(CO);
  await inboxItem(rsj, caseId, "人社局's inbox to list the case");
  await ok('rsj acceptance', rsj.post(`/v1/cases/${caseId}/tasks/${LEAD}/acceptance`, {}));
  await inboxItem(xfb, caseId, "信访办's inbox to list the case");
  await ok('xfb acceptance', xfb.post(`/v1/cases/${caseId}/tasks/${CO}/acceptance`, {}));
  const action = (api: Api, agency: string, kind: string, note: string) => ok(`${agency} ${kind}`, api.post(`/v1/cases/${caseId}/tasks/${agency}/actions`, { kind, note }));
  await action(rsj, LEAD, 'inspection', '启动劳动保障监察程序，赴分公司调查核实欠薪人数与金额，约谈公司负责人');
  await action(rsj, LEAD, 'meeting', '向公司宣讲《保障农民工工资支付条例》等法律法规，告知拒不支付劳动报酬的法律后果');
  await action(rsj, LEAD, 'payment-plan', '督促公司制定工资支付计划，承诺5月底前足额支付');
  await action(xfb, CO, 'site-visit', '联系信访人，通报办理进展，稳定情绪');
  await action(rsj, LEAD, 'investigation', '拖欠工资已足额支付，经与信访人逐一电话核实确认到账');
  await ok('xfb opinion', xfb.post(`/v1/cases/${caseId}/tasks/${CO}/opinion`, { text: '同意主办单位处理意见，信访人诉求已解决' }));
  // 交办 (assign): the lead's reply carries the 办结报告 for the bureau (Art. 22)
  await ok('rsj reply', rsj.post(`/v1/cases/${caseId}/reply`, {
    outcome: 'support', text: '经劳动保障监察，某建设公司北碚分公司已足额支付所欠工资，信访人诉求予以支持并已解决。',
    completionReport: '北碚区信访办交办的欠薪信访事项已办结：经劳动保障监察，所欠7名员工工资已足额支付，经电话回访信访人确认到账。',
  }));
  const petitioner = c.intake({ token: reg.petitionerToken });
  // the coordinator turns the lead's reply into "case answered" asynchronously
  await eventually(async () => {
    const r = await petitioner.get(`/v1/petitions/${caseId}`);
    return r.status === 200 && r.body.step === 'answered';
  }, 'the case to be answered', 60_000);
  await ok('rating', petitioner.post(`/v1/petitions/${caseId}/rating`, { rating: 'satisfied', comment: '工资已全部到账，感谢人社局和信访办' }));
  return { caseId, petitionerToken: reg.petitionerToken };
}

export interface TimelineEntry {
  type: string;
  agencyId: string | null;
  eventId: string;
  causationId: string | null;
  hlc: string;
}

/**
 * A timeline with ids and times taken out: each entry's type, agency, and what caused it — an
 * earlier entry (by its index), an HTTP command, or nothing. Two runs of the same commands
 * give the same shape whatever their ids and clocks.
 */
export function timelineShape(entries: TimelineEntry[]): { type: string; agencyId: string | null; cause: string }[] {
  const index = new Map(entries.map((e, i) => [e.eventId, i]));
  return entries.map((e) => ({
    type: e.type,
    agencyId: e.agencyId,
    cause: e.causationId === null ? 'none' : index.has(e.causationId) ? `#${index.get(e.causationId)}` : e.causationId.startsWith('request:') ? 'request' : `unknown ${e.causationId}`,
  }));
}
