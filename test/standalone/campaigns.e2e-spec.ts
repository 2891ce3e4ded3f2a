import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE } from '@lianban/platform';
import { Api, eventually, startStandalone, type RunningApp } from '@lianban/testing/standalone';

/**
 * 专项工作 (治理重复信访、化解信访积案) over HTTP: a named campaign with a period, cases put into
 * it while it runs, and its statistics — cases, resolved share, Art. 19 repeats before and after.
 */
describe('standalone: campaigns (专项工作)', () => {
  jest.setTimeout(60_000);
  let running: RunningApp;
  let api: Api;
  const t: Record<string, string> = {};

  beforeAll(async () => {
    running = await startStandalone();
    api = new Api(running.url);
    const tokens: [string, string, string?][] = [
      ['clerk', 'clerk', '500112-xfb'], ['coordinator', 'coordinator', '500112-xfb'], ['city', 'coordinator', '500000-xfb'], ['rsj', 'caseworker', '500112-rsj'],
      ['scCoordinator', 'coordinator', '511623-xfj'], ['analyst', 'analyst'],
    ];
    for (const [name, role, agency] of tokens) t[name] = await api.token(role, agency);
  });
  afterAll(() => running?.close());

  const as = (who: string, clock: string) => api.as(t[who]).at(clock);
  const refused = (r: { status: number; body: any }, code: string) => expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status: 409, code });

  async function assigned(clock: string, phone: string, subject: string) {
    const r = await as('clerk', clock).post('/v1/petitions', { channel: 'letter', regionCode: '500112', demandClass: 'claim', petitioner: { name: '何某', phone }, subject, content: 'x' });
    expect(r.status).toBe(201);
    await as('coordinator', clock).post(`/v1/cases/${r.body.caseId}/classification`, { demandClass: 'claim', category: '城乡建设', route: 'petition' });
    await as('coordinator', clock).post(`/v1/cases/${r.body.caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: '500112-rsj', role: 'lead' }] });
    return { caseId: r.body.caseId as string, petitioner: api.as(r.body.petitionerToken as string) };
  }

  /** the same petitioner online on the same matter: linked to the open case (Art. 19) */
  const repeat = (clock: string, phone: string, subject: string) =>
    api.at(clock).post('/v1/petitions', { channel: 'online', regionCode: '500112', petitioner: { name: '何某', phone }, subject, content: '仍未解决' });

  it('is launched once with a period; cases join it while it runs; its statistics count resolutions and repeats before and after joining', async () => {
    const body = { name: '治理重复信访、化解信访积案专项工作', description: '全国开展', from: '2024-08-01', to: '2024-12-31' };
    const launched = await as('city', '2024-07-25T09:00:00+08:00').post('/v1/campaigns', body, { 'idempotency-key': 'campaign-2024-repeat-backlog' });
    expect(launched.status).toBe(201);
    const id = launched.body.campaignId;
    expect(launched.body).toMatchObject({ ...body, launchedBy: '500000-xfb' });
    const retried = await as('city', '2024-07-25T09:00:00+08:00').post('/v1/campaigns', body, { 'idempotency-key': 'campaign-2024-repeat-backlog' });
    expect(retried.body.campaignId).toBe(id);

    const a = await assigned('2024-06-03T09:00:00+08:00', '13700001001', '某小区违建侵占绿地');
    const b = await assigned('2024-06-03T09:00:00+08:00', '13700001002', '某厂噪声扰民');
    expect((await repeat('2024-06-20T09:00:00+08:00', '13700001001', '某小区违建侵占绿地问题')).body).toMatchObject({ caseId: a.caseId, repeat: true });
    expect((await repeat('2024-07-15T09:00:00+08:00', '13700001001', '某小区违建侵占绿地')).body).toMatchObject({ caseId: a.caseId, repeat: true });

    // before the campaign runs, nothing is enrolled
    const store = running.app.get<EventStore>(EVENT_STORE);
    const head = await store.headPosition();
    refused(await as('coordinator', '2024-07-31T23:00:00+08:00').post(`/v1/campaigns/${id}/cases`, { caseIds: [a.caseId, b.caseId] }), 'CAMPAIGN_NOT_RUNNING');
    expect(await store.headPosition()).toBe(head);
    const enrolled = await as('coordinator', '2024-08-05T09:00:00+08:00').post(`/v1/campaigns/${id}/cases`, { caseIds: [a.caseId, b.caseId] });
    expect(enrolled.body).toEqual({ campaignId: id, enrolled: [a.caseId, b.caseId], alreadyEnrolled: [] });
    expect((await as('coordinator', '2024-08-06T09:00:00+08:00').post(`/v1/campaigns/${id}/cases`, { caseIds: [a.caseId] })).body)
      .toEqual({ campaignId: id, enrolled: [], alreadyEnrolled: [a.caseId] });

    expect((await repeat('2024-09-02T09:00:00+08:00', '13700001001', '某小区违建侵占绿地')).body).toMatchObject({ caseId: a.caseId, repeat: true });
    // b is resolved: accepted, replied, answered, rated 满意
    await as('rsj', '2024-08-07T09:00:00+08:00').post(`/v1/cases/${b.caseId}/tasks/500112-rsj/acceptance`, {});
    expect((await as('rsj', '2024-09-10T09:00:00+08:00').post(`/v1/cases/${b.caseId}/reply`, { outcome: 'support', text: '已责令整改，噪声达标' })).status).toBe(201);
    await eventually(async () => (await api.as(t.analyst).get(`/v1/cases/${b.caseId}`)).body.answer, 'the case to be answered');
    expect((await b.petitioner.at('2024-09-12T09:00:00+08:00').post(`/v1/petitions/${b.caseId}/rating`, { rating: 'satisfied' })).status).toBe(201);

    const view = (await as('analyst', '2024-10-01T09:00:00+08:00').get(`/v1/campaigns/${id}`)).body;
    expect(view.stats).toMatchObject({ cases: 2, answered: 1, resolved: 1, resolvedShare: 0.5, repeatsBefore: 2, repeatsAfter: 1, casesRepeatingAfter: 1 });
    expect(view.stats.items.map((i: { caseId: string; repeatsBefore: number; repeatsAfter: number; resolved: boolean }) => [i.caseId, i.repeatsBefore, i.repeatsAfter, i.resolved]))
      .toEqual(expect.arrayContaining([[a.caseId, 2, 1, false], [b.caseId, 0, 0, true]]));
    // as of before the rating, nothing was resolved; as of before the enrolment, the campaign held nothing
    const before = (await api.as(t.analyst).get(`/v1/campaigns/${id}?asOf=${encodeURIComponent('2024-09-11T00:00:00+08:00')}`)).body.stats;
    expect(before).toMatchObject({ cases: 2, answered: 1, resolved: 0, repeatsAfter: 1 });
    expect((await api.as(t.analyst).get(`/v1/campaigns/${id}?asOf=${encodeURIComponent('2024-08-01T00:00:00+08:00')}`)).body.stats).toMatchObject({ cases: 0, resolvedShare: null });

    const list = (await api.as(t.analyst).get('/v1/campaigns')).body;
    expect(list.items.find((c: { campaignId: string }) => c.campaignId === id).stats).toMatchObject({ cases: 2, resolved: 1 });
    const entry = (await api.as(t.analyst).get(`/v1/cases/${a.caseId}/timeline`)).body.entries.find((e: { type: string }) => e.type === 'lianban.case.campaign-enrolled.v1');
    expect(entry.summary).toBe('列入专项工作「治理重复信访、化解信访积案专项工作」（2024-08-01 至 2024-12-31）');
  });

  it('refuses a wrong period and an unknown case with a 400 naming the field; only coordinators enrol; another province does not see it', async () => {
    const field = async (r: Promise<{ status: number; body: any }>) => {
      const res = await r;
      expect(res.status).toBe(400);
      return res.body.error.details.map((d: { field: string }) => d.field);
    };
    expect(await field(as('city', '2024-07-25T09:00:00+08:00').post('/v1/campaigns', { name: 'x', from: '2024-12-31', to: '2024-08-01' }))).toEqual(['to']);
    expect(await field(as('city', '2024-07-25T09:00:00+08:00').post('/v1/campaigns', { name: 'x', from: '2024-02-30', to: '2024-08-01' }))).toEqual(['from']);
    const id = (await as('city', '2024-07-25T09:00:00+08:00').post('/v1/campaigns', { name: '信访积案化解', from: '2024-07-01', to: '2024-12-31' })).body.campaignId;
    expect(await field(as('coordinator', '2024-08-05T09:00:00+08:00').post(`/v1/campaigns/${id}/cases`, { caseIds: ['5e0d1f7a-6b0c-4f0e-9d55-2a9d7c3b1e11'] }))).toEqual(['caseIds[0]']);
    expect(await field(as('coordinator', '2024-08-05T09:00:00+08:00').post(`/v1/campaigns/${id}/cases`, { caseIds: [] }))).toEqual(['caseIds']);
    expect((await as('analyst', '2024-08-05T09:00:00+08:00').post(`/v1/campaigns/${id}/cases`, { caseIds: [] })).status).toBe(403);
    expect((await api.as(t.analyst).get(`/v1/campaigns/${id}`)).status).toBe(200);
    expect((await api.as(t.scCoordinator).get(`/v1/campaigns/${id}`)).status).toBe(404);
    expect((await api.as(t.analyst).get(`/v1/campaigns/${id}?asOf=yesterday`)).status).toBe(400);
  });
});
