import { Logger } from '@nestjs/common';
import { encodeEventMessage, type StoredEvent } from '@lianban/contracts';
import type { EventStore } from '@lianban/eventstore';
import { CaseCommandRunner, CrossRegionLink, EVENT_STORE, isReplicated, Metrics } from '@lianban/platform';
import { startJointRegions, type JointRegions } from '@lianban/testing/cross-region';
import { Api, eventually } from '@lianban/testing/standalone';
import { CaseAnsweredProcessManager } from '../../apps/coordinator/src/case-answered/case-answered.process-manager';

/**
 * DESIGN 6 beyond the case's own streams: a cq joint case with a 工作专班 (its own stream) and
 * 督办 of the Sichuan agency. Each region's history must hold the whole timeline — the task
 * force's events included — and sc, holding copies of cq's records, must never act on them:
 * no process manager reacting, no watch flagging, no warning.
 */
interface Entry { eventId: string; causationId: string | null; hlc: string; type: string; region: string; streamId: string }

const short = (type: string) => type.replace(/^lianban\./, '').replace(/\.v\d+$/, '');

function expectCausal(entries: Entry[]): void {
  const index = new Map(entries.map((e, i) => [e.eventId, i]));
  for (const [i, e] of entries.entries()) {
    const cause = e.causationId ? index.get(e.causationId) : undefined;
    if (cause !== undefined) expect({ event: short(e.type), after: short(entries[cause].type), ok: cause < i }).toEqual({ event: short(e.type), after: short(entries[cause].type), ok: true });
  }
  const hlcs = entries.map((e) => e.hlc);
  expect([...hlcs].sort()).toEqual(hlcs);
}

/** what sc's deployment asked its runner to decide, and what it logged as a warning */
function watchSc(regions: JointRegions) {
  const runs = jest.spyOn(regions.sc.app.get(CaseCommandRunner), 'run');
  const warnings = jest.spyOn(Logger.prototype, 'warn');
  return { runs, warnings, restore: () => { runs.mockRestore(); warnings.mockRestore(); } };
}

async function refusedConsumptions(regions: JointRegions, region: 'cq' | 'sc'): Promise<number> {
  const m = await regions[region].app.get(Metrics).consumedEvents.get();
  return m.values.filter((v) => v.labels.outcome === 'refused' || v.labels.outcome === 'failed').reduce((n, v) => n + v.value, 0);
}

