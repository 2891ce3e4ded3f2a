import { createTestIssuer } from '@lianban/testing/jwt';
import { Api, eventually, startStandalone, tempDataDir, type RunningApp } from '@lianban/testing/standalone';

/**
 * The deadline watch as a process: restart-safe (after downtime it catches up, it never raises a
 * flag twice, it misses none), driven by its own timer, and its dev endpoint absent outside dev mode.
 */
describe('standalone: the deadline watch (预警 and overdue) across restarts', () => {
  const flagsOf = async (api: Api, token: string, caseId: string) =>
    (await api.as(token).get(`/v1/cases/${caseId}/timeline`)).body.entries
      .filter((e: { type: string }) => e.type.includes('.deadline-'))
      .map((e: { type: string; at: string; summary: string }) => [e.type.replace(/^lianban\.case\.|\.v1$/g, ''), e.at, e.summary]);

  it('after downtime the first check catches up; repeated checks and restarts raise nothing twice', async () => {
    const dataDir = tempDataDir();
    let running: RunningApp = await startStandalone({ dataDir });
    let api = new Api(running.url);
    const clerk = await api.token('clerk', '500112-xfb');
    const coordinator = await api.token('coordinator', '500112-xfb');
    const admin = await api.token('admin');
    const analyst = await api.token('analyst');
    const watch = async (at: string, caseIds: string[]) => (await api.as(admin).at(at).post('/v1/dev/deadline-watch', { caseIds })).body;
    const petition = (phone: string) => ({ channel: 'letter', regionCode: '500112', petitioner: { name: '王某', phone }, subject: `噪声扰民${phone}`, content: '夜间施工' });
    let first: string;
    let second: string;
    try {
      first = (await api.as(clerk).at('2024-03-04T09:00:00+08:00').post('/v1/petitions', petition('13500000001'))).body.caseId;
      await api.as(coordinator).at('2024-03-05T09:00:00+08:00').post(`/v1/cases/${first}/classification`, { demandClass: 'claim', category: '环境', route: 'petition' });
      await api.as(coordinator).at('2024-03-05T09:00:00+08:00').post(`/v1/cases/${first}/assignments`, { mode: 'forward', agencies: [{ agencyId: '500112-rsj', role: 'lead' }] });
      // the acknowledgement is due at the end of 03-20; the default warning comes 3 days before
      expect((await watch('2024-03-18T10:00:00+08:00', [first])).flagged).toEqual([expect.objectContaining({ type: 'warning', limitId: 'acknowledge:500112-rsj' })]);
      // a second case is routed late while the watch is not looking at it
      second = (await api.as(clerk).at('2024-03-04T09:00:00+08:00').post('/v1/petitions', petition('13500000002'))).body.caseId;
      await api.as(coordinator).at('2024-03-25T09:00:00+08:00').post(`/v1/cases/${second}/classification`, { demandClass: 'claim', category: '环境', route: 'petition' });
      await api.as(coordinator).at('2024-03-25T09:00:00+08:00').post(`/v1/cases/${second}/assignments`, { mode: 'forward', agencies: [{ agencyId: '500112-rsj', role: 'lead' }] });
    } finally {
      await running.close();
    }

    running = await startStandalone({ dataDir });
    api = new Api(running.url);
    try {
      const report = await watch('2024-04-01T10:00:00+08:00', [first, second]);
      expect(report.flagged).toEqual([
        { caseId: first, type: 'overdue', limitId: 'acknowledge:500112-rsj', kind: 'acknowledge', agencyId: '500112-rsj', dueAt: '2024-03-20T15:59:59.999Z' },
        // met late, during the downtime: still flagged, once
        { caseId: second, type: 'overdue', limitId: 'route', kind: 'route', agencyId: null, dueAt: '2024-03-19T15:59:59.999Z' },
      ]);
      expect((await watch('2024-04-02T10:00:00+08:00', [first, second])).flagged).toEqual([]);
    } finally {
      await running.close();
    }

    running = await startStandalone({ dataDir });
    api = new Api(running.url);
    try {
      expect((await watch('2024-04-03T10:00:00+08:00', [first, second])).flagged).toEqual([]);
      expect(await flagsOf(api, analyst, first)).toEqual([
        ['deadline-warning', '2024-03-18T02:00:00.000Z', '期限预警：渝北区人力资源和社会保障局受理告知期限 2024-03-20 届满'],
        ['deadline-overdue', '2024-04-01T02:00:00.000Z', '超期：渝北区人力资源和社会保障局受理告知期限 2024-03-20 已过'],
      ]);
      expect(await flagsOf(api, analyst, second)).toEqual([
        ['deadline-overdue', '2024-04-01T02:00:00.000Z', '超期：信访部门转送交办期限 2024-03-19 已过（逾期办结）'],
      ]);
    } finally {
      await running.close();
    }
  });

  it('its own timer raises a warning on the wall clock, and leaves alone cases acted on with X-Lianban-Clock', async () => {
    // route=16: a case registered now is within 16 days of its 15-day routing limit at once
    const running = await startStandalone({ env: { DEADLINE_WATCH_INTERVAL_MS: '200', DEADLINE_WARNING_DAYS: '3,route=16' } });
    try {
      const api = new Api(running.url);
      const clerk = await api.token('clerk', '500112-xfb');
      const analyst = await api.token('analyst');
      const simulated = (await api.as(clerk).at('2024-03-04T09:00:00+08:00').post('/v1/petitions', {
        channel: 'letter', regionCode: '500112', petitioner: { name: '赵某' }, subject: '模拟案件', content: '培训用',
      })).body.caseId;
      const live = (await api.as(clerk).post('/v1/petitions', { channel: 'letter', regionCode: '500112', petitioner: { name: '钱某' }, subject: '道路破损', content: 'x' })).body.caseId;
      const warned = await eventually(async () => {
        const flags = await flagsOf(api, analyst, live);
        return flags.length > 0 ? flags : null;
      }, 'the timer to warn of the routing limit');
      expect(warned).toEqual([['deadline-warning', expect.any(String), expect.stringContaining('转送交办期限')]]);
      // the tick that warned the live case ran after the simulated one was registered, and passed it over
      expect(await flagsOf(api, analyst, simulated)).toEqual([]);
    } finally {
      await running.close();
    }
  });

  it('outside the embedded dev mode the dev route answers 404', async () => {
    // jwt mode: staff tokens come from the organisation's issuer (libs/testing/src/jwt.ts)
    const issuer = createTestIssuer();
    const running = await startStandalone({ env: issuer.env });
    try {
      const admin = issuer.sign({ sub: 'admin-1', role: 'admin' });
      const r = await new Api(running.url).as(admin).post('/v1/dev/deadline-watch', {});
      expect(r.status).toBe(404);
    } finally {
      await running.close();
    }
  });
});
