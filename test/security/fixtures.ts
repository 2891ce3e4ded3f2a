import { Api, eventually } from '@lianban/testing/standalone';

/**
 * Cases in every state the authorization scopes distinguish, built over HTTP against a running
 * standalone app (embedded dev mode), decided now: 北碚区 (500109) agencies, in force today.
 */
export const AG = {
  bureau: '500109-xfb',
  lead: '500109-rsj',
  co: '500109-zjw',
  released: '500109-slj',
  stranger: '500109-zfw',
  cityBureau: '500000-xfb',
  reviewer: '500000-rsj',
  scBureau: '511623-xfj',
  scAgency: '511623-sw',
} as const;

/** The people of the demo petitions, whose names and numbers no log, topic or error may show. */
export const PEOPLE = {
  claimant: { name: '钱秀英', phone: '13512345678', idNumber: '500109198502144321', address: '重庆市北碚区天生街道嘉陵江路88号3单元' },
  accuser: { name: '孙建国', phone: '13698765432', idNumber: '50010919720808123X', address: '重庆市北碚区北温泉街道缙云路16号' },
  appellant: { name: '周丽华', phone: '13787654321', idNumber: '500109199001011234', address: '重庆市北碚区蔡家岗街道同兴路5号' },
  sichuan: { name: '吴德明', phone: '13811112222', idNumber: '511623196605051111', address: '四川省邻水县鼎屏镇城北路1号' },
} as const;

export type Person = (typeof PEOPLE)[keyof typeof PEOPLE];

/** every way a person could be recognised in a payload */
export function identityOf(p: Person): string[] {
  return [p.name, p.phone, p.idNumber, p.idNumber.slice(-8), p.address, p.address.slice(-8)];
}

export interface Fixtures {
  api: Api;
  token(role: string, agency?: string, extra?: { region?: string; sub?: string; cases?: string[] }): Promise<string>;
  /** assigned to lead and co; lead accepted; a supervision of the lead, an open dispute raised by co; `released` had a task, released */
  caseA: { caseId: string; petitionerToken: string; petitionerId: string; supervisionId: string; disputeId: string };
  /** answered by the lead and appealed (复查): the reviewer is one level above */
  caseB: { caseId: string; petitionerToken: string; appealId: string };
  /** a Sichuan case: outside the Chongqing staff's region */
  caseS: { caseId: string; petitionerToken: string };
}

async function ok<T = any>(p: Promise<{ status: number; body: T }>, what: string, status = 201): Promise<T> {
  const r = await p;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function petition(person: Person, over: Record<string, unknown> = {}) {
  return {
    channel: 'visit', regionCode: '500109', demandClass: 'claim', petitioner: { ...person }, subject: '小区物业长期不作为', content: '电梯停运三个月，物业拒不维修。', ...over,
  };
}

export async function buildFixtures(api: Api): Promise<Fixtures> {
  const cache = new Map<string, string>();
  const token: Fixtures['token'] = async (role, agency, extra = {}) => {
    const key = JSON.stringify([role, agency, extra]);
    if (!cache.has(key)) {
      const r = await api.post<{ token: string }>('/v1/dev/tokens', { role, ...(agency ? { agency } : {}), ...extra });
      if (r.status !== 201) throw new Error(`dev token ${key}: ${r.status} ${JSON.stringify(r.body)}`);
      cache.set(key, r.body.token);
    }
    return cache.get(key)!;
  };
  const as = async (role: string, agency?: string) => api.as(await token(role, agency));
  const clerk = await as('clerk', AG.bureau);
  const coordinator = await as('coordinator', AG.bureau);

  // case A
  const regA = await ok(clerk.post('/v1/petitions', await petition(PEOPLE.claimant)), 'register A');
  const caseIdA: string = regA.caseId;
  await ok(coordinator.post(`/v1/cases/${caseIdA}/classification`, { demandClass: 'claim', category: '城乡建设/物业', route: 'petition' }), 'classify A');
  await ok(coordinator.post(`/v1/cases/${caseIdA}/assignments`, {
    mode: 'assign', agencies: [{ agencyId: AG.lead, role: 'lead' }, { agencyId: AG.co, role: 'co' }, { agencyId: AG.released, role: 'co' }],
  }), 'assign A');
  await ok((await as('caseworker', AG.lead)).post(`/v1/cases/${caseIdA}/tasks/${AG.lead}/acceptance`, {}), 'accept A');
  await ok(coordinator.post(`/v1/cases/${caseIdA}/tasks/${AG.released}/release`, { reason: '非本单位职责' }), 'release A');
  const sup = await ok(coordinator.post(`/v1/cases/${caseIdA}/supervision`, { agencyId: AG.lead, reason: '进展缓慢' }), 'supervise A');
  const dispute = await ok((await as('caseworker', AG.co)).post(`/v1/cases/${caseIdA}/disputes`, { reason: '应由人社部门主办', agencyIds: [AG.lead] }), 'dispute A');
  const petitionerIdA = await petitionerIdOf(api, await token('admin'), caseIdA);

  // case B
  const regB = await ok(clerk.post('/v1/petitions', await petition(PEOPLE.appellant, { subject: '拖欠工资三个月', content: '公司拖欠三个月工资。' })), 'register B');
  const caseIdB: string = regB.caseId;
  await ok(coordinator.post(`/v1/cases/${caseIdB}/classification`, { demandClass: 'claim', category: '劳动保障/欠薪', route: 'petition' }), 'classify B');
  await ok(coordinator.post(`/v1/cases/${caseIdB}/assignments`, { mode: 'forward', agencies: [{ agencyId: AG.lead, role: 'lead' }] }), 'assign B');
  const lead = await as('caseworker', AG.lead);
  await ok(lead.post(`/v1/cases/${caseIdB}/tasks/${AG.lead}/acceptance`, {}), 'accept B');
  await ok(lead.post(`/v1/cases/${caseIdB}/reply`, { outcome: 'not-support', text: '经核实，公司已按合同支付。' }), 'reply B');
  const analyst = await as('analyst');
  await eventually(async () => (await analyst.get(`/v1/cases/${caseIdB}`)).body?.answer, 'case B answered');
  const appeal = await ok(api.as(regB.petitionerToken).post(`/v1/petitions/${caseIdB}/appeals`, { kind: 'review', reason: '工资计算有误' }), 'appeal B');
  if (appeal.reviewerAgencyId !== AG.reviewer) throw new Error(`case B's reviewer is ${appeal.reviewerAgencyId}, not ${AG.reviewer}`);

  // case S
  const regS = await ok((await as('clerk', AG.scBureau)).post('/v1/petitions', await petition(PEOPLE.sichuan, { regionCode: '511623', subject: '河道采砂影响灌溉' })), 'register S');

  return {
    api, token,
    caseA: { caseId: caseIdA, petitionerToken: regA.petitionerToken, petitionerId: petitionerIdA, supervisionId: sup.supervisionId, disputeId: dispute.disputeId },
    caseB: { caseId: caseIdB, petitionerToken: regB.petitionerToken, appealId: appeal.appealId },
    caseS: { caseId: regS.caseId, petitionerToken: regS.petitionerToken },
  };
}

/** the petitioner id of a case, as an admin sees it */
export async function petitionerIdOf(api: Api, adminToken: string, caseId: string): Promise<string> {
  const r = await api.as(adminToken).get(`/v1/cases/${caseId}`);
  if (r.status !== 200 || !r.body.petitioner?.petitionerId) throw new Error(`petitioner of ${caseId}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.petitioner.petitionerId;
}
