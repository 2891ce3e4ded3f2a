import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE } from '@lianban/platform';
import { Api, startStandalone, type RunningApp } from '@lianban/testing/standalone';

/**
 * 领导接访 over HTTP: the published days (public, so petitioners can choose), a visit received at
 * a session registered as a petition on the visit channel with the receiving leader, and the
 * leaders' 包案 lists through receptions and task forces. Real dates of October 2024 (National
 * Day 10-01..07, 调休 Saturday 10-12).
 */
describe('standalone: leader receptions (领导接访) and leaders\' 包案', () => {
  jest.setTimeout(60_000);
  let running: RunningApp;
  let api: Api;
  const t: Record<string, string> = {};

  beforeAll(async () => {
    running = await startStandalone();
    api = new Api(running.url);
    const tokens: [string, string, string?][] = [
      ['clerk', 'clerk', '500233-xfb'], ['coordinator', 'coordinator', '500233-xfb'], ['caseworker', 'caseworker', '500112-rsj'],
      ['scCoordinator', 'coordinator', '511623-xfj'], ['analyst', 'analyst'],
    ];
    for (const [name, role, agency] of tokens) t[name] = await api.token(role, agency);
  });
  afterAll(() => running?.close());

  const as = (who: string, clock: string) => api.as(t[who]).at(clock);
  const visit = (phone: string) => ({ petitioner: { name: '冉某某', phone }, subject: '征地补偿款未足额发放', content: '2019年征地，补偿款至今差欠', demandClass: 'claim' });

  it('publishes the days to anyone: 忠县 on the working Tuesdays and Thursdays, 綦江区 on its roving tour', async () => {
    const zx = await api.get('/v1/receptions?divisionCode=500233&from=2024-10-01&to=2024-10-31');
    expect(zx.status).toBe(200);
    expect(zx.body.sessions.map((s: { date: string }) => s.date))
      .toEqual(['2024-10-08', '2024-10-10', '2024-10-15', '2024-10-17', '2024-10-22', '2024-10-24', '2024-10-29', '2024-10-31']);
    expect(zx.body.sessions[0]).toMatchObject({
      sessionId: 'zhongxian-weekly:2024-10-08', divisionName: '忠县', title: '忠县市管领导接访日', place: '忠县群众来访接待中心',
      startsAt: '2024-10-08T01:00:00.000Z', endsAt: '2024-10-08T04:00:00.000Z', leader: { name: expect.any(String), title: expect.any(String) },
    });
    const qj = (await api.get('/v1/receptions?divisionCode=500110&from=2024-10-10&to=2024-10-14')).body.sessions;
    expect(qj.map((s: { date: string; town: string }) => [s.date, s.town])).toEqual([['2024-10-10', '古南街道'], ['2024-10-11', '文龙街道'], ['2024-10-12', '三江街道'], ['2024-10-14', '通惠街道']]);
    expect((await api.get('/v1/receptions/schedules')).body.map((s: { scheduleId: string; divisionName: string }) => [s.scheduleId, s.divisionName]))
      .toEqual([['zhongxian-weekly', '忠县'], ['qijiang-roving', '綦江区']]);
    // without a period: from the request's day, 30 days on
    const next = (await api.at('2024-10-09T09:00:00+08:00').get('/v1/receptions?divisionCode=500233')).body;
    expect({ from: next.from, to: next.to, first: next.sessions[0].date }).toEqual({ from: '2024-10-09', to: '2024-11-08', first: '2024-10-10' });
  });

  it('documents the coordination routes in OpenAPI', async () => {
    const paths = Object.keys((await api.get('/docs-json')).body.paths);
    expect(paths).toEqual(expect.arrayContaining([
      '/v1/task-forces', '/v1/task-forces/{taskForceId}', '/v1/task-forces/{taskForceId}/members', '/v1/task-forces/{taskForceId}/members/{agencyId}/release',
      '/v1/task-forces/{taskForceId}/milestones', '/v1/task-forces/{taskForceId}/milestones/{milestoneId}/completion', '/v1/task-forces/{taskForceId}/meetings',
      '/v1/task-forces/{taskForceId}/site-visits', '/v1/task-forces/{taskForceId}/closure', '/v1/campaigns', '/v1/campaigns/{campaignId}',
      '/v1/campaigns/{campaignId}/cases', '/v1/leaders', '/v1/leaders/cases', '/v1/receptions', '/v1/receptions/schedules', '/v1/receptions/{sessionId}/petitions',
    ]));
  });

  it('answers a bad period or division with a 400 naming the field', async () => {
    const field = async (q: string) => {
      const r = await api.get(`/v1/receptions?${q}`);
      expect(r.status).toBe(400);
      return r.body.error.details.map((d: { field: string }) => d.field);
    };
    expect(await field('from=2024-10-31&to=2024-10-01')).toEqual(['to']);
    expect(await field('from=2019-12-01&to=2019-12-31')).toEqual(['from']);
    expect(await field('from=2024-01-01&to=2025-06-30')).toEqual(['to']);
    expect(await field('from=2024-02-30&to=2024-03-31')).toEqual(['from']);
    expect(await field('divisionCode=999999&from=2024-10-01&to=2024-10-31')).toEqual(['divisionCode']);
    expect(await field('divisionCode=abc')).toEqual(['divisionCode']);
  });

  it('registers a visit received at a session, on its day, as a visit petition with the receiving leader; a repeat at the next session is linked', async () => {
    const sessions = (await api.get('/v1/receptions?divisionCode=500233&from=2024-10-08&to=2024-10-10')).body.sessions;
    const [tue, thu] = sessions;
    const r = await as('clerk', '2024-10-08T10:20:00+08:00').post(`/v1/receptions/${tue.sessionId}/petitions`, visit('13900002001'));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ caseId: expect.any(String), sessionId: tue.sessionId, receivedBy: tue.leader, petitionerToken: expect.any(String) });
    const caseId = r.body.caseId;
    const file = (await api.as(t.analyst).get(`/v1/cases/${caseId}`)).body;
    expect(file).toMatchObject({ channel: 'visit', regionCode: '500233', reception: { sessionId: tue.sessionId, date: '2024-10-08', leader: { ...tue.leader, divisionCode: '500233' } } });

    const again = await as('clerk', '2024-10-10T11:00:00+08:00').post(`/v1/receptions/${thu.sessionId}/petitions`, visit('13900002001'));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ caseId, repeat: true, receivedBy: thu.leader });
    const timeline = (await api.as(t.analyst).get(`/v1/cases/${caseId}/timeline`)).body.entries.map((e: { summary: string }) => e.summary);
    expect(timeline[0]).toContain(`领导接访日由${tue.leader.title}${tue.leader.name}接待`);
    expect(timeline).toContain(`同一信访人就同一事项重复信访（来访，领导接访日由${thu.leader.title}${thu.leader.name}接待），并入本件办理`);
  });

  it('refuses a visit registered on another day, a session that is not held, and callers who are not intake staff', async () => {
    const store = running.app.get<EventStore>(EVENT_STORE);
    const head = await store.headPosition();
    const late = await as('clerk', '2024-10-09T09:00:00+08:00').post('/v1/receptions/zhongxian-weekly:2024-10-08/petitions', visit('13900002002'));
    expect({ status: late.status, code: late.body.error.code, date: late.body.error.details.date }).toEqual({ status: 409, code: 'RECEPTION_NOT_IN_SESSION', date: '2024-10-08' });
    // 10-03 is a Thursday in the National Day holiday: no reception
    expect((await as('clerk', '2024-10-03T09:00:00+08:00').post('/v1/receptions/zhongxian-weekly:2024-10-03/petitions', visit('13900002002'))).body.error.code)
      .toBe('RECEPTION_SESSION_NOT_FOUND');
    expect((await as('clerk', '2024-10-08T09:00:00+08:00').post('/v1/receptions/zhongxian/petitions', visit('13900002002'))).status).toBe(400);
    const noPetitioner = await as('clerk', '2024-10-08T09:00:00+08:00').post('/v1/receptions/zhongxian-weekly:2024-10-08/petitions', { subject: 's', content: 'c' });
    expect(noPetitioner.body.error.details.map((d: { field: string }) => d.field)).toContain('petitioner');
    // the same hole on the ordinary registration route: an absent petitioner was a 500
    const plain = await api.post('/v1/petitions', { channel: 'online', regionCode: '500233', subject: 's', content: 'c' });
    expect({ status: plain.status, fields: plain.body.error.details?.map((d: { field: string }) => d.field) }).toEqual({ status: 400, fields: ['petitioner'] });
    expect((await api.at('2024-10-08T09:00:00+08:00').post('/v1/receptions/zhongxian-weekly:2024-10-08/petitions', visit('13900002002'))).status).toBe(401);
    expect((await as('caseworker', '2024-10-08T09:00:00+08:00').post('/v1/receptions/zhongxian-weekly:2024-10-08/petitions', visit('13900002002'))).status).toBe(403);
    expect(await store.headPosition()).toBe(head);
  });

  it('lists a leader\'s 包案: the visits they received and the cases of the task forces they lead', async () => {
    const [session] = (await api.get('/v1/receptions?divisionCode=500233&from=2024-10-15&to=2024-10-15')).body.sessions;
    const leader = session.leader;
    const received = (await as('clerk', '2024-10-15T09:30:00+08:00').post(`/v1/receptions/${session.sessionId}/petitions`, visit('13900002003'))).body.caseId;
    const other = (await as('clerk', '2024-10-15T09:40:00+08:00').post('/v1/petitions', { channel: 'visit', regionCode: '500233', ...visit('13900002004'), subject: '移民安置房漏水' })).body.caseId;
    // the same leader takes both cases up in a task force (包案), the received one included
    const tf = await as('coordinator', '2024-10-16T09:00:00+08:00').post('/v1/task-forces', {
      name: '征地补偿问题专班', leader: { name: leader.name, title: leader.title }, caseIds: [received, other], agencyIds: [],
    });
    expect(tf.status).toBe(201);

    const list = await api.as(t.analyst).get(`/v1/leaders/cases?name=${encodeURIComponent(leader.name)}&divisionCode=500233`);
    expect(list.status).toBe(200);
    const byCase = Object.fromEntries(list.body.cases.map((c: { caseId: string; via: { kind: string }[] }) => [c.caseId, c.via.map((v) => v.kind)]));
    expect(byCase[received]).toEqual(['reception', 'task-force']);
    expect(byCase[other]).toEqual(['task-force']);
    expect(list.body.divisions).toEqual([{ divisionCode: '500233', divisionName: '忠县' }]);
    const leaders = (await api.as(t.analyst).get('/v1/leaders?divisionCode=500233')).body.items;
    expect(leaders.find((l: { name: string }) => l.name === leader.name)).toMatchObject({ divisionName: '忠县', taskForces: 1, cases: expect.any(Number) });
    // another province's bureau sees none of it; a name is required
    expect((await api.as(t.scCoordinator).get(`/v1/leaders/cases?name=${encodeURIComponent(leader.name)}`)).body.total).toBe(0);
    expect((await api.as(t.analyst).get('/v1/leaders/cases')).body.error.details.map((d: { field: string }) => d.field)).toEqual(['name']);
    expect((await api.as(t.caseworker).get(`/v1/leaders/cases?name=${encodeURIComponent(leader.name)}`)).status).toBe(403);
  });
});
