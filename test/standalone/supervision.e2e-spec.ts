import type { StoredEvent } from '@lianban/contracts';
import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE } from '@lianban/platform';
import { Api, startStandalone, tempDataDir, type RunningApp } from '@lianban/testing/standalone';

/**
 * 督办 (Art. 40) by the deadline watch: automatic when an agency's limit passes unmet
 * (AUTO_SUPERVISION), the written answer due within SUPERVISION_ANSWER_DAYS, and a late answer
 * escalated up the division hierarchy. Moments are pinned with X-Lianban-Clock.
 */
const SUPERVISION = 'lianban.case.supervision-issued.v1';

describe('standalone: automatic and escalated 督办 (Art. 40)', () => {
  jest.setTimeout(60_000);
  const apps: RunningApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close().catch(() => undefined);
  });

  async function start(env: Record<string, string>, dataDir?: string) {
    const running = await startStandalone({ dataDir, env });
    apps.push(running);
    const api = new Api(running.url);
    const t: Record<string, string> = {};
    const tokens: [string, string, string?][] = [
      ['clerk', 'clerk', '500112-xfb'], ['coordinator', 'coordinator', '500112-xfb'], ['rsj', 'caseworker', '500112-rsj'],
      ['scClerk', 'clerk', '511623-xfj'], ['scCoordinator', 'coordinator', '511623-xfj'], ['sw', 'caseworker', '511623-sw'], ['admin', 'admin'], ['analyst', 'analyst'],
    ];
    for (const [name, role, agency] of tokens) t[name] = await api.token(role, agency);
    const as = (who: string, clock: string) => api.as(t[who]).at(clock);
    const watch = async (clock: string, caseIds: string[]) => {
      const r = await as('admin', clock).post('/v1/dev/deadline-watch', { caseIds });
      expect(r.status).toBe(200);
      return r.body;
    };
    const supervisions = async (caseId: string): Promise<StoredEvent[]> =>
      (await running.app.get<EventStore>(EVENT_STORE).readByCase(caseId)).filter((e) => e.type === SUPERVISION);
    const timeline = async (caseId: string) => (await api.as(t.analyst).get(`/v1/cases/${caseId}/timeline`)).body.entries as { type: string; summary: string }[];
    return { running, api, as, watch, supervisions, timeline };
  }

  type App = Awaited<ReturnType<typeof start>>;
  let phones = 0;

  async function assigned(app: App, clock: string, where: 'cq' | 'sc' = 'cq') {
    const [clerk, coordinator, regionCode, agencyId] = where === 'cq' ? ['clerk', 'coordinator', '500112', '500112-rsj'] : ['scClerk', 'scCoordinator', '511623', '511623-sw'];
    const r = await app.as(clerk, clock).post('/v1/petitions', {
      channel: 'letter', regionCode, demandClass: 'claim', petitioner: { name: '周某', phone: `1360000${String(++phones).padStart(4, '0')}` }, subject: `事项${phones}：拖欠工程款`, content: 'x',
    });
    expect(r.status).toBe(201);
    await app.as(coordinator, clock).post(`/v1/cases/${r.body.caseId}/classification`, { demandClass: 'claim', category: '劳动保障', route: 'petition' });
    expect((await app.as(coordinator, clock).post(`/v1/cases/${r.body.caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId, role: 'lead' }] })).status).toBe(201);
    return r.body.caseId as string;
  }

  it('an overdue task gets exactly one automatic 督办 — the watch run, the app restarted on the same data, the watch run again', async () => {
    const dataDir = tempDataDir();
    const env = { AUTO_SUPERVISION: 'on', SUPERVISION_ANSWER_DAYS: '7' };
    let app = await start(env, dataDir);
    // assigned 03-05: the acknowledgement (告知) is due at the end of 03-20 (Art. 23)
    const caseId = await assigned(app, '2024-03-05T09:00:00+08:00');
    expect((await app.watch('2024-03-20T23:00:00+08:00', [caseId])).supervised).toEqual([]);
    const first = await app.watch('2024-03-21T09:00:00+08:00', [caseId]);
    expect(first.flagged).toEqual([expect.objectContaining({ type: 'overdue', limitId: 'acknowledge:500112-rsj' })]);
    expect(first.supervised).toEqual([{
      caseId, supervisionId: expect.any(String), agencyId: '500112-rsj', supervisorId: '500112-xfb', limitId: 'acknowledge:500112-rsj', escalatedFrom: null,
    }]);
    expect((await app.watch('2024-03-21T10:00:00+08:00', [caseId])).supervised).toEqual([]);
    await app.running.close();

    app = await start(env, dataDir);
    expect((await app.watch('2024-03-22T09:00:00+08:00', [caseId])).supervised).toEqual([]);
    expect((await app.watch('2024-03-25T09:00:00+08:00', [caseId])).supervised).toEqual([]);
    const stored = await app.supervisions(caseId);
    expect(stored.map((e) => (e.data as { automatic?: { limitId: string } }).automatic?.limitId)).toEqual(['acknowledge:500112-rsj']);
    // SUPERVISION_ANSWER_DAYS=7: the written answer is due a week after the 督办, and the agency gives it
    expect(stored[0].data).toMatchObject({ answerDueAt: '2024-03-28T15:59:59.999Z', supervisorId: '500112-xfb' });
    const answer = await app.as('rsj', '2024-03-26T09:00:00+08:00').post(`/v1/cases/${caseId}/supervision/${first.supervised[0].supervisionId}/answer`, { text: '已受理并告知信访人' });
    expect(answer.body).toMatchObject({ withinLimit: true });
    expect((await app.timeline(caseId)).filter((e) => e.type === SUPERVISION).map((e) => e.summary)).toEqual([
      '自动督办：渝北区信访办公室向渝北区人力资源和社会保障局发出督办，书面反馈期限至 2024-03-28：受理告知期限 2024-03-20 已过仍未办理，自动督办（Art. 23）',
    ]);
  });

  it('each limit gets its own: the handling limit passing later is supervised too, and nothing is escalated once answered', async () => {
    const app = await start({ AUTO_SUPERVISION: 'on', AUTO_SUPERVISION_LIMITS: 'handle' });
    const caseId = await assigned(app, '2024-03-05T09:00:00+08:00');
    // the acknowledgement is late, but only the handling limit is supervised here
    expect((await app.watch('2024-03-22T09:00:00+08:00', [caseId])).supervised).toEqual([]);
    const accepted = await app.as('rsj', '2024-03-22T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/acceptance`, {});
    expect(accepted.body.handleDueAt).toBe('2024-05-21T15:59:59.999Z');
    const due = await app.watch('2024-05-22T09:00:00+08:00', [caseId]);
    expect(due.supervised).toEqual([expect.objectContaining({ limitId: 'handle:500112-rsj', supervisorId: '500112-xfb' })]);
    await app.as('rsj', '2024-05-23T09:00:00+08:00').post(`/v1/cases/${caseId}/supervision/${due.supervised[0].supervisionId}/answer`, { text: '本周内答复' });
    expect((await app.watch('2024-07-01T09:00:00+08:00', [caseId])).supervised).toEqual([]);
    expect(await app.supervisions(caseId)).toHaveLength(1);
  });

  it('is off unless configured: the watch flags the overdue limit and issues no 督办', async () => {
    const app = await start({});
    const caseId = await assigned(app, '2024-03-05T09:00:00+08:00');
    const report = await app.watch('2024-04-01T09:00:00+08:00', [caseId]);
    expect(report.flagged.map((f: { limitId: string }) => f.limitId)).toContain('acknowledge:500112-rsj');
    expect(report.supervised).toEqual([]);
    expect(await app.supervisions(caseId)).toEqual([]);
  });

  it('a 督办 answered too late moves up the division hierarchy, one level per late answer, until the registry has none above', async () => {
    const app = await start({ AUTO_SUPERVISION: 'on' });
    // 邻水县水务局: supervised by 邻水县信访局, then 广安市信访局, then 四川省信访局
    const caseId = await assigned(app, '2024-03-05T09:00:00+08:00', 'sc');
    const auto = (await app.watch('2024-03-21T09:00:00+08:00', [caseId])).supervised;
    expect(auto).toEqual([expect.objectContaining({ agencyId: '511623-sw', supervisorId: '511623-xfj', limitId: 'acknowledge:511623-sw' })]);
    // its answer is due at the end of 04-05 (15 日)
    expect((await app.watch('2024-04-05T23:00:00+08:00', [caseId])).supervised).toEqual([]);
    const city = (await app.watch('2024-04-06T09:00:00+08:00', [caseId])).supervised;
    expect(city).toEqual([expect.objectContaining({ agencyId: '511623-sw', supervisorId: '511600-xfj', escalatedFrom: auto[0].supervisionId, limitId: null })]);
    expect((await app.watch('2024-04-07T09:00:00+08:00', [caseId])).supervised).toEqual([]);
    const province = (await app.watch('2024-04-22T09:00:00+08:00', [caseId])).supervised;
    expect(province).toEqual([expect.objectContaining({ supervisorId: '510000-xfj', escalatedFrom: city[0].supervisionId })]);
    // nothing above the province in the registry: the province's own late answer stays where it is
    expect((await app.watch('2024-05-08T09:00:00+08:00', [caseId])).supervised).toEqual([]);
    expect((await app.supervisions(caseId)).map((e) => (e.data as { supervisorId: string }).supervisorId)).toEqual(['511623-xfj', '511600-xfj', '510000-xfj']);
    const escalated = (await app.timeline(caseId)).filter((e) => e.summary.startsWith('提级督办')).map((e) => e.summary);
    expect(escalated[0]).toBe('提级督办：广安市信访局向邻水县水务局发出督办，书面反馈期限至 2024-04-21：督办书面反馈期限 2024-04-05 已过仍未反馈，提级督办');
    // the agency answers the escalated 督办 like any other
    expect((await app.as('sw', '2024-05-09T09:00:00+08:00').post(`/v1/cases/${caseId}/supervision/${province[0].supervisionId}/answer`, { text: '已落实' })).status).toBe(201);
  });

  it('escalates a manual 督办 from the bureau that issued it, unless SUPERVISION_ESCALATION=off', async () => {
    for (const [escalation, expected] of [['on', ['500112-xfb', '500000-xfb']], ['off', ['500112-xfb']]] as const) {
      const app = await start({ SUPERVISION_ESCALATION: escalation });
      const caseId = await assigned(app, '2024-03-05T09:00:00+08:00');
      const issued = await app.as('coordinator', '2024-03-08T09:00:00+08:00').post(`/v1/cases/${caseId}/supervision`, { agencyId: '500112-rsj', reason: '请加快办理' });
      expect(issued.body.answerDueAt).toBe('2024-03-23T15:59:59.999Z');
      await app.watch('2024-03-25T09:00:00+08:00', [caseId]);
      await app.watch('2024-03-26T09:00:00+08:00', [caseId]);
      expect((await app.supervisions(caseId)).map((e) => (e.data as { supervisorId: string }).supervisorId)).toEqual(expected);
    }
  });
});
