import { EVENT_STORE, HlcService } from '@lianban/platform';
import type { EventStore } from '@lianban/eventstore';
import { startJointRegions, type JointRegions } from '@lianban/testing/cross-region';
import { Api, eventually, startStandalone, tempDataDir } from '@lianban/testing/standalone';

const short = (type: string) => type.replace(/^lianban\./, '').replace(/\.v\d+$/, '');

describe('a competence dispute across the provincial line (联席会议) with two regions', () => {
  let regions: JointRegions;
  beforeAll(async () => {
    // sc's clock behind: everything sc learns must still move its clock past what it learned
    regions = await startJointRegions({ skewMs: { sc: -10 * 60_000 } });
  });
  afterAll(() => regions?.close());

  it('goes to the joint conference, is decided through the case\'s home region and recorded by both', async () => {
    const cq = new Api(regions.cq.url);
    const sc = new Api(regions.sc.url);
    const t = {
      clerk: await cq.token('clerk', '500109-xfb'),
      coordinator: await cq.token('coordinator', '500109-xfb'),
      slj: await cq.token('agency-head', '500109-slj'),
      sw: await sc.token('caseworker', '511623-sw'),
      scBureauAtCq: await cq.token('coordinator', '510000-xfj'),
      scBureauAtSc: await sc.token('coordinator', '510000-xfj'),
      cqAnalyst: await cq.token('analyst'),
      scAnalyst: await sc.token('analyst'),
    };
    const reg = await cq.as(t.clerk).post('/v1/petitions', {
      channel: 'letter', regionCode: '500109', demandClass: 'claim', petitioner: { name: '周某某', phone: '13800009901' },
      subject: '跨界河道取水纠纷', content: '界河取水口归属不清，两地部门互相推诿。',
    });
    expect(reg.status).toBe(201);
    const caseId: string = reg.body.caseId;
    await cq.as(t.coordinator).post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '水利/取水', route: 'petition' });
    expect((await cq.as(t.coordinator).post(`/v1/cases/${caseId}/assignments`, {
      mode: 'assign', agencies: [{ agencyId: '500109-slj', role: 'lead' }, { agencyId: '511623-sw', role: 'co' }],
    })).status).toBe(201);

    const cqStore = regions.cq.app.get<EventStore>(EVENT_STORE);
    const assignment = (await cqStore.readByCase(caseId)).find((e) => short(e.type) === 'case.agencies-assigned')!;
    await eventually(async () => (await sc.as(t.sw).get('/v1/inbox')).body.find?.((i: { caseId: string }) => i.caseId === caseId), 'the task in sc');
    // consumed, not yet acted on: sc's clock has already moved past the assignment it copied
    expect(regions.sc.app.get(HlcService).current() >= assignment.hlc).toBe(true);

    const raised = await cq.as(t.slj).post(`/v1/cases/${caseId}/disputes`, { reason: '取水口位于邻水县境内，应由邻水县水务局主办', agencyIds: ['511623-sw'] });
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({ deciderId: 'cy-lxhy', deciderKind: 'joint-conference', parties: ['500109-slj', '511623-sw'] });
    const disputeId: string = raised.body.disputeId;

    // the case record is cq's: sc's deployment answers with the rule, not a 500, and writes nothing
    await eventually(async () => (await sc.as(t.scAnalyst).get(`/v1/cases/${caseId}/timeline`)).body.entries?.some((e: { type: string }) => short(e.type) === 'case.dispute-raised'), 'the dispute in sc');
    const atSc = await sc.as(t.scBureauAtSc).post(`/v1/cases/${caseId}/disputes/${disputeId}/decision`, { agencyId: '511623-sw' });
    expect({ status: atSc.status, code: atSc.body.error?.code }).toEqual({ status: 409, code: 'CASE_OF_OTHER_REGION' });

    // a member bureau of the joint conference (Sichuan's) decides through the home region
    const decided = await cq.as(t.scBureauAtCq).post(`/v1/cases/${caseId}/disputes/${disputeId}/decision`, { agencyId: '511623-sw' });
    expect(decided.status).toBe(201);
    expect(decided.body).toMatchObject({ agencyId: '511623-sw' });

    const timelineOf = async (api: Api, token: string) => (await api.as(token).get(`/v1/cases/${caseId}/timeline`)).body.entries as { type: string; eventId: string; actor?: unknown }[];
    const cqTimeline = await timelineOf(cq, t.cqAnalyst);
    const decision = cqTimeline.find((e) => short(e.type) === 'case.dispute-decided');
    expect(decision).toBeDefined();
    const scTimeline = await eventually(async () => {
      const e = await timelineOf(sc, t.scAnalyst);
      return e.length === cqTimeline.length ? e : null;
    }, 'the decision recorded in sc');
    expect(scTimeline).toEqual(cqTimeline);
    const scStore = regions.sc.app.get<EventStore>(EVENT_STORE);
    const copy = (await scStore.readByCase(caseId)).find((e) => e.id === decision!.eventId);
    expect(copy).toMatchObject({ type: expect.stringContaining('dispute-decided'), region: 'cq', actor: { role: 'coordinator' }, agencyId: '510000-xfj' });
  });
});

describe('the hybrid logical clock across a restart', () => {
  it('never stamps an event before one already stored, even when the wall clock went back an hour', async () => {
    const dataDir = tempDataDir();
    const first = await startStandalone({ dataDir });
    let api = new Api(first.url);
    const clerk = await api.token('clerk', '500109-xfb');
    const petition = (n: number) => ({ channel: 'visit', regionCode: '500109', demandClass: 'claim', petitioner: { name: '吴某', phone: `1380001000${n}` }, subject: `事项${n}`, content: '内容' });
    const one = await api.as(clerk).post('/v1/petitions', petition(1));
    expect(one.status).toBe(201);
    const before = await first.app.get<EventStore>(EVENT_STORE).readAll();
    const highest = before.map((e) => e.hlc).sort().at(-1)!;
    await first.close();

    const second = await startStandalone({ dataDir, env: { NODE_ENV: process.env.NODE_ENV ?? '', LIANBAN_TEST_CLOCK_SKEW_MS: String(-60 * 60_000) } });
    try {
      api = new Api(second.url);
      const two = await api.as(await api.token('clerk', '500109-xfb')).post('/v1/petitions', petition(2));
      expect(two.status).toBe(201);
      const after = (await second.app.get<EventStore>(EVENT_STORE).readByCase(two.body.caseId));
      expect(after.length).toBeGreaterThan(0);
      // the new events are dated an hour earlier by the wall clock, yet stamped after everything before the restart
      expect(Date.parse(after[0].occurredAt)).toBeLessThan(Date.parse(before[0].occurredAt));
      for (const e of after) expect(e.hlc > highest).toBe(true);
    } finally {
      await second.close();
    }
  });
});
