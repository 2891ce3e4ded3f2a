import { bearer, devToken, HttpClient, type Reply } from './http';

/** Agencies of the B2 flow (渝北区, valid at the 2024 clock the bench acts at). */
export const LEAD = '500112-zjw';
export const CO = ['500112-rsj', '500112-xfb'] as const;

export interface Tokens {
  clerk: string;
  coordinator: string;
  caseworker: Record<string, string>;
  analyst: string;
}

export async function tokensFor(client: HttpClient, agencies: readonly string[]): Promise<Tokens> {
  const caseworker: Record<string, string> = {};
  for (const a of agencies) caseworker[a] = await devToken(client, 'caseworker', a);
  return {
    clerk: await devToken(client, 'clerk', '500112-xfb'),
    coordinator: await devToken(client, 'coordinator', '500112-xfb'),
    analyst: await devToken(client, 'analyst'),
    caseworker,
  };
}

/** A visit registered by the clerk; petitioner `n` is a different person each time (no Art. 19 repeat). */
export function petition(n: number) {
  return {
    channel: 'visit', regionCode: '500112', demandClass: 'claim',
    petitioner: { name: `李某${n}`, phone: `139${String(n % 100_000_000).padStart(8, '0')}` },
    subject: `小区外墙脱落、欠薪与物业纠纷（${n}号楼）`,
    content: '外墙瓷砖脱落，施工方拖欠农民工工资，物业不作为。请求有关部门督促维修并追讨欠薪。',
  };
}

export interface Step {
  name: string;
  method: 'POST';
  path: string;
  body: unknown;
  token: string;
}

/**
 * One case's procedure after registration, the way a 转送 (forward) case with a lead and two
 * co-handlers runs: classification, assignment, three acceptances, two handling actions, two
 * opinions, the lead's reply — 10 commands (11 with the registration).
 */
export function procedureSteps(caseId: string, t: Tokens): Step[] {
  const task = (agency: string, what: string) => `/v1/cases/${caseId}/tasks/${agency}/${what}`;
  return [
    { name: 'classify', method: 'POST', path: `/v1/cases/${caseId}/classification`, body: { demandClass: 'claim', category: '城乡建设/房屋质量', route: 'petition' }, token: t.coordinator },
    {
      name: 'assign', method: 'POST', path: `/v1/cases/${caseId}/assignments`, token: t.coordinator,
      body: { mode: 'forward', agencies: [{ agencyId: LEAD, role: 'lead' }, ...CO.map((agencyId) => ({ agencyId, role: 'co' }))] },
    },
    { name: 'accept', method: 'POST', path: task(LEAD, 'acceptance'), body: {}, token: t.caseworker[LEAD] },
    { name: 'accept', method: 'POST', path: task(CO[0], 'acceptance'), body: {}, token: t.caseworker[CO[0]] },
    { name: 'accept', method: 'POST', path: task(CO[1], 'acceptance'), body: {}, token: t.caseworker[CO[1]] },
    { name: 'action', method: 'POST', path: task(LEAD, 'actions'), body: { kind: 'site-visit', note: '现场查看外墙脱落情况' }, token: t.caseworker[LEAD] },
    { name: 'action', method: 'POST', path: task(CO[0], 'actions'), body: { kind: 'inspection', note: '启动劳动保障监察，约谈施工方' }, token: t.caseworker[CO[0]] },
    { name: 'opinion', method: 'POST', path: task(CO[0], 'opinion'), body: { text: '欠薪已督促支付，同意主办意见' }, token: t.caseworker[CO[0]] },
    { name: 'opinion', method: 'POST', path: task(CO[1], 'opinion'), body: { text: '同意' }, token: t.caseworker[CO[1]] },
    { name: 'reply', method: 'POST', path: `/v1/cases/${caseId}/reply`, body: { outcome: 'support', text: '已责成开发商维修外墙，工资已支付。' }, token: t.caseworker[LEAD] },
  ];
}

/** The moment step `i` of a case happens at: a fixed 2024 day, one minute per step. */
export function clockAt(base: number, i: number): string {
  return new Date(base + i * 60_000).toISOString();
}

export const BASE_2024 = Date.parse('2024-03-04T01:00:00.000Z');

export async function register(client: HttpClient, t: Tokens, n: number, at: string): Promise<Reply> {
  return client.request('POST', '/v1/petitions', petition(n), bearer(t.clerk, at));
}
