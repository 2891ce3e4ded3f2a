import fc from 'fast-check';
import type { StoredEvent } from '@lianban/contracts';
import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE } from '@lianban/platform';
import { Api, eventually, type RunningApp } from '@lianban/testing/standalone';
import { E2E_STORES, startStandaloneOn } from '@lianban/testing/stores';

/**
 * Every rule of DESIGN 4.1–4.4 over HTTP against the standalone app: the 409 code a refused rule
 * answers with, or the rule's effect. Moments are pinned with X-Lianban-Clock, so the limits are
 * computed from known dates (the return window across the 2024 National Day holiday and its 调休).
 */
const type = (name: string) => `lianban.${name}.v1`;

describe.each(E2E_STORES)('standalone on %s: the procedure\'s rules and limits over HTTP', (store) => {
  let running: RunningApp;
  let api: Api;
  const t: Record<string, string> = {};
  let phones = 0;

  beforeAll(async () => {
    running = await startStandaloneOn(store);
    api = new Api(running.url);
    const tokens: [string, string, string?][] = [
      ['clerk', 'clerk', '500112-xfb'], ['coordinator', 'coordinator', '500112-xfb'], ['cityBureau', 'coordinator', '500000-xfb'],
      ['rsj', 'caseworker', '500112-rsj'], ['rsjHead', 'agency-head', '500112-rsj'], ['zjw', 'caseworker', '500112-zjw'],
      ['zjwHead', 'agency-head', '500112-zjw'], ['xfb', 'caseworker', '500112-xfb'], ['cityRsj', 'caseworker', '500000-rsj'],
      ['beibeiRsj', 'caseworker', '500109-rsj'], ['scClerk', 'clerk', '511623-xfj'], ['scCoordinator', 'coordinator', '511623-xfj'],
      ['sw', 'caseworker', '511623-sw'], ['slj', 'caseworker', '511600-slj'], ['slt', 'caseworker', '510000-slt'], ['scProvince', 'coordinator', '510000-xfj'],
      ['citySlj', 'caseworker', '500000-slj'], ['cityXfb', 'caseworker', '500000-xfb'], ['ybSlj', 'caseworker', '500112-slj'],
      ['admin', 'admin'], ['analyst', 'analyst'],
    ];
    for (const [name, role, agency] of tokens) t[name] = await api.token(role, agency);
  });
  afterAll(() => running?.close());

  const as = (who: string, clock: string) => api.as(t[who]).at(clock);

  /** a petition from a petitioner of its own (a shared one would make later ones Art. 19 repeats) */
  async function register(clock: string, over: { regionCode?: string; subject?: string; phone?: string; by?: string } = {}) {
    const phone = over.phone ?? `1370000${String(++phones).padStart(4, '0')}`;
    const r = await as(over.by ?? 'clerk', clock).post('/v1/petitions', {
      channel: 'visit', regionCode: over.regionCode ?? '500112', demandClass: 'claim', petitioner: { name: '张某', phone },
      subject: over.subject ?? `事项${phones}：小区物业纠纷`, content: '物业长期不作为。',
    });
    expect(r.status).toBe(201);
    return { caseId: r.body.caseId as string, petitioner: api.as(r.body.petitionerToken as string), phone };
  }

  async function assigned(clock: string, agencies: { agencyId: string; role: 'lead' | 'co' }[], mode: 'forward' | 'assign' = 'forward', coordinator = 'coordinator') {
    const c = await register(clock, coordinator === 'scCoordinator' ? { regionCode: '511623', by: 'scClerk' } : {});
    expect((await as(coordinator, clock).post(`/v1/cases/${c.caseId}/classification`, { demandClass: 'claim', category: '城乡建设', route: 'petition' })).status).toBe(201);
    const a = await as(coordinator, clock).post(`/v1/cases/${c.caseId}/assignments`, { mode, agencies });
    expect(a.status).toBe(201);
    return c;
  }

  const refused = (r: { status: number; body: any }, code: string, article?: string) => {
    expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status: 409, code });
    if (article) expect(r.body.error.article).toContain(article);
  };

  async function timeline(caseId: string): Promise<{ type: string; summary: string; agencyName: string | null; at: string }[]> {
    const r = await api.as(t.analyst).get(`/v1/cases/${caseId}/timeline`);
    expect(r.status).toBe(200);
    return r.body.entries;
  }

  async function watch(clock: string, caseIds: string[]) {
    const r = await as('admin', clock).post('/v1/dev/deadline-watch', { caseIds });
    expect(r.status).toBe(200);
    return r.body;
  }

  it('Art. 28, 31 (诉访分离): a matter routed to litigation goes to the 政法委 of the level with guidance, and is never assigned', async () => {
    const { caseId, petitioner } = await register('2024-03-04T09:00:00+08:00');
    const noGuidance = await as('coordinator', '2024-03-04T10:00:00+08:00').post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '合同纠纷', route: 'litigation' });
    expect(noGuidance.status).toBe(400);
    expect(noGuidance.body.error.message).toMatch(/guidance/);
    const out = await as('coordinator', '2024-03-04T10:00:00+08:00').post(`/v1/cases/${caseId}/classification`, {
      demandClass: 'claim', category: '合同纠纷', route: 'litigation', guidance: '您反映的合同纠纷属民事争议，请依法向人民法院提起诉讼。',
    });
    expect(out.status).toBe(201);
    expect(out.body.routedOut).toEqual({ route: 'litigation', guidance: '您反映的合同纠纷属民事争议，请依法向人民法院提起诉讼。', agencyId: '500112-zfw' });
    refused(await as('coordinator', '2024-03-05T10:00:00+08:00').post(`/v1/cases/${caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: '500112-rsj', role: 'lead' }] }), 'ROUTED_OUT', 'Art. 28');
    const view = (await petitioner.get(`/v1/petitions/${caseId}`)).body;
    expect(view).toMatchObject({ step: 'routed-out', routedOut: { routeName: '诉讼', agencyName: '中共渝北区委政法委员会', guidance: expect.stringContaining('人民法院') } });
    expect(view.limits[0]).toMatchObject({ kind: 'route', metAt: '2024-03-04T02:00:00.000Z' });
    // a district without its own 纪委监委 sends 纪检监察 matters to the one above
    const other = await register('2024-03-04T09:00:00+08:00', { regionCode: '500110' });
    const discipline = await as('coordinator', '2024-03-04T10:00:00+08:00').post(`/v1/cases/${other.caseId}/classification`, {
      demandClass: 'accusation', category: '违纪', route: 'discipline', guidance: '请向纪检监察机关反映。',
    });
    expect(discipline.body.routedOut.agencyId).toBe('500000-jw');
  });

  it('Art. 22: the routing limit — 预警 before it, overdue after it, once each however often the watch runs', async () => {
    const { caseId } = await register('2024-03-04T09:00:00+08:00');
    expect((await watch('2024-03-10T10:00:00+08:00', [caseId])).flagged).toEqual([]);
    expect((await watch('2024-03-17T10:00:00+08:00', [caseId])).flagged).toEqual([
      { caseId, type: 'warning', limitId: 'route', kind: 'route', agencyId: null, dueAt: '2024-03-19T15:59:59.999Z' },
    ]);
    expect((await watch('2024-03-18T10:00:00+08:00', [caseId])).flagged).toEqual([]);
    expect((await watch('2024-03-20T10:00:00+08:00', [caseId])).flagged).toEqual([
      { caseId, type: 'overdue', limitId: 'route', kind: 'route', agencyId: null, dueAt: '2024-03-19T15:59:59.999Z' },
    ]);
    expect((await watch('2024-03-21T10:00:00+08:00', [caseId])).flagged).toEqual([]);
    const view = (await api.as(t.analyst).get(`/v1/cases/${caseId}`)).body;
    expect(view.limits[0]).toMatchObject({ kind: 'route', metAt: null, warnedAt: '2024-03-17T02:00:00.000Z', overdueAt: '2024-03-20T02:00:00.000Z' });
    const flags = (await timeline(caseId)).filter((e) => e.type.includes('deadline'));
    expect(flags.map((e) => e.summary)).toEqual(['期限预警：信访部门转送交办期限 2024-03-19 届满', '超期：信访部门转送交办期限 2024-03-19 已过']);
  });

  it('Art. 23: an agency returns a task within 5 工作日 — across the 2024 National Day holiday Fri 09-27 → Thu 10-10 — and the bureau reassigns', async () => {
    const inTime = await assigned('2024-09-27T10:00:00+08:00', [{ agencyId: '500112-rsj', role: 'lead' }]);
    const inbox = (await api.as(t.rsj).get('/v1/inbox')).body.find((i: { caseId: string }) => i.caseId === inTime.caseId);
    expect(inbox).toMatchObject({ kind: 'task', returnDueAt: '2024-10-10T15:59:59.999Z' });
    const back = await as('rsj', '2024-10-10T20:00:00+08:00').post(`/v1/cases/${inTime.caseId}/tasks/500112-rsj/return`, { reason: '属房屋质量问题，不属本单位职权' });
    expect(back.status).toBe(201);
    expect((await inTime.petitioner.get(`/v1/petitions/${inTime.caseId}`)).body.step).toBe('returned');
    const again = await as('coordinator', '2024-10-11T09:00:00+08:00').post(`/v1/cases/${inTime.caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: '500112-zjw', role: 'lead' }] });
    expect(again.status).toBe(201);
    expect((await inTime.petitioner.get(`/v1/petitions/${inTime.caseId}`)).body.step).toBe('assigned');

    const late = await assigned('2024-09-27T10:00:00+08:00', [{ agencyId: '500112-rsj', role: 'lead' }]);
    const r = await as('rsj', '2024-10-11T09:00:00+08:00').post(`/v1/cases/${late.caseId}/tasks/500112-rsj/return`, { reason: '不属本单位职权' });
    refused(r, 'RETURN_WINDOW_CLOSED', 'Art. 23');
    expect(r.body.error.details).toEqual({ returnDueAt: '2024-10-10T15:59:59.999Z' });
    expect((await as('rsj', '2024-10-08T09:00:00+08:00').post(`/v1/cases/${late.caseId}/tasks/500112-rsj/return`, {})).status).toBe(400);
  });

  it('Art. 24: agencies of one district dispute competence; the district decides, and its decision assigns the task', async () => {
    const { caseId } = await assigned('2024-04-01T09:00:00+08:00', [{ agencyId: '500112-rsj', role: 'lead' }, { agencyId: '500112-zjw', role: 'co' }]);
    await as('rsj', '2024-04-02T09:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/acceptance`, {});
    const raised = await as('rsj', '2024-04-03T09:00:00+08:00').post(`/v1/cases/${caseId}/disputes`, { reason: '属建筑施工质量问题，应由住建部门主办' });
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({ parties: ['500112-rsj', '500112-zjw'], deciderId: '500112-xfb', deciderKind: 'division', deciderName: '渝北区信访办公室' });
    refused(await as('rsj', '2024-04-04T09:00:00+08:00').post(`/v1/cases/${caseId}/reply`, { outcome: 'explain', text: 'x' }), 'DISPUTE_OPEN', 'Art. 24');
    const wrong = await as('cityBureau', '2024-04-05T09:00:00+08:00').post(`/v1/cases/${caseId}/disputes/${raised.body.disputeId}/decision`, { agencyId: '500112-zjw' });
    expect({ status: wrong.status, code: wrong.body.error.code }).toEqual({ status: 403, code: 'NOT_THE_DECIDER' });
    const decided = await as('coordinator', '2024-04-05T09:00:00+08:00').post(`/v1/cases/${caseId}/disputes/${raised.body.disputeId}/decision`, { agencyId: '500112-zjw' });
    expect(decided.status).toBe(201);
    expect(decided.body).toMatchObject({ agencyId: '500112-zjw', relieved: ['500112-rsj'], assigned: true });
    const zjwInbox = (await api.as(t.zjw).get('/v1/inbox')).body.find((i: { caseId: string }) => i.caseId === caseId);
    expect(zjwInbox).toMatchObject({ role: 'lead', status: 'assigned', acknowledgeDueAt: '2024-04-20T15:59:59.999Z' });
    refused(await as('rsj', '2024-04-06T09:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/actions`, { kind: 'other', note: 'x' }), 'TASK_RELEASED');
    refused(await as('coordinator', '2024-04-06T09:00:00+08:00').post(`/v1/cases/${caseId}/disputes/${raised.body.disputeId}/decision`, { agencyId: '500112-rsj' }), 'DISPUTE_ALREADY_DECIDED', 'Art. 24');
    const summaries = (await timeline(caseId)).filter((e) => e.type.includes('dispute') || e.type.includes('assigned')).map((e) => e.summary);
    expect(summaries.at(-1)).toContain('依争议决定转送渝北区住房和城乡建设委员会（主办）');
  });

  it('Art. 24: across provinces there is no common superior; the joint conference decides through a member bureau', async () => {
    const { caseId } = await assigned('2024-04-01T09:00:00+08:00', [{ agencyId: '500112-slj', role: 'lead' }, { agencyId: '511623-sw', role: 'co' }]);
    const raised = await as('sw', '2024-04-02T09:00:00+08:00').post(`/v1/cases/${caseId}/disputes`, { reason: '河段在重庆境内，应由重庆方主办' });
    expect(raised.body).toMatchObject({ deciderId: 'cy-lxhy', deciderKind: 'joint-conference', deciderName: '川渝信访工作联席会议' });
    const notMember = await as('coordinator', '2024-04-03T09:00:00+08:00').post(`/v1/cases/${caseId}/disputes/${raised.body.disputeId}/decision`, { agencyId: '500112-slj' });
    expect(notMember.status).toBe(403);
    // 四川省信访局 sits on the joint conference: it may read this Chongqing case and decide
    const decided = await as('scProvince', '2024-04-03T09:00:00+08:00').post(`/v1/cases/${caseId}/disputes/${raised.body.disputeId}/decision`, { agencyId: '500112-slj' });
    expect(decided.status).toBe(201);
    expect(decided.body).toMatchObject({ relieved: ['511623-sw'], assigned: false });
  });

  it('Art. 34: the agency head extends the handling limit once, by at most 30 日, and the petitioner is told why', async () => {
    const { caseId, petitioner } = await assigned('2024-03-05T09:00:00+08:00', [{ agencyId: '500112-rsj', role: 'lead' }]);
    const acc = await as('rsj', '2024-03-06T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/acceptance`, {});
    expect(acc.body.handleDueAt).toBe('2024-05-05T15:59:59.999Z');
    const body = { days: 30, reason: '涉及人数众多，需逐一核实' };
    const byCaseworker = await as('rsj', '2024-04-20T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/extension`, body);
    expect({ status: byCaseworker.status, code: byCaseworker.body.error.code }).toEqual({ status: 403, code: 'ROLE_NOT_ALLOWED' });
    const otherHead = await as('zjwHead', '2024-04-20T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/extension`, body);
    expect(otherHead.status).toBe(403);
    refused(await as('rsjHead', '2024-04-20T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/extension`, { ...body, days: 31 }), 'EXTENSION_TOO_LONG', 'Art. 34');
    expect((await as('rsjHead', '2024-04-20T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/extension`, { ...body, days: 'thirty' })).status).toBe(400);
    const ok = await as('rsjHead', '2024-04-20T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/extension`, body);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ days: 30, previousDueAt: '2024-05-05T15:59:59.999Z', handleDueAt: '2024-06-04T15:59:59.999Z' });
    refused(await as('rsjHead', '2024-04-21T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/extension`, { ...body, days: 5 }), 'EXTENSION_ALREADY_GRANTED', 'Art. 34');
    const view = (await petitioner.get(`/v1/petitions/${caseId}`)).body;
    expect(view.notices).toEqual([{ at: '2024-04-20T02:00:00.000Z', kind: 'extension', agencyId: '500112-rsj', text: '因涉及人数众多，需逐一核实，经本机关负责人批准，办理期限延长30日，至2024-06-04。' }]);
    expect(view.limits.find((l: { kind: string }) => l.kind === 'handle')).toMatchObject({ dueAt: '2024-06-04T15:59:59.999Z', extendedByDays: 30, name: '办理答复' });
  });

  it('Art. 22, 32: the reply outcome (支持 / 解释说明 / 不予支持); in 交办 mode with a 办结报告 to the bureau', async () => {
    const assign = await assigned('2024-03-05T09:00:00+08:00', [{ agencyId: '500112-rsj', role: 'lead' }], 'assign');
    await as('rsj', '2024-03-06T10:00:00+08:00').post(`/v1/cases/${assign.caseId}/tasks/500112-rsj/acceptance`, {});
    refused(await as('rsj', '2024-03-20T10:00:00+08:00').post(`/v1/cases/${assign.caseId}/reply`, { outcome: 'support', text: '已解决' }), 'COMPLETION_REPORT_REQUIRED', 'Art. 22');
    expect((await as('rsj', '2024-03-20T10:00:00+08:00').post(`/v1/cases/${assign.caseId}/reply`, { outcome: 'maybe', text: 'x' })).status).toBe(400);
    const replied = await as('rsj', '2024-03-20T10:00:00+08:00').post(`/v1/cases/${assign.caseId}/reply`, {
      outcome: 'support', text: '已责令物业整改', completionReport: '物业已整改，信访人认可，事项办结。',
    });
    expect(replied.status).toBe(201);
    expect(replied.body.also).toEqual([expect.objectContaining({ type: type('task.completion-report-filed') })]);
    const file = (await api.as(t.analyst).get(`/v1/cases/${assign.caseId}`)).body;
    expect(file.tasks[0].completionReport).toEqual({ text: '物业已整改，信访人认可，事项办结。', at: '2024-03-20T02:00:00.000Z' });

    const forward = await assigned('2024-03-05T09:00:00+08:00', [{ agencyId: '500112-rsj', role: 'lead' }]);
    await as('rsj', '2024-03-06T10:00:00+08:00').post(`/v1/cases/${forward.caseId}/tasks/500112-rsj/acceptance`, {});
    expect((await as('rsj', '2024-03-20T10:00:00+08:00').post(`/v1/cases/${forward.caseId}/reply`, { outcome: 'not-support', text: '诉求缺乏依据' })).status).toBe(201);
    const answered = await eventually(async () => {
      const v = (await forward.petitioner.get(`/v1/petitions/${forward.caseId}`)).body;
      return v.step === 'answered' ? v : null;
    }, 'the forwarded case to be answered');
    expect(answered).toMatchObject({ answer: { outcomeName: '不予支持' }, canAppeal: { kind: 'review', until: '2024-04-19T15:59:59.999Z' } });
  });

  /** a Sichuan case answered by 邻水县水务局: its 复查 goes to 广安市水利局, its 复核 to 四川省水利厅 */
  async function answeredInSichuan(registeredAt: string, subject: string, phone?: string) {
    const c = await register(registeredAt, { regionCode: '511623', by: 'scClerk', subject, phone });
    await as('scCoordinator', registeredAt).post(`/v1/cases/${c.caseId}/classification`, { demandClass: 'claim', category: '水利/河道', route: 'petition' });
    await as('scCoordinator', registeredAt).post(`/v1/cases/${c.caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: '511623-sw', role: 'lead' }] });
    const day = (n: number) => new Date(Date.parse(registeredAt) + n * 86_400_000).toISOString();
    await as('sw', day(1)).post(`/v1/cases/${c.caseId}/tasks/511623-sw/acceptance`, {});
    expect((await as('sw', day(14)).post(`/v1/cases/${c.caseId}/reply`, { outcome: 'not-support', text: '采砂许可合法' })).status).toBe(201);
    await eventually(async () => (await c.petitioner.get(`/v1/petitions/${c.caseId}`)).body.step === 'answered', 'the Sichuan case to be answered');
    return c;
  }

  it('Art. 35, 36: in Chongqing the 复核 of a municipal 复查 goes to the same level\'s government (重庆市信访办), there being no level above', async () => {
    const registeredAt = '2024-05-06T09:00:00+08:00';
    const c = await register(registeredAt, { subject: '水库放水影响下游农田' });
    await as('coordinator', registeredAt).post(`/v1/cases/${c.caseId}/classification`, { demandClass: 'claim', category: '水利', route: 'petition' });
    await as('coordinator', registeredAt).post(`/v1/cases/${c.caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: '500112-slj', role: 'lead' }] });
    await as('ybSlj', '2024-05-07T09:00:00+08:00').post(`/v1/cases/${c.caseId}/tasks/500112-slj/acceptance`, {});
    expect((await as('ybSlj', '2024-05-20T09:00:00+08:00').post(`/v1/cases/${c.caseId}/reply`, { outcome: 'explain', text: '放水符合调度规程' })).status).toBe(201);
    await eventually(async () => (await c.petitioner.get(`/v1/petitions/${c.caseId}`)).body.step === 'answered', 'the case to be answered');
    const review = await c.petitioner.at('2024-06-01T09:00:00+08:00').post(`/v1/petitions/${c.caseId}/appeals`, { kind: 'review', reason: '不服' });
    expect(review.body).toMatchObject({ reviewerAgencyId: '500000-slj' });
    expect((await as('citySlj', '2024-06-20T09:00:00+08:00').post(`/v1/cases/${c.caseId}/appeals/${review.body.appealId}/decision`, { outcome: 'uphold', text: '维持' })).status).toBe(201);
    const reReview = await c.petitioner.at('2024-06-25T09:00:00+08:00').post(`/v1/petitions/${c.caseId}/appeals`, { kind: 're-review', reason: '仍不服' });
    expect(reReview.status).toBe(201);
    expect(reReview.body).toMatchObject({ reviewerAgencyId: '500000-xfb' });
    const decided = await as('cityXfb', '2024-07-10T09:00:00+08:00').post(`/v1/cases/${c.caseId}/appeals/${reReview.body.appealId}/decision`, { outcome: 'uphold', text: '维持复查意见' });
    expect(decided.status).toBe(201);
    await eventually(async () => (await c.petitioner.get(`/v1/petitions/${c.caseId}`)).body.step === 'concluded', 'the case to be concluded');
  });

  it('Art. 35, 36: 复查 one level up within its limits, 复核 one further with a hearing not counted, then 终结 — and the same matter is refused', async () => {
    const c = await answeredInSichuan('2024-05-06T09:00:00+08:00', '河道非法采砂影响灌溉', '13600000001');
    const review = await c.petitioner.at('2024-06-01T09:00:00+08:00').post(`/v1/petitions/${c.caseId}/appeals`, { kind: 'review', reason: '对不予支持意见不服' });
    expect(review.status).toBe(201);
    expect(review.body).toMatchObject({ reviewerAgencyId: '511600-slj', reviewerName: '广安市水利局', dueAt: '2024-07-01T15:59:59.999Z' });
    const reviewId = review.body.appealId;
    refused(await as('slj', '2024-06-05T09:00:00+08:00').post(`/v1/cases/${c.caseId}/appeals/${reviewId}/hearing`, {
      heldFrom: '2024-06-05T09:00:00+08:00', heldTo: '2024-06-06T17:00:00+08:00', summary: '听证',
    }), 'HEARING_ONLY_IN_RE_REVIEW', 'Art. 36');
    const notReviewer = await as('slt', '2024-06-20T09:00:00+08:00').post(`/v1/cases/${c.caseId}/appeals/${reviewId}/decision`, { outcome: 'uphold', text: '维持' });
    expect({ status: notReviewer.status, code: notReviewer.body.error.code }).toEqual({ status: 403, code: 'NOT_THE_REVIEWER' });
    expect((await api.as(t.slj).get('/v1/inbox')).body).toContainEqual(expect.objectContaining({ kind: 'appeal', appealId: reviewId, appealKind: 'review' }));
    expect((await as('slj', '2024-06-20T09:00:00+08:00').post(`/v1/cases/${c.caseId}/appeals/${reviewId}/decision`, { outcome: 'uphold', text: '维持原处理意见' })).status).toBe(201);

    const reReview = await c.petitioner.at('2024-06-25T09:00:00+08:00').post(`/v1/petitions/${c.caseId}/appeals`, { kind: 're-review', reason: '复查意见仍不合理' });
    expect(reReview.body).toMatchObject({ reviewerAgencyId: '510000-slt', dueAt: '2024-07-25T15:59:59.999Z' });
    const reReviewId = reReview.body.appealId;
    const badPeriod = await as('slt', '2024-07-12T18:00:00+08:00').post(`/v1/cases/${c.caseId}/appeals/${reReviewId}/hearing`, {
      heldFrom: '2024-07-12T09:00:00+08:00', heldTo: '2024-07-08T09:00:00+08:00', summary: '听证',
    });
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.body.error.message).toMatch(/heldTo/);
    const hearing = await as('slt', '2024-07-12T18:00:00+08:00').post(`/v1/cases/${c.caseId}/appeals/${reReviewId}/hearing`, {
      heldFrom: '2024-07-08T09:00:00+08:00', heldTo: '2024-07-12T17:00:00+08:00', summary: '听取信访人与水务局陈述',
    });
    expect(hearing.body).toMatchObject({ days: 5, decisionDueAt: '2024-07-30T15:59:59.999Z' });
    // after the 30 日 but within the hearing's five days: in time
    const decided = await as('slt', '2024-07-28T09:00:00+08:00').post(`/v1/cases/${c.caseId}/appeals/${reReviewId}/decision`, { outcome: 'uphold', text: '维持' });
    expect(decided.body).toMatchObject({ withinLimit: true, kind: 're-review' });

    const view = await eventually(async () => {
      const v = (await c.petitioner.get(`/v1/petitions/${c.caseId}`)).body;
      return v.step === 'concluded' ? v : null;
    }, 'the case to be concluded');
    expect(view.limits.find((l: { id: string }) => l.id === `appeal-decision:${reReviewId}`)).toMatchObject({ notCountedDays: 5, dueAt: '2024-07-30T15:59:59.999Z' });
    expect(view.canAppeal).toBeNull();
    refused(await c.petitioner.at('2024-08-01T09:00:00+08:00').post(`/v1/petitions/${c.caseId}/rating`, { rating: 'dissatisfied' }), 'CASE_CONCLUDED', 'Art. 36');

    // the same petitioner, the same matter in other words, online at the province: not accepted, and the attempt recorded
    const again = await api.at('2024-08-05T09:00:00+08:00').post('/v1/petitions', {
      channel: 'online', regionCode: '510000', petitioner: { name: '张某', phone: '+86-136-0000-0001' }, subject: '河道非法采砂严重影响灌溉', content: '再次反映',
    });
    refused(again, 'CASE_CONCLUDED', 'Art. 36');
    expect(again.body.error.details.caseId).toBe(c.caseId);
    const entries = await timeline(c.caseId);
    expect(entries.map((e) => e.type)).toEqual(expect.arrayContaining([
      type('case.appeal-requested'), type('appeal.hearing-recorded'), type('appeal.decided'), type('case.concluded'), type('case.raised-after-conclusion'),
    ]));
    expect(entries.at(-1)!.summary).toBe('信访人就已终结事项再次信访（网上信访），不再受理');
  });

  it('Art. 35: a 复查 asked more than 30 日 after the reply is refused', async () => {
    const c = await answeredInSichuan('2024-05-06T09:00:00+08:00', '灌溉渠道堵塞');
    // replied on 05-20: the window closes at the end of 06-19, China time
    refused(await c.petitioner.at('2024-06-20T00:30:00+08:00').post(`/v1/petitions/${c.caseId}/appeals`, { kind: 'review', reason: '不服' }), 'REVIEW_WINDOW_CLOSED', 'Art. 35');
    refused(await c.petitioner.at('2024-06-20T00:30:00+08:00').post(`/v1/petitions/${c.caseId}/appeals`, { kind: 're-review', reason: '不服' }), 'REVIEW_REQUIRED_FIRST', 'Art. 36');
    expect((await c.petitioner.post(`/v1/petitions/${c.caseId}/appeals`, { kind: 'appeal', reason: 'x' })).status).toBe(400);
  });

  it('Art. 40: the bureau supervises (督办) an agency on the case; that agency answers in writing, once; both are in the timeline', async () => {
    const { caseId } = await assigned('2024-03-05T09:00:00+08:00', [{ agencyId: '500112-rsj', role: 'lead' }]);
    refused(await as('coordinator', '2024-03-25T09:00:00+08:00').post(`/v1/cases/${caseId}/supervision`, { agencyId: '500112-zjw', reason: 'x' }), 'NOT_ON_CASE', 'Art. 40');
    expect((await as('coordinator', '2024-03-25T09:00:00+08:00').post(`/v1/cases/${caseId}/supervision`, { agencyId: '500112-abc', reason: 'x' })).status).toBe(400);
    const issued = await as('coordinator', '2024-03-25T09:00:00+08:00').post(`/v1/cases/${caseId}/supervision`, { agencyId: '500112-rsj', reason: '超过告知期限仍未受理' });
    expect(issued.status).toBe(201);
    expect(issued.body.answerDueAt).toBe('2024-04-09T15:59:59.999Z');
    const path = `/v1/cases/${caseId}/supervision/${issued.body.supervisionId}/answer`;
    const other = await as('zjw', '2024-03-27T09:00:00+08:00').post(path, { text: 'x' });
    expect({ status: other.status, code: other.body.error.code }).toEqual({ status: 403, code: 'NOT_YOUR_AGENCY' });
    expect((await as('rsj', '2024-03-27T09:00:00+08:00').post(path, { text: '已受理并告知信访人，将于期限内办结' })).body).toMatchObject({ withinLimit: true });
    refused(await as('rsj', '2024-03-28T09:00:00+08:00').post(path, { text: '再次' }), 'SUPERVISION_ALREADY_ANSWERED', 'Art. 40');
    const summaries = (await timeline(caseId)).filter((e) => e.type.includes('supervision')).map((e) => e.summary);
    expect(summaries).toEqual([
      '渝北区信访办公室向渝北区人力资源和社会保障局发出督办，书面反馈期限至 2024-04-09：超过告知期限仍未受理',
      '渝北区人力资源和社会保障局书面反馈督办：已受理并告知信访人，将于期限内办结',
    ]);
  });

  it('Art. 19: the same petitioner on the same matter while it is open — at the same or a higher level — is linked as a repeat; identity only as keyed hashes', async () => {
    const first = await register('2024-03-04T09:00:00+08:00', { subject: '某建筑公司拖欠农民工工资', phone: '13800000009' });
    const repeat = { channel: 'online', petitioner: { name: '张某', phone: '+86-138-0000-0009' }, subject: '某建筑公司拖欠农民工工资问题', content: '仍未解决' };
    const higher = await api.at('2024-03-10T09:00:00+08:00').post('/v1/petitions', { ...repeat, regionCode: '500000' }, { 'idempotency-key': 'repeat-higher-0001' });
    expect(higher.status).toBe(200);
    expect(higher.body).toEqual({ caseId: first.caseId, caseNumber: expect.any(String), repeat: true });
    const retried = await api.at('2024-03-10T09:00:00+08:00').post('/v1/petitions', { ...repeat, regionCode: '500000' }, { 'idempotency-key': 'repeat-higher-0001' });
    expect(retried.status).toBe(200);
    expect((await api.at('2024-03-11T09:00:00+08:00').post('/v1/petitions', { ...repeat, regionCode: '500112' })).status).toBe(200);
    // another district is not the same or a higher level; another petitioner is another petition
    expect((await api.at('2024-03-11T09:00:00+08:00').post('/v1/petitions', { ...repeat, regionCode: '500110' })).status).toBe(201);
    expect((await api.at('2024-03-11T09:00:00+08:00').post('/v1/petitions', { ...repeat, regionCode: '500112', petitioner: { name: '李某', phone: '13800000010' } })).status).toBe(201);
    const file = (await api.as(t.analyst).get(`/v1/cases/${first.caseId}`)).body;
    expect(file.repeats.map((r: { level: string; matchedBy: string }) => [r.level, r.matchedBy])).toEqual([['higher', 'phone'], ['same', 'phone']]);
    const stored: StoredEvent[] = await running.app.get<EventStore>(EVENT_STORE).readByCase(first.caseId);
    expect(JSON.stringify(stored)).not.toMatch(/13800000009|138-0000-0009/);
    expect(stored.filter((e) => e.type === type('case.repeat-linked'))).toHaveLength(2);
  });

  it('Art. 19: the same matter submitted eight times at once by one petitioner opens one case; the other seven are its repeats', async () => {
    const petition = { channel: 'online', regionCode: '500110', petitioner: { name: '王某', phone: '13800000077' }, subject: '小区加装电梯补贴迟迟未发放', content: '申请已一年' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => api.at('2024-05-06T09:00:00+08:00').post('/v1/petitions', petition)));
    const opened = answers.filter((r) => r.status === 201);
    expect(opened).toHaveLength(1);
    const repeats = answers.filter((r) => r.status === 200);
    expect(repeats).toHaveLength(7);
    expect(new Set(repeats.map((r) => r.body.caseId))).toEqual(new Set([opened[0].body.caseId]));
    const file = (await api.as(t.analyst).get(`/v1/cases/${opened[0].body.caseId}`)).body;
    expect(file.repeats).toHaveLength(7);
  });

  it('Art. 24, DESIGN 4.4: when 渝北区 is abolished (2025-11-01) the open task moves to its 北碚区 successor, with names valid at each time', async () => {
    const { caseId } = await assigned('2025-10-20T09:00:00+08:00', [{ agencyId: '500112-rsj', role: 'lead' }]);
    const acc = await as('rsj', '2025-10-21T09:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/acceptance`, {});
    const report = await watch('2025-11-03T09:00:00+08:00', [caseId]);
    expect(report.transferred).toEqual([{ caseId, fromAgencyId: '500112-rsj', toAgencyId: '500109-rsj', effectiveFrom: '2025-11-01' }]);
    expect((await watch('2025-11-04T09:00:00+08:00', [caseId])).transferred).toEqual([]);
    refused(await as('rsj', '2025-11-05T09:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-rsj/actions`, { kind: 'other', note: 'x' }), 'AGENCY_NOT_ACTIVE', 'Art. 24');
    const inbox = (await api.as(t.beibeiRsj).get('/v1/inbox')).body.find((i: { caseId: string }) => i.caseId === caseId);
    expect(inbox).toMatchObject({ role: 'lead', status: 'accepted', handleDueAt: acc.body.handleDueAt });
    expect((await as('beibeiRsj', '2025-11-10T09:00:00+08:00').post(`/v1/cases/${caseId}/reply`, { outcome: 'explain', text: '已解释政策' })).status).toBe(201);
    const entries = await eventually(async () => {
      const e = await timeline(caseId);
      return e.some((x) => x.type === type('case.answered')) ? e : null;
    }, 'the successor\'s reply to answer the case');
    expect(entries.find((e) => e.type === type('task.accepted'))!.agencyName).toBe('渝北区人力资源和社会保障局');
    expect(entries.find((e) => e.type === type('case.task-transferred'))!.summary).toBe('渝北区人力资源和社会保障局自 2025-11-01 撤销，其承办任务移交北碚区人力资源和社会保障局');
    expect(entries.find((e) => e.type === type('task.reply-issued'))!.agencyName).toBe('北碚区人力资源和社会保障局');
  });

  it('answers any malformed body on the new routes with a 4xx, never a 500, and stores nothing', async () => {
    const { caseId } = await assigned('2024-03-05T09:00:00+08:00', [{ agencyId: '500112-rsj', role: 'lead' }]);
    const someId = '00000000-0000-4000-8000-000000000000';
    const routes: [string, string][] = [
      ['rsj', `/v1/cases/${caseId}/tasks/500112-rsj/return`], ['rsjHead', `/v1/cases/${caseId}/tasks/500112-rsj/extension`],
      ['coordinator', `/v1/cases/${caseId}/supervision`], ['rsj', `/v1/cases/${caseId}/supervision/${someId}/answer`],
      ['rsj', `/v1/cases/${caseId}/disputes`], ['coordinator', `/v1/cases/${caseId}/disputes/${someId}/decision`],
      ['cityRsj', `/v1/cases/${caseId}/appeals/${someId}/hearing`], ['cityRsj', `/v1/cases/${caseId}/appeals/${someId}/decision`],
      ['coordinator', `/v1/cases/${caseId}/classification`],
    ];
    const store = running.app.get<EventStore>(EVENT_STORE);
    const head = await store.headPosition();
    const bodies = fc.sample(fc.oneof(
      fc.anything(),
      fc.record({ days: fc.anything(), reason: fc.anything(), agencyId: fc.anything(), agencyIds: fc.anything(), heldFrom: fc.anything(), heldTo: fc.anything(), caseIds: fc.anything() }, { requiredKeys: [] }),
    ), { numRuns: 15, seed: 42 });
    for (const [who, path] of routes) {
      // an empty object is no malformed body; everything else generated is
      for (const body of bodies.filter((b) => b !== undefined && JSON.stringify(b) !== '{}')) {
        const r = await as(who, '2024-03-06T09:00:00+08:00').post(path, body);
        expect([400, 404, 409]).toContain(r.status);
      }
    }
    expect(await store.headPosition()).toBe(head);
  });

  it('gives every event of the procedure a summary of its own in the timeline', async () => {
    const r = await api.as(t.analyst).get('/v1/agencies?asOf=2024-01-01T00:00:00Z');
    expect(r.status).toBe(200);
    const store = running.app.get<EventStore>(EVENT_STORE);
    const all = await store.readAll({ limit: 5000 });
    const caseIds = [...new Set(all.map((e) => e.caseId))];
    for (const caseId of caseIds) {
      for (const e of await timeline(caseId)) expect(e.summary).not.toBe(e.type);
    }
  });
});
