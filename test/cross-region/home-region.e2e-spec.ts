import type { EventStore } from '@lianban/eventstore';
import { Logger } from '@nestjs/common';
import { CaseCommandRunner, EVENT_STORE } from '@lianban/platform';
import { startJointRegions, type JointRegions } from '@lianban/testing/cross-region';
import { Api, eventually } from '@lianban/testing/standalone';
import { CaseAnsweredProcessManager } from '../../apps/coordinator/src/case-answered/case-answered.process-manager';
import { CaseConcludedProcessManager } from '../../apps/coordinator/src/case-concluded/case-concluded.process-manager';

/**
 * DESIGN 6: a case belongs to the region where it was registered. With a cq joint case (a task
 * for 邻水县水务局) and an sc case of that same agency, each region counts its own cases in its
 * statistics and ranks its own agencies; only the home region watches the joint case's limits
 * and issues its 督办; sc's repeat detection never links a petition to cq's copy.
 */
const short = (type: string) => type.replace(/^lianban\./, '').replace(/\.v\d+$/, '');
const DAY = 86_400_000;

describe('what each region counts and watches (embedded, two regions, AUTO_SUPERVISION=on)', () => {
  jest.setTimeout(60_000);
  let regions: JointRegions;
  let cq: Api;
  let sc: Api;
  const t: Record<string, string> = {};
  let joint: string;
  let own: string;
  const later = new Date(Date.now() + 20 * DAY).toISOString();
  const phone = '13800006621';
  const subject = '高竹新区跨省管网漏水';

  beforeAll(async () => {
    regions = await startJointRegions({ env: { AUTO_SUPERVISION: 'on' } });
    cq = new Api(regions.cq.url);
    sc = new Api(regions.sc.url);
    for (const [name, api, role, agency] of [
      ['cqClerk', cq, 'clerk', '500109-xfb'], ['cqCoordinator', cq, 'coordinator', '500109-xfb'], ['slj', cq, 'caseworker', '500109-slj'],
      ['scClerk', sc, 'clerk', '511623-xfj'], ['scCoordinator', sc, 'coordinator', '511623-xfj'], ['sw', sc, 'caseworker', '511623-sw'],
      ['cqAnalyst', cq, 'analyst'], ['scAnalyst', sc, 'analyst'], ['cqAdmin', cq, 'admin'], ['scAdmin', sc, 'admin'],
    ] as const) t[name] = await api.token(role, agency);

    // the joint case: cq's, with 511623-sw co-handling; sw never acknowledges it
    const j = await cq.as(t.cqClerk).post('/v1/petitions', {
      channel: 'visit', regionCode: '500109', demandClass: 'claim', petitioner: { name: '黄某', phone }, subject, content: '管网漏水，两地互相推诿。',
    });
    joint = j.body.caseId;
    expect((await cq.as(t.cqCoordinator).post(`/v1/cases/${joint}/classification`, { demandClass: 'claim', category: '水利/供水', route: 'petition' })).status).toBe(201);
    expect((await cq.as(t.cqCoordinator).post(`/v1/cases/${joint}/assignments`, {
      mode: 'assign', agencies: [{ agencyId: '500109-slj', role: 'lead' }, { agencyId: '511623-sw', role: 'co' }],
    })).status).toBe(201);
    expect((await cq.as(t.slj).post(`/v1/cases/${joint}/tasks/500109-slj/acceptance`, {})).status).toBe(201);

    // sc's own case, the same agency's task, acknowledged in time
    const s = await sc.as(t.scClerk).post('/v1/petitions', {
      channel: 'visit', regionCode: '511623', demandClass: 'claim', petitioner: { name: '唐某', phone: '13800006622' }, subject: '场镇自来水浑浊', content: '自来水浑浊有异味。',
    });
    own = s.body.caseId;
    expect((await sc.as(t.scCoordinator).post(`/v1/cases/${own}/classification`, { demandClass: 'claim', category: '水利/供水', route: 'petition' })).status).toBe(201);
    expect((await sc.as(t.scCoordinator).post(`/v1/cases/${own}/assignments`, { mode: 'forward', agencies: [{ agencyId: '511623-sw', role: 'lead' }] })).status).toBe(201);
    expect((await sc.as(t.sw).post(`/v1/cases/${own}/tasks/511623-sw/acceptance`, {})).status).toBe(201);
    await eventually(async () => (await sc.as(t.scAnalyst).get(`/v1/cases/${joint}/timeline`)).body.entries?.some((e: { type: string }) => short(e.type) === 'task.accepted'), 'the joint case in sc');
  });
  afterAll(() => regions?.close());

  const statsAt = (api: Api, token: string, query = '') => api.as(token).at(later).get(`/v1/stats?${query}`);

  it('counts the joint case once, in cq; sc counts its own case and ranks its agency for its work on both', async () => {
    const cqStats = (await statsAt(cq, t.cqAnalyst)).body;
    const scStats = (await statsAt(sc, t.scAnalyst)).body;
    expect([cqStats.filters.region, scStats.filters.region]).toEqual(['cq', 'sc']);
    expect([cqStats.totals.registrations.total, scStats.totals.registrations.total]).toEqual([1, 1]);
    // cq: slj ✓ and sw ✗ (its 告知 limit passed) on cq's case; sc: sw ✓ on its own
    expect(cqStats.totals.acceptance).toMatchObject({ due: 2, timely: 1 });
    expect(scStats.totals.acceptance).toMatchObject({ due: 1, timely: 1 });
    expect(cqStats.totals.backlog).toMatchObject({ tasks: 1, cases: 1 });
    expect(scStats.totals.backlog).toMatchObject({ tasks: 0, cases: 0 });
    // adding the regions counts the two cases and the three tasks once each
    expect(cqStats.totals.registrations.total + scStats.totals.registrations.total).toBe(2);
    expect(cqStats.totals.acceptance.due + scStats.totals.acceptance.due).toBe(3);

    const cqAgencies = (await statsAt(cq, t.cqAnalyst, 'groupBy=agency')).body;
    const scAgencies = (await statsAt(sc, t.scAnalyst, 'groupBy=agency')).body;
    const rows = (r: { groups: { key: string; acceptance: { due: number; timely: number } }[] }) => r.groups.filter((g) => g.acceptance.due > 0).map((g) => [g.key, g.acceptance.due, g.acceptance.timely]);
    expect(rows(cqAgencies)).toEqual([['500109-slj', 1, 1]]);
    expect(rows(scAgencies)).toEqual([['511623-sw', 2, 1]]);
    expect(cqAgencies.totals.acceptance.due + scAgencies.totals.acceptance.due).toBe(3);

    // the overdue task is on cq's list, and on 511623-sw's own list in sc
    const overdue = async (api: Api, token: string, q = '') => (await api.as(token).at(later).get(`/v1/stats/overdue?${q}`)).body.items.map((i: { caseId: string; agencyId: string }) => [i.caseId, i.agencyId]);
    expect(await overdue(cq, t.cqAnalyst)).toEqual([[joint, '511623-sw']]);
    expect(await overdue(sc, t.scAnalyst)).toEqual([]);
    expect(await overdue(sc, t.scAnalyst, 'agencyId=511623-sw')).toEqual([[joint, '511623-sw']]);

    // the other region's statistics are kept by the other deployment
    const elsewhere = await sc.as(t.scAnalyst).get('/v1/stats?region=cq');
    expect({ status: elsewhere.status, code: elsewhere.body.error?.code }).toEqual({ status: 421, code: 'WRONG_REGION_SERVICE' });
  });

  it('leaves the joint case\'s limits to cq\'s watch: sc flags nothing, issues no 督办, decides nothing on it', async () => {
    const runs = jest.spyOn(regions.sc.app.get(CaseCommandRunner), 'run');
    try {
      const named = await sc.as(t.scAdmin).at(later).post('/v1/dev/deadline-watch', { caseIds: [joint] });
      expect(named.status).toBe(200);
      expect(named.body).toMatchObject({ checked: 0, flagged: [], supervised: [], transferred: [], skipped: [{ caseId: joint, reason: expect.stringContaining('region cq') }] });
      const sweep = await sc.as(t.scAdmin).at(later).post('/v1/dev/deadline-watch', {});
      expect(sweep.body).toMatchObject({ flagged: [], supervised: [], skipped: [] });
      expect(runs.mock.calls.filter(([o]) => o.caseId === joint)).toEqual([]);
    } finally {
      runs.mockRestore();
    }

    const atCq = await cq.as(t.cqAdmin).at(later).post('/v1/dev/deadline-watch', { caseIds: [joint] });
    expect(atCq.body.flagged).toEqual(expect.arrayContaining([expect.objectContaining({ caseId: joint, type: 'overdue', kind: 'acknowledge', agencyId: '511623-sw' })]));
    // Sichuan's agency is supervised by its own petition bureau, on cq's case record
    expect(atCq.body.supervised).toEqual([expect.objectContaining({ caseId: joint, agencyId: '511623-sw', supervisorId: '511623-xfj' })]);
    const supervisionId: string = atCq.body.supervised[0].supervisionId;

    // sc holds the same timeline, flags and 督办 included, and its agency answers the 督办 at home
    const timeline = async (api: Api, token: string) => (await api.as(token).get(`/v1/cases/${joint}/timeline`)).body.entries as { eventId: string; type: string }[];
    const cqTimeline = await timeline(cq, t.cqAnalyst);
    await eventually(async () => JSON.stringify(await timeline(sc, t.scAnalyst)) === JSON.stringify(cqTimeline), 'the flags and 督办 in sc');
    expect(cqTimeline.map((e) => short(e.type))).toEqual(expect.arrayContaining(['case.deadline-overdue', 'case.supervision-issued']));
    const answer = await sc.as(t.sw).at(new Date(Date.parse(later) + 3_600_000).toISOString()).post(`/v1/cases/${joint}/supervision/${supervisionId}/answer`, { text: '已受理，正在核查管网' });
    expect(answer.status).toBe(201);
    await eventually(async () => (await timeline(cq, t.cqAnalyst)).some((e) => e.eventId === answer.body.eventId), 'the answer in cq');
  });

  it('never links a petition raised in sc to cq\'s copy: the identity keys stay home', async () => {
    const scStore = regions.sc.app.get<EventStore>(EVENT_STORE);
    const before = await scStore.readByCase(joint);
    const again = await sc.as(t.scClerk).post('/v1/petitions', {
      channel: 'visit', regionCode: '511623', demandClass: 'claim', petitioner: { name: '黄某', phone }, subject, content: '管网漏水，两地互相推诿。',
    });
    expect(again.status).toBe(201);
    expect(again.body.repeat).toBeUndefined();
    expect(again.body.caseId).not.toBe(joint);
    expect(await scStore.readByCase(joint)).toEqual(before);
  });

  it('answers and concludes a cq case led by Sichuan\'s agency in cq only: sc\'s own reply and 复核 decision draw nothing from sc', async () => {
    const runs = jest.spyOn(regions.sc.app.get(CaseCommandRunner), 'run');
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    const answered = jest.spyOn(regions.sc.app.get(CaseAnsweredProcessManager), 'react');
    const concluded = jest.spyOn(regions.sc.app.get(CaseConcludedProcessManager), 'react');
    try {
      const reg = await cq.as(t.cqClerk).post('/v1/petitions', {
        channel: 'visit', regionCode: '500109', demandClass: 'claim', petitioner: { name: '罗某', phone: '13800006631' }, subject: '邻水县取水口污染', content: '取水口上游排污，影响北碚区用水。',
      });
      const caseId: string = reg.body.caseId;
      const petitioner = cq.as(reg.body.petitionerToken);
      await cq.as(t.cqCoordinator).post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '水利/水质', route: 'petition' });
      expect((await cq.as(t.cqCoordinator).post(`/v1/cases/${caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: '511623-sw', role: 'lead' }] })).status).toBe(201);
      await eventually(async () => (await sc.as(t.sw).post(`/v1/cases/${caseId}/tasks/511623-sw/acceptance`, {})).status === 201, 'the task to reach sc');
      const reply = await sc.as(t.sw).post(`/v1/cases/${caseId}/reply`, { outcome: 'explain', text: '已责令排污企业整改' });
      expect(reply.status).toBe(201);
      await eventually(async () => (await petitioner.get(`/v1/petitions/${caseId}`)).body.step === 'answered', 'cq to answer the case from the reply\'s copy');

      // 复查 and 复核 go up Sichuan's line: decided in sc, requested and concluded in cq
      const decide = async (kind: 'review' | 're-review') => {
        const asked = await eventually(async () => {
          const r = await petitioner.post(`/v1/petitions/${caseId}/appeals`, { kind, reason: '不服' });
          return r.status === 201 ? r : null;
        }, `the ${kind} request in cq`);
        const reviewer = await sc.token('caseworker', asked.body.reviewerAgencyId);
        expect(asked.body.reviewerAgencyId).toMatch(/^51/);
        return eventually(async () => {
          const r = await sc.as(reviewer).post(`/v1/cases/${caseId}/appeals/${asked.body.appealId}/decision`, { outcome: 'uphold', text: '维持' });
          return r.status === 201 ? r : null;
        }, `the ${kind} decision in sc`);
      };
      await decide('review');
      const reReview = await decide('re-review');
      await eventually(async () => (await petitioner.get(`/v1/petitions/${caseId}`)).body.step === 'concluded', 'cq to conclude the case from the decision\'s copy');

      const outcomeFor = async (spy: jest.SpyInstance, eventId: string) => eventually(async () => {
        const i = spy.mock.calls.findIndex(([e]) => e.id === eventId);
        return i >= 0 ? { outcome: await spy.mock.results[i].value } : null;
      }, `sc's process manager to see ${eventId}`);
      expect(await outcomeFor(answered, reply.body.eventId)).toEqual({ outcome: 'ignored' });
      expect(await outcomeFor(concluded, reReview.body.eventId)).toEqual({ outcome: false });
      // sc decided its agencies' own tasks (acceptance, reply, two decisions) and nothing on cq's case record
      const decided = runs.mock.calls.filter(([o]) => o.caseId === caseId).map(([o]) => o.streamId);
      expect(decided.length).toBeGreaterThanOrEqual(4);
      expect(decided.filter((streamId) => !streamId.startsWith(`task-${caseId}-51`))).toEqual([]);
      expect(warnings.mock.calls.map((c) => String(c[0])).filter((m) => m.includes(caseId) || m.includes('OTHER_REGION'))).toEqual([]);
    } finally {
      [runs, warnings, answered, concluded].forEach((s) => s.mockRestore());
    }
  });
});

