import { Api, startStandalone, type RunningApp } from '@lianban/testing/standalone';

/** fixed by the demo's Idempotency-Key (apps/standalone/src/demo/gaozhu-water.demo.ts) */
const WATER_CASE = '405f6d44-e6f0-5e22-b232-521171285214';
const type = (name: string) => `lianban.${name}.v1`;

describe('standalone demo: the 高竹新区 water case (川渝 joint case, 2022)', () => {
  jest.setTimeout(60_000);
  let running: RunningApp;
  let api: Api;

  beforeAll(async () => {
    running = await startStandalone({ env: { DEMO: 'on' } });
    api = new Api(running.url);
  });
  afterAll(() => running?.close());

  it('tells the story: the proposal, both provinces\' agencies working it together, the reply, the rating', async () => {
    const r = await api.as(await api.token('analyst')).get(`/v1/cases/${WATER_CASE}/timeline`);
    expect(r.status).toBe(200);
    const entries: { type: string; at: string; agencyId: string | null; agencyName: string | null }[] = r.body.entries;
    expect(entries.map((e) => e.type)).toEqual([
      type('case.registered'), type('case.classified'), type('case.agencies-assigned'), type('task.accepted'), type('task.accepted'),
      type('task.action-recorded'), type('task.action-recorded'), type('task.action-recorded'), type('task.opinion-submitted'),
      type('task.reply-issued'), type('task.completion-report-filed'), type('case.answered'), type('case.reply-rated'),
    ]);
    expect(entries.every((e) => e.at.startsWith('2022-'))).toBe(true);
    // 2022 names: 渝北区 still existed (abolished 2025-11-01)
    const agencies = new Set(entries.map((e) => e.agencyName).filter(Boolean));
    expect(agencies).toEqual(new Set(['渝北区信访办公室', '渝北区水利局', '邻水县水务局']));
  });

  it('shows the case to 邻水县水务局 as a co-handler and to 渝北区水利局 as the lead', async () => {
    const sw = await api.as(await api.token('caseworker', '511623-sw')).get(`/v1/cases/${WATER_CASE}`);
    expect(sw.status).toBe(200);
    expect(sw.body).toMatchObject({ caseId: WATER_CASE, subject: expect.stringContaining('高竹新区'), regionName: '渝北区' });
    expect(JSON.stringify(sw.body)).toContain('卫星水库');
  });
});
