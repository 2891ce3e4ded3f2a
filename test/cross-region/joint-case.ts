import type { CausalEntry, JointRegions } from '@lianban/testing/cross-region';
import { Api, eventually } from '@lianban/testing/standalone';

// one causality check for every cross-region test (libs/testing/src/cross-region.ts)
export { expectCausal } from '@lianban/testing/cross-region';
export type Entry = CausalEntry;

/**
 * The joint case of DESIGN 6 that every cross-region test walks: a cq case with 500109-slj as
 * lead and 511623-sw (sc) as co-handler; sc accepts and gives its opinion through sc's API, cq's
 * lead replies once that opinion has crossed over. Returns both regions' complete timelines.
 */
export async function runJointCase(regions: JointRegions) {
  const cq = new Api(regions.cq.url);
  const sc = new Api(regions.sc.url);
  const t = {
    clerk: await cq.token('clerk', '500109-xfb'),
    coordinator: await cq.token('coordinator', '500109-xfb'),
    slj: await cq.token('caseworker', '500109-slj'),
    sw: await sc.token('caseworker', '511623-sw'),
    cqAnalyst: await cq.token('analyst'),
    scAnalyst: await sc.token('analyst'),
  };
  const reg = await cq.as(t.clerk).post('/v1/petitions', {
    channel: 'visit', regionCode: '500109', demandClass: 'suggestion',
    petitioner: { name: '高某某', phone: `1380000${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}` },
    subject: '高竹新区企业枯水期缺水', content: '卫星水库有水，但跨省不能供水，请求川渝联合规划供水。',
  });
  expect(reg.status).toBe(201);
  const caseId: string = reg.body.caseId;
  expect((await cq.as(t.coordinator).post(`/v1/cases/${caseId}/classification`, { demandClass: 'suggestion', category: '水利/供水', route: 'petition' })).status).toBe(201);
  const assigned = await cq.as(t.coordinator).post(`/v1/cases/${caseId}/assignments`, {
    mode: 'assign', agencies: [{ agencyId: '500109-slj', role: 'lead' }, { agencyId: '511623-sw', role: 'co' }],
  });
  expect(assigned.status).toBe(201);

  // the task reaches sc's agency inbox through sc's own store (replicated copy of the case)
  await eventually(async () => (await sc.as(t.sw).get('/v1/inbox')).body.find?.((i: { caseId: string }) => i.caseId === caseId), "511623-sw's inbox in sc to show the case");
  // a task of sc's agency is sc's to write: cq refuses it
  const wrongRegion = await cq.as(t.sw).post(`/v1/cases/${caseId}/tasks/511623-sw/acceptance`, {});
  expect(wrongRegion.status).toBe(409);
  expect(wrongRegion.body.error.code).toBe('TASK_OF_OTHER_REGION');
  const accepted = await sc.as(t.sw).post(`/v1/cases/${caseId}/tasks/511623-sw/acceptance`, {});
  expect({ status: accepted.status, code: accepted.body.error?.code }).toEqual({ status: 201, code: undefined });
  expect((await sc.as(t.sw).post(`/v1/cases/${caseId}/tasks/511623-sw/opinion`, { text: '同意卫星水库跨省供水，邻水县配套建设管网' })).status).toBe(201);

  const leadAccepted = await cq.as(t.slj).post(`/v1/cases/${caseId}/tasks/500109-slj/acceptance`, {});
  expect({ status: leadAccepted.status, code: leadAccepted.body.error?.code }).toEqual({ status: 201, code: undefined });
  // the lead replies once sc's opinion has arrived in cq
  const reply = await eventually(async () => {
    const r = await cq.as(t.slj).post(`/v1/cases/${caseId}/reply`, { outcome: 'support', text: '川渝联合规划，卫星水库向高竹新区供水', completionReport: '已通水' });
    return r.status === 201 ? r : null;
  }, 'the lead reply after the co-handler opinion crossed over');
  expect(reply.status).toBe(201);

  const want = [
    'case.registered', 'case.classified', 'case.agencies-assigned', 'task.accepted', 'task.opinion-submitted', 'task.accepted',
    'task.reply-issued', 'task.completion-report-filed', 'case.answered',
  ];
  const short = (e: Entry) => e.type.replace(/^lianban\./, '').replace(/\.v\d+$/, '');
  const timelineOf = async (api: Api, token: string) => {
    const r = await api.as(token).get(`/v1/cases/${caseId}/timeline`);
    return r.status === 200 ? r.body.entries as Entry[] : [];
  };
  const cqTimeline = await eventually(async () => { const e = await timelineOf(cq, t.cqAnalyst); return e.length === want.length ? e : null; }, 'the cq timeline to be complete');
  const scTimeline = await eventually(async () => { const e = await timelineOf(sc, t.scAnalyst); return e.length === want.length ? e : null; }, 'the sc timeline to be complete');
  return { caseId, cqTimeline, scTimeline, want, short };
}
