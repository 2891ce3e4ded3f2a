import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE } from '@lianban/platform';
import { Api, startStandalone, type RunningApp } from '@lianban/testing/standalone';

/** fixed by the demo's Idempotency-Keys (apps/standalone/src/demo/housing.demo.ts) */
const HOUSING_CASE = '1b075f70-2449-53c5-ad0c-2e8b8a210d93';
const TASK_FORCE = 'f10de109-0f78-5f9a-9c3b-a38dfa227d05';
const CAMPAIGN = '5a522f1d-9685-5c57-9836-3dde1ea889e1';
const WAGE_CASE = 'd375043c-5f8e-5674-a0aa-b4bbc7069844';
const type = (name: string) => `lianban.${name}.v1`;

/**
 * Issue 8's done-criterion: the 袁大姐 housing case in the demo store — petitions and repeats in
 * 2020, 督办, the campaign, a task force owned by a deputy district head with site inspections
 * and a 专题会, resolution — all in its timeline, beside the wage-arrears case.
 */
describe('standalone demo: the 袁大姐 housing case (房屋质量, 工作专班)', () => {
  jest.setTimeout(60_000);
  let running: RunningApp;
  let analyst: Api;

  beforeAll(async () => {
    running = await startStandalone({ env: { DEMO: 'on' } });
    const api = new Api(running.url);
    analyst = api.as(await api.token('analyst'));
  });
  afterAll(() => running?.close());

  it('tells her story in the timeline: petitions, repeats, 督办, campaign, task force, inspections and the 专题会, resolution', async () => {
    const r = await analyst.get(`/v1/cases/${HOUSING_CASE}/timeline`);
    expect(r.status).toBe(200);
    const entries: { type: string; summary: string; at: string }[] = r.body.entries;
    const story = entries.map((e) => e.type).filter((t) => !t.includes('action-recorded') && !t.includes('milestone'));
    expect(story).toEqual([
      type('case.registered'), type('case.classified'), type('case.agencies-assigned'), type('task.accepted'),
      type('case.repeat-linked'), type('task.handling-extended'), type('case.repeat-linked'),
      type('case.supervision-issued'), type('task.supervision-answered'), type('case.campaign-enrolled'),
      type('taskforce.formed'), type('case.task-force-joined'), type('taskforce.site-visited'), type('taskforce.meeting-held'), type('taskforce.site-visited'),
      type('task.reply-issued'), type('task.completion-report-filed'), type('case.answered'), type('case.reply-rated'), type('taskforce.closed'),
    ]);
    const summary = (t: string) => entries.filter((e) => e.type === type(t)).map((e) => e.summary);
    expect(entries[0]).toMatchObject({ at: '2020-05-11T02:05:00.000Z', summary: '登记网上信访信访事项 CQ-2020-000001：某小区3栋商品房墙体开裂、卫生间渗水，开发商拒不维修' });
    expect(summary('case.repeat-linked')).toEqual([
      '同一信访人就同一事项重复信访（来访），并入本件办理', '同一信访人就同一事项向上级重复信访（来信），并入本件办理',
    ]);
    expect(summary('case.campaign-enrolled')).toEqual(['列入专项工作「治理重复信访、化解信访积案专项工作」（2020-08-01 至 2021-06-30）']);
    expect(summary('taskforce.formed')[0]).toBe('成立工作专班「某小区3栋房屋质量问题化解工作专班」，北碚区副区长刘某任组长包案，成员单位：北碚区住房和城乡建设委员会、北碚区信访办公室、重庆市住房和城乡建设委员会');
    expect(summary('taskforce.meeting-held')[0]).toMatch(/^召开专题会：2020-10-20，北碚区住建委会议室，研究房屋维修加固和补偿方案（5人参加）：开发商按检测报告承担维修加固责任/);
    expect(summary('taskforce.milestone-completed')).toHaveLength(3);
    expect(summary('case.reply-rated')).toEqual(['信访人评价：满意（房子修好了，感谢专班）']);
    expect(entries.at(-1)).toMatchObject({ at: '2021-01-08T02:00:00.000Z', summary: '工作专班结束（已化解）：房屋维修完成、补偿到位，信访人评价满意，息诉罢访' });
    // as of the day before the task force was formed, the case had none
    const before = (await analyst.get(`/v1/cases/${HOUSING_CASE}/timeline?asOf=${encodeURIComponent('2020-09-03T23:59:59+08:00')}`)).body.entries;
    expect(before.some((e: { type: string }) => e.type.startsWith('lianban.taskforce.'))).toBe(false);
  });

  it('shows the resolved case in the campaign, the closed task force, and the leader\'s 包案; the wage-arrears demo is there as before', async () => {
    const campaign = (await analyst.get(`/v1/campaigns/${CAMPAIGN}`)).body;
    expect(campaign.stats).toMatchObject({ cases: 1, answered: 1, resolved: 1, resolvedShare: 1, repeatsBefore: 2, repeatsAfter: 0 });
    const tf = (await analyst.get(`/v1/task-forces/${TASK_FORCE}`)).body;
    expect(tf.progress).toMatchObject({ status: 'closed', outcome: 'resolved', milestones: { total: 3, completed: 3, completedLate: 0 }, meetings: 1, siteVisits: 2 });
    expect(tf.cases).toEqual([{ caseId: HOUSING_CASE, caseNumber: 'CQ-2020-000001', subject: expect.any(String), step: 'rated' }]);
    expect((await analyst.get('/v1/task-forces')).body.items.map((i: { taskForceId: string }) => i.taskForceId)).toContain(TASK_FORCE);
    const owned = (await analyst.get(`/v1/leaders/cases?name=${encodeURIComponent('刘某')}&divisionCode=500109`)).body;
    expect(owned.cases).toEqual([expect.objectContaining({ caseId: HOUSING_CASE, step: 'rated', via: [expect.objectContaining({ kind: 'task-force', status: 'closed' })] })]);
    const wage = (await analyst.get(`/v1/cases/${WAGE_CASE}/timeline`)).body.entries;
    expect(wage.at(-1).type).toBe(type('case.reply-rated'));
    expect(wage.some((e: { type: string }) => e.type.includes('taskforce'))).toBe(false);
  });

  it('keeps her identity out of every event body (DESIGN 3.3)', async () => {
    const store = running.app.get<EventStore>(EVENT_STORE);
    const stored = JSON.stringify([...await store.readByCase(HOUSING_CASE), ...await store.readStream(`taskforce-${TASK_FORCE}`)]);
    for (const personal of ['袁某某', '13883000088', '重庆市北碚区某小区3栋']) expect(stored).not.toContain(personal);
    // and the reader entitled to it still gets it, from the sealed registration
    const view = (await new Api(running.url).as(await new Api(running.url).token('coordinator', '500109-xfb')).get(`/v1/cases/${HOUSING_CASE}`)).body;
    expect(view.petitioner).toMatchObject({ name: '袁某某', phone: '13883000088' });
  });
});
