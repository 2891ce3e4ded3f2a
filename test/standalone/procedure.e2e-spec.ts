import { Api, eventually, type RunningApp } from '@lianban/testing/standalone';
import { E2E_STORES, startStandaloneOn } from '@lianban/testing/stores';

/**
 * The foundation flow over real HTTP against the standalone app, once on a real SQLite file and
 * once on PostgreSQL (EVENTSTORE=postgres, same tests unchanged):
 * registration → classification → assignment to three agencies at once → acceptance →
 * handling → opinions → the lead's reply → case answered → rating, then the timeline.
 */
describe.each(E2E_STORES)('standalone on %s: a multi-agency case end to end over HTTP', (store) => {
  let running: RunningApp;
  let api: Api;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    running = await startStandaloneOn(store);
    api = new Api(running.url);
    tokens = {
      clerk: await api.token('clerk', '500112-xfb'),
      coordinator: await api.token('coordinator', '500112-xfb'),
      rsj: await api.token('caseworker', '500112-rsj'),
      xfb: await api.token('caseworker', '500112-xfb'),
      zjw: await api.token('caseworker', '500112-zjw'),
      analyst: await api.token('analyst'),
    };
  });
  afterAll(() => running?.close());

  const petition = {
    channel: 'visit', regionCode: '500112', demandClass: 'claim',
    petitioner: { name: '李某某', phone: '13900000001', idNumber: '50011219800101001X' },
    subject: '小区外墙脱落、欠薪与物业纠纷', content: '外墙瓷砖脱落，施工方拖欠农民工工资，物业不作为。',
  };
  // Each later test registers a petitioner of its own: the same petitioner raising the same matter
  // while its case is open is a repeat (Art. 19), linked to that case instead of registered anew.
  let petitioners = 0;
  const fresh = () => ({ ...petition, petitioner: { name: '李某某', phone: `1390001${String(++petitioners).padStart(4, '0')}` } });

  async function headOfStore(): Promise<number> {
    const h = await api.get('/health');
    return h.body.store.head;
  }

  it('runs the whole procedure with three agencies at once and rebuilds the timeline from stored events', async () => {
    const clerk = api.as(tokens.clerk).at('2024-03-04T09:00:00+08:00');
    const reg = await clerk.post('/v1/petitions', petition);
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ status: 'registered', caseNumber: expect.stringMatching(/^CQ-2024-\d{6}$/) });
    expect(typeof reg.body.petitionerToken).toBe('string');
    const caseId: string = reg.body.caseId;

    const coord = api.as(tokens.coordinator);
    expect((await coord.at('2024-03-04T10:00:00+08:00').post(`/v1/cases/${caseId}/classification`, {
      demandClass: 'claim', category: '城乡建设/房屋质量', route: 'petition',
    })).status).toBe(201);
    const assigned = await coord.at('2024-03-05T09:00:00+08:00').post(`/v1/cases/${caseId}/assignments`, {
      mode: 'assign',
      agencies: [{ agencyId: '500112-zjw', role: 'lead' }, { agencyId: '500112-rsj', role: 'co' }, { agencyId: '500112-xfb', role: 'co' }],
    });
    expect(assigned.status).toBe(201);
    expect(assigned.body.agencies).toHaveLength(3);
    // Art. 23: 15 日 to acknowledge, counted from the day after assignment, to the end of the day (China time)
    expect(assigned.body.agencies[0].acknowledgeDueAt).toBe('2024-03-20T15:59:59.999Z');

    for (const [who, agency] of [['zjw', '500112-zjw'], ['rsj', '500112-rsj'], ['xfb', '500112-xfb']] as const) {
      const inbox = await eventually(async () => {
        const r = await api.as(tokens[who]).get('/v1/inbox');
        return r.body.find((i: { caseId: string }) => i.caseId === caseId);
      }, `${agency}'s inbox to show the case`);
      expect(inbox).toMatchObject({ status: 'assigned', acknowledgeDueAt: '2024-03-20T15:59:59.999Z' });
      const acc = await api.as(tokens[who]).at('2024-03-06T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/${agency}/acceptance`, {});
      expect(acc.status).toBe(201);
      expect(acc.body).toMatchObject({ acknowledgedInTime: true, handleDueAt: '2024-05-05T15:59:59.999Z' });
    }

    expect((await api.as(tokens.zjw).at('2024-03-08T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/500112-zjw/actions`, {
      kind: 'site-visit', note: '现场查看外墙脱落情况',
    })).status).toBe(201);

    // Art. 24: the lead cannot reply while co-handlers have not given their opinions
    const early = await api.as(tokens.zjw).at('2024-03-09T10:00:00+08:00').post(`/v1/cases/${caseId}/reply`, { outcome: 'support', text: '责成维修' });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'CO_HANDLER_OPINIONS_PENDING', details: { pending: ['500112-rsj', '500112-xfb'] } });

    for (const [who, agency] of [['rsj', '500112-rsj'], ['xfb', '500112-xfb']] as const) {
      expect((await api.as(tokens[who]).at('2024-03-10T10:00:00+08:00').post(`/v1/cases/${caseId}/tasks/${agency}/opinion`, { text: '同意' })).status).toBe(201);
    }
    // 交办 (assign): the lead's reply carries its 办结报告 to the bureau (Art. 22)
    const reply = await api.as(tokens.zjw).at('2024-03-12T16:00:00+08:00').post(`/v1/cases/${caseId}/reply`, {
      outcome: 'support', text: '已责成开发商维修外墙，工资已支付。', completionReport: '外墙已维修，欠薪已支付，信访人认可。',
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ withinLimit: true });

    const petitioner = api.as(reg.body.petitionerToken);
    const status = await eventually(async () => {
      const r = await petitioner.get(`/v1/petitions/${caseId}`);
      return r.body.step === 'answered' ? r.body : null;
    }, 'the case to be answered');
    expect(status).toMatchObject({ canRate: true, answer: { outcome: 'support', leadAgencyId: '500112-zjw' }, petitioner: { name: '李某某' } });
    // answered: the petitioner's own 30 日 window to ask for a 复查 (Art. 35) is listed too
    expect(status.limits.map((l: { kind: string }) => l.kind)).toEqual(['route', 'acknowledge', 'handle', 'acknowledge', 'handle', 'acknowledge', 'handle', 'review-request']);

    const rated = await petitioner.at('2024-03-13T09:00:00+08:00').post(`/v1/petitions/${caseId}/rating`, { rating: 'basically-satisfied' });
    expect(rated.status).toBe(201);

    const tl = await api.as(tokens.analyst).get(`/v1/cases/${caseId}/timeline`);
    expect(tl.status).toBe(200);
    const types = tl.body.entries.map((e: { type: string }) => e.type.replace(/^lianban\./, '').replace(/\.v\d+$/, ''));
    expect(types).toEqual([
      'case.registered', 'case.classified', 'case.agencies-assigned',
      'task.accepted', 'task.accepted', 'task.accepted', 'task.action-recorded',
      'task.opinion-submitted', 'task.opinion-submitted', 'task.reply-issued', 'task.completion-report-filed', 'case.answered', 'case.reply-rated',
    ]);
    const accepted = tl.body.entries.filter((e: { type: string }) => e.type === 'lianban.task.accepted.v1');
    const assignment = tl.body.entries.find((e: { type: string }) => e.type === 'lianban.case.agencies-assigned.v1');
    expect(accepted.every((e: { causationId: string }) => e.causationId === assignment.eventId)).toBe(true);
    const answered = tl.body.entries.find((e: { type: string }) => e.type === 'lianban.case.answered.v1');
    const replied = tl.body.entries.find((e: { type: string }) => e.type === 'lianban.task.reply-issued.v1');
    expect(answered.causationId).toBe(replied.eventId);
    expect(tl.body.entries[0]).toMatchObject({ at: '2024-03-04T01:00:00.000Z', region: 'cq' });
    expect(tl.body.entries[3]).toMatchObject({ agencyId: '500112-zjw', agencyName: '渝北区住房和城乡建设委员会', summary: expect.stringContaining('受理') });
    // the timeline is in causal (HLC) order
    const hlcs = tl.body.entries.map((e: { hlc: string }) => e.hlc);
    expect([...hlcs].sort()).toEqual(hlcs);

    // as of a moment: only what had happened by then
    const before = await api.as(tokens.analyst).get(`/v1/cases/${caseId}/timeline?asOf=2024-03-06T00:00:00%2B08:00`);
    expect(before.body.entries).toHaveLength(3);
    const then = await api.as(tokens.analyst).get(`/v1/cases/${caseId}?asOf=2024-03-06T00:00:00%2B08:00`);
    expect(then.body).toMatchObject({ step: 'assigned', answer: null, petitioner: { pseudonym: expect.stringMatching(/^信访人-/) } });
  });

  it('answers a conflicting concurrent command with 409 and keeps exactly one of them', async () => {
    const reg = await api.as(tokens.clerk).at('2024-04-01T09:00:00+08:00').post('/v1/petitions', fresh());
    const caseId = reg.body.caseId;
    const coord = api.as(tokens.coordinator).at('2024-04-01T10:00:00+08:00');
    await coord.post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '劳动保障', route: 'petition' });
    await coord.post(`/v1/cases/${caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: '500112-rsj', role: 'lead' }] });
    const rsj = api.as(tokens.rsj).at('2024-04-02T10:00:00+08:00');
    const results = await Promise.all(Array.from({ length: 8 }, () => rsj.post(`/v1/cases/${caseId}/tasks/500112-rsj/acceptance`, {})));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    for (const r of results.filter((x) => x.status === 409)) expect(['TASK_ALREADY_ACCEPTED', 'CONCURRENT_MODIFICATION']).toContain(r.body.error.code);
    const tl = await api.as(tokens.analyst).get(`/v1/cases/${caseId}/timeline`);
    expect(tl.body.entries.filter((e: { type: string }) => e.type === 'lianban.task.accepted.v1')).toHaveLength(1);
  });

  it('answers bad input with 400 naming the fields, and stores nothing', async () => {
    const head = await headOfStore();
    const cases: [unknown, string | RegExp][] = [
      [{ ...petition, channel: 'fax' }, /channel/],
      [{ ...petition, regionCode: '5001' }, /regionCode/],
      [{ ...petition, petitioner: { name: '' } }, /petitioner\.name/],
      [{ ...petition, petitioner: { name: '某', idNumber: '123' } }, /idNumber/],
      [{ ...petition, extra: 'x' }, /extra/],
      ['{"channel": "online",', /JSON/],
    ];
    for (const [body, message] of cases) {
      const r = await api.as(tokens.clerk).post('/v1/petitions', body);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
    const unknownRegion = await api.as(tokens.clerk).post('/v1/petitions', { ...petition, regionCode: '999999' });
    expect(unknownRegion.status).toBe(400);
    expect(unknownRegion.body.error.code).toBe('UNKNOWN_REGION_CODE');
    const badClock = await api.as(tokens.clerk).at('yesterday').post('/v1/petitions', petition);
    expect(badClock.status).toBe(400);
    expect(badClock.body.error.code).toBe('INVALID_CLOCK_HEADER');
    const notUuid = await api.as(tokens.analyst).get('/v1/cases/not-a-uuid/timeline');
    expect(notUuid.status).toBe(400);
    expect(await headOfStore()).toBe(head);
  });

  it('refuses callers without a token, with the wrong role, or acting for another agency', async () => {
    const reg = await api.as(tokens.clerk).at('2024-05-06T09:00:00+08:00').post('/v1/petitions', fresh());
    const caseId = reg.body.caseId;
    expect((await api.get('/v1/inbox')).status).toBe(401);
    expect((await api.as('not-a-token').get('/v1/inbox')).status).toBe(401);
    const wrongRole = await api.as(tokens.rsj).post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: 'x', route: 'petition' });
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.body.error.code).toBe('ROLE_NOT_ALLOWED');
    const otherAgency = await api.as(tokens.rsj).post(`/v1/cases/${caseId}/tasks/500112-zjw/acceptance`, {});
    expect(otherAgency.status).toBe(403);
    // a letter needs an intake clerk; an online petition does not need a token at all
    expect((await api.post('/v1/petitions', petition)).status).toBe(403);
    const online = await api.post('/v1/petitions', { ...fresh(), channel: 'online' });
    expect(online.status).toBe(201);
    // a petitioner sees their own case, not another's
    expect((await api.as(online.body.petitionerToken).get(`/v1/petitions/${online.body.caseId}`)).status).toBe(200);
    expect((await api.as(online.body.petitionerToken).get(`/v1/petitions/${caseId}`)).status).toBe(404);
  });

  it('refuses a command dated before the case\'s last event (history never goes back)', async () => {
    const reg = await api.as(tokens.clerk).at('2024-06-10T09:00:00+08:00').post('/v1/petitions', fresh());
    const r = await api.as(tokens.coordinator).at('2024-06-09T09:00:00+08:00').post(`/v1/cases/${reg.body.caseId}/classification`, {
      demandClass: 'claim', category: 'x', route: 'petition',
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('COMMAND_BEFORE_LAST_EVENT');
  });

  it('gives a retried registration (same Idempotency-Key) its first answer instead of a second case', async () => {
    const key = `retry-${Date.now()}`;
    const same = fresh();
    const a = await api.as(tokens.clerk).post('/v1/petitions', same, { 'idempotency-key': key });
    const b = await api.as(tokens.clerk).post('/v1/petitions', same, { 'idempotency-key': key });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.caseId).toBe(a.body.caseId);
    expect(b.body.caseNumber).toBe(a.body.caseNumber);
  });

  it('lists agencies with the names valid at a moment: 渝北区 agencies in 2021, their 北碚区 successors after November 2025', async () => {
    const in2021 = await api.as(tokens.analyst).get('/v1/agencies?asOf=2021-05-04T00:00:00Z');
    expect(in2021.body.map((a: { id: string }) => a.id)).toContain('500112-rsj');
    const in2026 = await api.as(tokens.analyst).get('/v1/agencies?asOf=2026-01-01T00:00:00Z');
    const ids = in2026.body.map((a: { id: string }) => a.id);
    expect(ids).not.toContain('500112-rsj');
    expect(ids).toContain('500109-rsj');
  });
});