describe('a joint case with a task force and 督办, sc\'s clock 10 minutes behind (embedded, two regions)', () => {
  jest.setTimeout(60_000);
  let regions: JointRegions;
  let cq: Api;
  let sc: Api;
  const t: Record<string, string> = {};

  beforeAll(async () => {
    regions = await startJointRegions({ skewMs: { sc: -10 * 60_000 } });
    cq = new Api(regions.cq.url);
    sc = new Api(regions.sc.url);
    t.clerk = await cq.token('clerk', '500109-xfb');
    t.coordinator = await cq.token('coordinator', '500109-xfb');
    t.slj = await cq.token('caseworker', '500109-slj');
    t.sw = await sc.token('caseworker', '511623-sw');
    t.swCoordinator = await sc.token('coordinator', '511623-sw');
    t.cqAnalyst = await cq.token('analyst');
    t.scAnalyst = await sc.token('analyst');
  });
  afterAll(() => regions?.close());

  async function jointCase(subject: string): Promise<string> {
    const reg = await cq.as(t.clerk).post('/v1/petitions', {
      channel: 'visit', regionCode: '500109', demandClass: 'suggestion',
      petitioner: { name: '高某某', phone: `1380000${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}` },
      subject, content: '卫星水库有水，但跨省不能供水，请求川渝联合规划供水。',
    });
    expect(reg.status).toBe(201);
    const caseId: string = reg.body.caseId;
    expect((await cq.as(t.coordinator).post(`/v1/cases/${caseId}/classification`, { demandClass: 'suggestion', category: '水利/供水', route: 'petition' })).status).toBe(201);
    expect((await cq.as(t.coordinator).post(`/v1/cases/${caseId}/assignments`, {
      mode: 'assign', agencies: [{ agencyId: '500109-slj', role: 'lead' }, { agencyId: '511623-sw', role: 'co' }],
    })).status).toBe(201);
    return caseId;
  }

  const timelineOf = async (api: Api, token: string, caseId: string): Promise<Entry[]> => {
    const r = await api.as(token).get(`/v1/cases/${caseId}/timeline`);
    return r.status === 200 ? r.body.entries : [];
  };

  it('gives both regions the whole timeline — task force and 督办 included — identical and causally ordered; sc acts on none of cq\'s records', async () => {
    const caseId = await jointCase('高竹新区企业枯水期缺水（专班）');
    const watched = watchSc(regions);
    const pm = jest.spyOn(regions.sc.app.get(CaseAnsweredProcessManager), 'react');
    try {
      const formed = await cq.as(t.coordinator).post('/v1/task-forces', {
        name: '高竹新区跨省供水工作专班', purpose: '川渝联合规划供水', leader: { name: '刘某', title: '北碚区副区长' }, caseIds: [caseId],
        agencyIds: ['500109-slj', '511623-sw'],
      });
      expect(formed.status).toBe(201);
      const taskForceId: string = formed.body.taskForceId;
      expect((await cq.as(t.coordinator).post(`/v1/task-forces/${taskForceId}/milestones`, { title: '完成跨省管网勘测', dueDate: '2030-12-31' })).status).toBe(201);
      expect((await cq.as(t.coordinator).post(`/v1/task-forces/${taskForceId}/meetings`, {
        heldAt: new Date().toISOString(), place: '高竹新区管委会', topic: '跨省供水方案',
        attendees: [{ name: '刘某', title: '北碚区副区长' }, { name: '李某', agencyId: '511623-sw' }], conclusions: ['卫星水库向高竹新区供水'],
      })).status).toBe(201);
      const issued = await cq.as(t.coordinator).post(`/v1/cases/${caseId}/supervision`, { agencyId: '511623-sw', reason: '请尽快受理并反馈' });
      expect(issued.status).toBe(201);

      // the 督办 reaches sc as a copy; the Sichuan agency answers it in its own region
      await eventually(async () => (await timelineOf(sc, t.scAnalyst, caseId)).some((e) => short(e.type) === 'case.supervision-issued'), 'the 督办 in sc');
      expect((await sc.as(t.sw).post(`/v1/cases/${caseId}/tasks/511623-sw/acceptance`, {})).status).toBe(201);
      expect((await sc.as(t.sw).post(`/v1/cases/${caseId}/supervision/${issued.body.supervisionId}/answer`, { text: '已受理，正配合专班勘测管网' })).status).toBe(201);
      expect((await sc.as(t.sw).post(`/v1/cases/${caseId}/tasks/511623-sw/opinion`, { text: '同意跨省供水，邻水县配套建设管网' })).status).toBe(201);
      expect((await cq.as(t.slj).post(`/v1/cases/${caseId}/tasks/500109-slj/acceptance`, {})).status).toBe(201);
      const reply = await eventually(async () => {
        const r = await cq.as(t.slj).post(`/v1/cases/${caseId}/reply`, { outcome: 'support', text: '川渝联合规划供水', completionReport: '已通水' });
        return r.status === 201 ? r : null;
      }, 'the lead reply after the co-handler opinion crossed over');

      const cqTimeline = await eventually(async () => {
        const e = await timelineOf(cq, t.cqAnalyst, caseId);
        return e.some((x) => short(x.type) === 'case.answered') && e.some((x) => short(x.type) === 'task.supervision-answered') ? e : null;
      }, 'cq to answer the case');
      const scTimeline = await eventually(async () => {
        const e = await timelineOf(sc, t.scAnalyst, caseId);
        return e.length === cqTimeline.length ? e : null;
      }, 'the sc timeline to be complete');
      expect(scTimeline).toEqual(cqTimeline);
      expectCausal(cqTimeline);
      const taskForceEntries = cqTimeline.filter((e) => e.streamId === `taskforce-${taskForceId}`).map((e) => short(e.type));
      expect(taskForceEntries).toEqual(['taskforce.formed', 'taskforce.milestone-set', 'taskforce.meeting-held']);
      expect(cqTimeline.map((e) => short(e.type))).toEqual(expect.arrayContaining([
        'case.task-force-joined', 'case.supervision-issued', 'task.supervision-answered', 'case.answered',
      ]));
      // the link sorts after the formation it came from, in both regions
      const joined = cqTimeline.findIndex((e) => short(e.type) === 'case.task-force-joined');
      expect(joined).toBeGreaterThan(cqTimeline.findIndex((e) => short(e.type) === 'taskforce.formed'));

      // sc's case-answered process manager saw cq's reply, and left it to cq without a word
      const replyId = cqTimeline.find((e) => short(e.type) === 'task.reply-issued')!.eventId;
      expect(reply.body.eventId).toBe(replyId);
      const seen = await eventually(async () => {
        const i = pm.mock.calls.findIndex(([e]) => e.id === replyId);
        return i >= 0 ? pm.mock.results[i].value as Promise<string> : null;
      }, 'sc\'s process manager to see the reply copy');
      expect(await seen).toBe('ignored');
      // nor did sc's task-force links react to the copied formation: the link it holds is cq's copy
      const scStore = regions.sc.app.get<EventStore>(EVENT_STORE);
      expect((await scStore.readByCase(caseId)).filter((e) => short(e.type) === 'case.task-force-joined').map((e) => e.region)).toEqual(['cq']);
      // sc decided only its own agency's task, nothing on cq's case record or task force
      const decided = watched.runs.mock.calls.map(([o]) => o.streamId);
      expect(new Set(decided)).toEqual(new Set([`task-${caseId}-511623-sw`]));
      expect(watched.warnings.mock.calls.map((c) => String(c[0])).filter((m) => m.includes(caseId) || m.includes(taskForceId) || m.includes('OTHER_REGION'))).toEqual([]);
      expect(await refusedConsumptions(regions, 'sc')).toBe(0);

      // the task force is cq's record: sc refuses to write to its copy, and to form one on cq's case
      const atSc = await sc.as(t.swCoordinator).post(`/v1/task-forces/${taskForceId}/milestones`, { title: '在四川记录的节点', dueDate: '2030-12-31' });
      expect({ status: atSc.status, code: atSc.body.error?.code }).toEqual({ status: 409, code: 'TASK_FORCE_OF_OTHER_REGION' });
      const headBefore = await scStore.headPosition();
      const formedAtSc = await sc.as(t.swCoordinator).post('/v1/task-forces', {
        name: '四川侧专班', leader: { name: '张某', title: '邻水县副县长', divisionCode: '511623' }, caseIds: [caseId],
      });
      expect({ status: formedAtSc.status, code: formedAtSc.body.error?.code }).toEqual({ status: 409, code: 'CASE_OF_OTHER_REGION' });
      expect(await scStore.headPosition()).toBe(headBefore);

      // redelivery of everything cq sent, the task force's stream included, changes nothing in sc
      const cqStore = regions.cq.app.get<EventStore>(EVENT_STORE);
      const sent: StoredEvent[] = [...await cqStore.readByCase(caseId), ...await cqStore.readStream(`taskforce-${taskForceId}`)].filter((e) => e.region === 'cq' && isReplicated(e));
      expect(sent.filter((e) => e.streamId.startsWith('taskforce-'))).toHaveLength(3);
      const before = [...await scStore.readByCase(caseId), ...await scStore.readStream(`taskforce-${taskForceId}`)];
      const link = regions.sc.app.get(CrossRegionLink);
      for (let round = 0; round < 2; round++) {
        const outcomes = new Set<string>();
        for (const e of sent) {
          const m = encodeEventMessage(e);
          outcomes.add(await link.importer.importMessage({ topic: 'sc.inbound.cq', partition: 0, offset: String(round), key: m.key, value: m.value, headers: m.headers }));
        }
        expect(outcomes).toEqual(new Set(['duplicate']));
      }
      expect(await scStore.headPosition()).toBe(headBefore);
      expect([...await scStore.readByCase(caseId), ...await scStore.readStream(`taskforce-${taskForceId}`)]).toEqual(before);
    } finally {
      watched.restore();
      pm.mockRestore();
    }
  });

  it('sends a task force formed before its case became joint, from its first event, once the case is joint', async () => {
    // a cq-only case first: its task force stays home
    const reg = await cq.as(t.clerk).post('/v1/petitions', {
      channel: 'visit', regionCode: '500109', demandClass: 'claim', petitioner: { name: '秦某', phone: '13800007711' },
      subject: '界河河道采砂扰民', content: '夜间采砂噪声扰民，河岸垮塌。',
    });
    const caseId: string = reg.body.caseId;
    expect((await cq.as(t.coordinator).post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '水利/河道', route: 'petition' })).status).toBe(201);
    const formed = await cq.as(t.coordinator).post('/v1/task-forces', {
      name: '界河采砂整治专班', leader: { name: '刘某', title: '北碚区副区长' }, caseIds: [caseId], agencyIds: ['500109-slj'],
    });
    expect(formed.status).toBe(201);
    const taskForceId: string = formed.body.taskForceId;
    expect((await cq.as(t.coordinator).post(`/v1/task-forces/${taskForceId}/milestones`, { title: '制定整治方案', dueDate: '2030-06-30' })).status).toBe(201);
    const scStore = regions.sc.app.get<EventStore>(EVENT_STORE);
    const cqStore = regions.cq.app.get<EventStore>(EVENT_STORE);
    // cq's link has followed everything written so far: nothing of this case or task force went to sc
    await eventually(async () => (await regions.cq.app.get<EventStore>(EVENT_STORE).readByCase(caseId)).some((e) => short(e.type) === 'case.task-force-joined'), 'the link in cq');
    expect(await scStore.readStream(`taskforce-${taskForceId}`)).toEqual([]);

    // now Sichuan's agency is assigned: the case, and the task force it joined, cross over whole
    expect((await cq.as(t.coordinator).post(`/v1/cases/${caseId}/assignments`, {
      mode: 'assign', agencies: [{ agencyId: '500109-slj', role: 'lead' }, { agencyId: '511623-sw', role: 'co' }],
    })).status).toBe(201);
    expect((await cq.as(t.coordinator).post(`/v1/task-forces/${taskForceId}/site-visits`, {
      heldAt: new Date().toISOString(), place: '界河采砂点', topic: '查看河岸垮塌', attendees: [{ name: '刘某' }], conclusions: ['立即停止夜间采砂'],
    })).status).toBe(201);
    const cqTimeline = await timelineOf(cq, t.cqAnalyst, caseId);
    const scTimeline = await eventually(async () => {
      const e = await timelineOf(sc, t.scAnalyst, caseId);
      return e.length === cqTimeline.length ? e : null;
    }, 'the whole timeline in sc');
    expect(scTimeline).toEqual(cqTimeline);
    expect(cqTimeline.filter((e) => e.streamId === `taskforce-${taskForceId}`).map((e) => short(e.type))).toEqual([
      'taskforce.formed', 'taskforce.milestone-set', 'taskforce.site-visited',
    ]);
    expect((await scStore.readStream(`taskforce-${taskForceId}`)).map((e) => e.id)).toEqual((await cqStore.readStream(`taskforce-${taskForceId}`)).map((e) => e.id));
  });
});
