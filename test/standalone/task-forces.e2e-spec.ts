import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE, HlcService } from '@lianban/platform';
import { Api, eventually, type RunningApp } from '@lianban/testing/standalone';
import { E2E_STORES, startStandaloneOn } from '@lianban/testing/stores';

/**
 * 工作专班 over HTTP: formed for several cases by a coordinator, a leader who owns them (包案),
 * members of both provinces, milestones, 专题会 and site visits, closing — and its events, stored
 * once in the task force's own stream, in the timeline of every case it took up.
 */
const type = (name: string) => `lianban.${name}.v1`;

describe.each(E2E_STORES)('standalone on %s: task forces (工作专班)', (store) => {
  jest.setTimeout(60_000);
  let running: RunningApp;
  let api: Api;
  const t: Record<string, string> = {};
  let phones = 0;

  beforeAll(async () => {
    running = await startStandaloneOn(store);
    api = new Api(running.url);
    const tokens: [string, string, string?][] = [
      ['clerk', 'clerk', '500109-xfb'], ['coordinator', 'coordinator', '500109-xfb'], ['zjw', 'caseworker', '500109-zjw'],
      ['scCoordinator', 'coordinator', '511623-xfj'], ['supervisor', 'supervisor', '500000-xfb'], ['analyst', 'analyst'], ['admin', 'admin'],
    ];
    for (const [name, role, agency] of tokens) t[name] = await api.token(role, agency);
  });
  afterAll(() => running?.close());

  const as = (who: string, clock: string) => api.as(t[who]).at(clock);

  async function assignedCase(clock: string, subject: string): Promise<string> {
    const r = await as('clerk', clock).post('/v1/petitions', {
      channel: 'visit', regionCode: '500109', demandClass: 'claim', petitioner: { name: '袁某', phone: `1390000${String(++phones).padStart(4, '0')}` },
      subject, content: '房屋质量问题，与开发商多次协商未果',
    });
    expect(r.status).toBe(201);
    expect((await as('coordinator', clock).post(`/v1/cases/${r.body.caseId}/classification`, { demandClass: 'claim', category: '城乡建设/房屋质量', route: 'petition' })).status).toBe(201);
    expect((await as('coordinator', clock).post(`/v1/cases/${r.body.caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: '500109-zjw', role: 'lead' }] })).status).toBe(201);
    return r.body.caseId;
  }

  async function formed(clock: string, caseIds: string[], over: Record<string, unknown> = {}, headers?: Record<string, string>) {
    return as('coordinator', clock).post('/v1/task-forces', {
      name: '某小区房屋质量问题工作专班', purpose: '化解房屋质量纠纷', leader: { name: '刘某', title: '北碚区副区长' }, caseIds,
      agencyIds: ['500109-zjw', '511623-sw'], ...over,
    }, headers);
  }

  const timeline = async (caseId: string, asOf?: string) => {
    const r = await api.as(t.analyst).get(`/v1/cases/${caseId}/timeline${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`);
    expect(r.status).toBe(200);
    return r.body.entries as { type: string; summary: string; at: string; streamId: string; eventId: string }[];
  };

  const refused = (r: { status: number; body: any }, code: string) => expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status: 409, code });

  it('is formed for two cases with a leader who owns them and members of both provinces; its events join both timelines, once each', async () => {
    const a = await assignedCase('2024-03-04T09:00:00+08:00', '一期3栋墙体开裂');
    const b = await assignedCase('2024-03-04T10:00:00+08:00', '一期5栋屋面渗水');
    const r = await formed('2024-03-11T09:00:00+08:00', [a, b]);
    expect(r.status).toBe(201);
    const id = r.body.taskForceId;
    expect(r.body).toEqual({ taskForceId: expect.any(String), caseIds: [a, b], linked: [a, b] });
    const m = await as('coordinator', '2024-03-11T10:00:00+08:00').post(`/v1/task-forces/${id}/milestones`, { title: '委托第三方房屋质量检测', dueDate: '2024-04-15' });
    expect(m.body).toEqual({ taskForceId: id, milestoneId: expect.any(String), dueAt: '2024-04-15T15:59:59.999Z' });
    const visit = await as('coordinator', '2024-03-12T18:00:00+08:00').post(`/v1/task-forces/${id}/site-visits`, {
      heldAt: '2024-03-12T09:30:00+08:00', place: '某小区一期', topic: '查看墙体裂缝和屋面渗水',
      attendees: [{ name: '刘某', title: '北碚区副区长' }, { name: '王某', agencyId: '500109-zjw' }], conclusions: ['裂缝、渗水属实', '委托第三方检测'],
    });
    expect(visit.status).toBe(201);
    expect((await as('coordinator', '2024-03-20T18:00:00+08:00').post(`/v1/task-forces/${id}/meetings`, {
      heldAt: '2024-03-20T14:30:00+08:00', place: '北碚区住建委会议室', topic: '研究维修方案', attendees: [{ name: '刘某' }], conclusions: ['开发商承担维修责任'],
    })).status).toBe(201);

    // causal order: the formation, then the link it caused on each case
    const ofTaskForce = [type('taskforce.formed'), type('case.task-force-joined'), type('taskforce.milestone-set'), type('taskforce.site-visited'), type('taskforce.meeting-held')];
    for (const caseId of [a, b]) {
      const entries = (await timeline(caseId)).filter((e) => e.type.includes('task-force') || e.type.includes('taskforce'));
      expect(entries.map((e) => e.type)).toEqual(ofTaskForce);
      expect(entries.map((e) => e.summary)).toEqual([
        '成立工作专班「某小区房屋质量问题工作专班」，北碚区副区长刘某任组长包案，成员单位：北碚区住房和城乡建设委员会、邻水县水务局',
        '纳入工作专班「某小区房屋质量问题工作专班」，由北碚区副区长刘某包案',
        '工作专班确定工作节点「委托第三方房屋质量检测」，2024-04-15 前完成',
        '工作专班实地查看：2024-03-12，某小区一期，查看墙体裂缝和屋面渗水（2人参加）：裂缝、渗水属实；委托第三方检测',
        '召开专题会：2024-03-20，北碚区住建委会议室，研究维修方案（1人参加）：开发商承担维修责任',
      ]);
      // as of the day before the meeting, the timeline had not reached it
      expect((await timeline(caseId, '2024-03-19T00:00:00+08:00')).map((e) => e.type)).not.toContain(type('taskforce.meeting-held'));
    }
    // written once, in the task force's own stream: both timelines show the same event
    const stored = await running.app.get<EventStore>(EVENT_STORE).readStream(`taskforce-${id}`);
    expect(stored.map((e) => e.type)).toEqual(ofTaskForce.filter((x) => x !== type('case.task-force-joined')));
    const meetingIn = async (caseId: string) => (await timeline(caseId)).find((e) => e.type === type('taskforce.meeting-held'))!.eventId;
    expect(await meetingIn(a)).toBe(await meetingIn(b));
    // the case view lists its task force
    expect((await api.as(t.analyst).get(`/v1/cases/${a}`)).body.taskForces).toEqual([
      { taskForceId: id, name: '某小区房屋质量问题工作专班', leader: { name: '刘某', title: '北碚区副区长', divisionCode: '500109' }, joinedAt: '2024-03-11T01:00:00.000Z' },
    ]);
  });

  it('shows progress: milestones completed, late and overdue as of a moment; closes as resolved only with every milestone met', async () => {
    const c = await assignedCase('2024-05-06T09:00:00+08:00', '二期车库积水');
    const id = (await formed('2024-05-07T09:00:00+08:00', [c])).body.taskForceId;
    const m1 = (await as('coordinator', '2024-05-07T10:00:00+08:00').post(`/v1/task-forces/${id}/milestones`, { title: '排查积水原因', dueDate: '2024-05-20' })).body.milestoneId;
    const m2 = (await as('coordinator', '2024-05-07T10:00:00+08:00').post(`/v1/task-forces/${id}/milestones`, { title: '完成排水改造', dueDate: '2024-06-10' })).body.milestoneId;
    const done = await as('coordinator', '2024-05-21T09:00:00+08:00').post(`/v1/task-forces/${id}/milestones/${m1}/completion`, { note: '系排水管堵塞' });
    expect(done.body).toMatchObject({ milestoneId: m1, late: true });
    refused(await as('coordinator', '2024-05-22T09:00:00+08:00').post(`/v1/task-forces/${id}/milestones/${m1}/completion`, { note: '再次' }), 'MILESTONE_ALREADY_COMPLETED');

    const view = (await as('analyst', '2024-06-15T09:00:00+08:00').get(`/v1/task-forces/${id}`)).body;
    expect(view.progress).toMatchObject({
      status: 'active', cases: 1, members: 2, milestones: { total: 2, completed: 1, completedLate: 1, overdue: 1, open: 0 }, completedShare: 0.5,
      nextMilestone: { milestoneId: m2, title: '完成排水改造' },
    });
    expect(view.milestones.map((m: { state: string }) => m.state)).toEqual(['completed-late', 'overdue']);
    expect(view).toMatchObject({ leader: { name: '刘某', divisionName: '北碚区' }, formedByName: '北碚区信访办公室', cases: [{ caseId: c, step: 'assigned' }] });
    expect(view.members.map((m: { agencyName: string }) => m.agencyName)).toEqual(['北碚区住房和城乡建设委员会', '邻水县水务局']);
    // a week earlier nothing was overdue yet
    expect((await as('analyst', '2024-06-08T09:00:00+08:00').get(`/v1/task-forces/${id}`)).body.progress.milestones).toMatchObject({ overdue: 0, open: 1 });

    refused(await as('coordinator', '2024-06-15T10:00:00+08:00').post(`/v1/task-forces/${id}/closure`, { outcome: 'resolved', summary: '已化解' }), 'MILESTONES_OPEN');
    const closed = await as('coordinator', '2024-06-15T10:00:00+08:00').post(`/v1/task-forces/${id}/closure`, { outcome: 'settled', summary: '信访人接受处理意见，息诉罢访' });
    expect(closed.body).toMatchObject({ outcome: 'settled', openMilestones: [m2] });
    refused(await as('coordinator', '2024-06-16T10:00:00+08:00').post(`/v1/task-forces/${id}/milestones`, { title: 'x', dueDate: '2024-07-01' }), 'TASK_FORCE_CLOSED');
    const after = (await as('analyst', '2024-07-01T09:00:00+08:00').get(`/v1/task-forces/${id}`)).body;
    expect(after.progress).toMatchObject({ status: 'closed', outcome: 'settled', milestones: { overdue: 0, unmet: 1 } });

    // the list the dashboard reads: filtered by status, leader and case
    const list = (await as('analyst', '2024-07-01T09:00:00+08:00').get('/v1/task-forces?status=closed')).body;
    expect(list.items.map((i: { taskForceId: string }) => i.taskForceId)).toContain(id);
    expect(list.items.every((i: { progress: { status: string } }) => i.progress.status === 'closed')).toBe(true);
    expect((await api.as(t.analyst).get(`/v1/task-forces?caseId=${c}`)).body.items.map((i: { taskForceId: string }) => i.taskForceId)).toEqual([id]);
    expect((await api.as(t.analyst).get('/v1/task-forces?leader=%E5%88%98%E6%9F%90')).body.total).toBeGreaterThanOrEqual(2);
    expect((await api.as(t.analyst).get('/v1/task-forces?leader=nobody')).body.total).toBe(0);
    expect((await as('analyst', '2024-07-01T09:00:00+08:00').get('/v1/task-forces?status=open')).status).toBe(400);
  });

  it('takes members of any region, once each, only agencies that exist and are in force', async () => {
    const c = await assignedCase('2024-06-03T09:00:00+08:00', '三期电梯故障');
    const id = (await formed('2024-06-04T09:00:00+08:00', [c], { agencyIds: [] })).body.taskForceId;
    const member = (agencyId: string, clock = '2024-06-05T09:00:00+08:00') => as('coordinator', clock).post(`/v1/task-forces/${id}/members`, { agencyId, duty: '技术指导' });
    expect((await member('500000-zjw')).status).toBe(201);
    expect((await member('510000-slt')).status).toBe(201);
    refused(await member('500000-zjw'), 'ALREADY_A_MEMBER');
    const unknown = await member('500109-abc');
    expect({ status: unknown.status, code: unknown.body.error.code, field: unknown.body.error.details?.[0]?.field }).toEqual({ status: 400, code: 'UNKNOWN_AGENCY', field: 'agencyId' });
    // 渝北区 was abolished on 2025-11-01: its agencies are no members after that
    const abolished = await member('500112-zjw', '2025-11-03T09:00:00+08:00');
    expect({ status: abolished.status, code: abolished.body.error.code, successor: abolished.body.error.details?.successorId }).toEqual({ status: 409, code: 'AGENCY_NOT_ACTIVE', successor: '500109-zjw' });
    expect((await as('coordinator', '2025-11-04T09:00:00+08:00').post(`/v1/task-forces/${id}/members/510000-slt/release`, { reason: '技术指导完成' })).status).toBe(201);
    refused(await as('coordinator', '2025-11-04T09:00:00+08:00').post(`/v1/task-forces/${id}/members/510000-slt/release`, { reason: 'x' }), 'NOT_A_MEMBER');
    expect((await as('coordinator', '2025-11-04T09:00:00+08:00').post(`/v1/task-forces/${id}/members/not-an-agency/release`, { reason: 'x' })).status).toBe(400);
    const view = (await api.as(t.analyst).get(`/v1/task-forces/${id}`)).body;
    expect(view.members.map((m: { agencyId: string; released: unknown }) => [m.agencyId, !!m.released])).toEqual([['500000-zjw', false], ['510000-slt', true]]);
  });

  it('checks every case before writing: a case dated after the formation leaves nothing behind; a retried request forms one task force', async () => {
    const early = await assignedCase('2024-07-01T09:00:00+08:00', '四期外墙脱落');
    const late = await assignedCase('2024-07-10T09:00:00+08:00', '四期窗户漏水');
    const storeOf = running.app.get<EventStore>(EVENT_STORE);
    const head = await storeOf.headPosition();
    refused(await formed('2024-07-05T09:00:00+08:00', [early, late]), 'COMMAND_BEFORE_LAST_EVENT');
    expect(await storeOf.headPosition()).toBe(head);

    const key = { 'idempotency-key': `tf-retry-${store}-0001` };
    const first = await formed('2024-07-11T09:00:00+08:00', [early, late], {}, key);
    const again = await formed('2024-07-11T09:00:00+08:00', [early, late], {}, key);
    expect(again.body).toEqual(first.body);
    // the same key from another coordinator is no retry of theirs
    const other = await api.as(await api.token('coordinator', '500109-xfb', 'another-coordinator')).at('2024-07-11T09:00:00+08:00').post('/v1/task-forces', {
      name: '某小区房屋质量问题工作专班', purpose: '化解房屋质量纠纷', leader: { name: '刘某', title: '北碚区副区长' }, caseIds: [early, late], agencyIds: ['500109-zjw', '511623-sw'],
    }, key);
    refused(other, 'IDEMPOTENCY_KEY_REUSED');
    expect((await storeOf.readStream(`taskforce-${first.body.taskForceId}`)).filter((e) => e.type === type('taskforce.formed'))).toHaveLength(1);
    expect((await storeOf.readByCase(early)).filter((e) => e.type === type('case.task-force-joined'))).toHaveLength(1);
  });

  it('links its cases even when the coordinator stopped right after forming it (the process manager finishes the links)', async () => {
    const c = await assignedCase('2024-08-05T09:00:00+08:00', '五期地下室开裂');
    const taskForceId = randomUUID();
    // the formation as stored, with no link yet: what a crash between the two appends leaves
    await running.app.get<EventStore>(EVENT_STORE).append(`taskforce-${taskForceId}`, [{
      id: randomUUID(), type: type('taskforce.formed'), caseId: taskForceId, causationId: null, region: 'cq', agencyId: '500109-xfb',
      actor: { id: 'coordinator-1', role: 'coordinator' }, occurredAt: '2024-08-06T01:00:00.000Z',
      hlc: running.app.get(HlcService).stamp('2024-08-06T01:00:00.000Z'),
      data: {
        taskForceId, name: '五期专班', purpose: '', leader: { name: '陈某', title: '北碚区副区长', divisionCode: '500109' }, caseIds: [c], members: [], formedBy: '500109-xfb',
      },
    }], 'no-stream');
    const linked = await eventually(async () => {
      const entries = await timeline(c);
      return entries.some((e) => e.type === type('case.task-force-joined')) ? entries : null;
    }, 'the process manager to link the case');
    expect(linked.filter((e) => e.type === type('taskforce.formed'))).toHaveLength(1);
  });

  it('is for the coordinator to act on; supervisors and analysts read; another province\'s bureau does not see it', async () => {
    const c = await assignedCase('2024-09-02T09:00:00+08:00', '六期绿化不达标');
    const id = (await formed('2024-09-03T09:00:00+08:00', [c])).body.taskForceId;
    for (const who of ['zjw', 'analyst', 'supervisor']) {
      const r = await as(who, '2024-09-04T09:00:00+08:00').post(`/v1/task-forces/${id}/milestones`, { title: 'x', dueDate: '2024-10-01' });
      expect({ who, status: r.status, code: r.body.error.code }).toEqual({ who, status: 403, code: 'ROLE_NOT_ALLOWED' });
    }
    expect((await api.as(t.supervisor).get(`/v1/task-forces/${id}`)).status).toBe(200);
    expect((await api.as(t.zjw).get(`/v1/task-forces/${id}`)).status).toBe(403);
    expect((await api.as(t.scCoordinator).get(`/v1/task-forces/${id}`)).status).toBe(404);
    expect((await api.as(t.scCoordinator).get('/v1/task-forces')).body.items.map((i: { taskForceId: string }) => i.taskForceId)).not.toContain(id);
    expect((await api.get(`/v1/task-forces/${id}`)).status).toBe(401);
    expect((await api.as(t.analyst).get(`/v1/task-forces/${randomUUID()}`)).status).toBe(404);
  });

  it('answers malformed input with a 400 naming the field, never a 500, and stores nothing', async () => {
    const c = await assignedCase('2024-10-08T09:00:00+08:00', '七期消防通道占用');
    const id = (await formed('2024-10-09T09:00:00+08:00', [c])).body.taskForceId;
    const storeOf = running.app.get<EventStore>(EVENT_STORE);
    const head = await storeOf.headPosition();
    const fieldOf = async (path: string, body: unknown) => {
      const r = await as('coordinator', '2024-10-10T09:00:00+08:00').post(path, body);
      expect(r.status).toBe(400);
      return (r.body.error.details as { field: string }[]).map((d) => d.field);
    };
    expect(await fieldOf('/v1/task-forces', { name: 'x', leader: { name: '刘某', title: 't' }, caseIds: [] })).toContain('caseIds');
    expect(await fieldOf('/v1/task-forces', { name: 'x', leader: { title: 't' }, caseIds: [c] })).toContain('leader.name');
    expect(await fieldOf('/v1/task-forces', { name: 'x', caseIds: [c] })).toContain('leader');
    expect(await fieldOf('/v1/task-forces', { name: 'x', leader: { name: '刘某', title: 't' }, caseIds: [randomUUID()] })).toEqual(['caseIds[0]']);
    expect(await fieldOf('/v1/task-forces', { name: 'x', leader: { name: '刘某', title: 't', divisionCode: '999999' }, caseIds: [c] })).toEqual(['leader.divisionCode']);
    expect(await fieldOf(`/v1/task-forces/${id}/milestones`, { title: 'x', dueDate: '2024-02-30' })).toEqual(['dueDate']);
    expect(await fieldOf(`/v1/task-forces/${id}/meetings`, { heldAt: '2024-10-09 14:00', place: 'p', topic: 't', attendees: [{ name: 'a' }], conclusions: ['c'] })).toEqual(['heldAt']);
    expect(await fieldOf(`/v1/task-forces/${id}/site-visits`, { heldAt: '2024-10-09T14:00:00+08:00', place: 'p', topic: 't', attendees: [], conclusions: ['c'] })).toEqual(['attendees']);
    expect(await fieldOf(`/v1/task-forces/${id}/closure`, { outcome: 'done', summary: 's' })).toEqual(['outcome']);
    const routes = ['/v1/task-forces', `/v1/task-forces/${id}/members`, `/v1/task-forces/${id}/milestones`, `/v1/task-forces/${id}/meetings`,
      `/v1/task-forces/${id}/site-visits`, `/v1/task-forces/${id}/closure`, `/v1/task-forces/${id}/milestones/${randomUUID()}/completion`];
    const bodies = fc.sample(fc.oneof(
      fc.anything(),
      fc.record({ name: fc.anything(), leader: fc.anything(), caseIds: fc.anything(), agencyIds: fc.anything(), heldAt: fc.anything(), attendees: fc.anything(), outcome: fc.anything(), dueDate: fc.anything() }, { requiredKeys: [] }),
    ), { numRuns: 15, seed: 7 });
    for (const path of routes) {
      for (const body of bodies.filter((b) => b !== undefined && JSON.stringify(b) !== '{}')) {
        const r = await as('coordinator', '2024-10-10T09:00:00+08:00').post(path, body);
        expect([400, 404, 409]).toContain(r.status);
      }
    }
    expect(await storeOf.headPosition()).toBe(head);
  });
});
