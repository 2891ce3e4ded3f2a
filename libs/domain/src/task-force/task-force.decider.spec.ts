import { at, spec } from '@lianban/testing';
import {
  foldTaskForce, milestoneStateOf, summarize, taskForceDecider, TaskForceEventTypes as F, taskForceProgress, type FormTaskForce, type RecordGathering,
  type TaskForceEvent, type TaskForceView,
} from '@lianban/domain';

/**
 * 工作专班: a leader who owns the cases (包案), member agencies of any region, milestones with
 * due dates, 专题会 and site visits, closing with an outcome. These are the bureau's working
 * rules; the 条例 names no article for task forces, so none is cited.
 */
const leader = { name: '刘某', title: '北碚区副区长', divisionCode: '500109' };
const form: FormTaskForce = {
  kind: 'FormTaskForce', at: '2020-09-04T02:00:00.000Z', taskForceId: 'tf-1', name: '袁某房屋质量问题化解工作专班', purpose: '化解房屋质量纠纷',
  leader, caseIds: ['case-1', 'case-2'], members: [{ agencyId: '500109-zjw', duty: '牵头核查' }, { agencyId: '511623-sw', duty: '配合' }],
  formedBy: '500109-xfb',
};
const formed = at('2020-09-04T02:00:00.000Z', {
  type: F.TaskForceFormed,
  data: {
    taskForceId: 'tf-1', name: '袁某房屋质量问题化解工作专班', purpose: '化解房屋质量纠纷', leader, caseIds: ['case-1', 'case-2'],
    members: [{ agencyId: '500109-zjw', duty: '牵头核查' }, { agencyId: '511623-sw', duty: '配合' }], formedBy: '500109-xfb',
  },
} as TaskForceEvent);
const milestone = (id: string, dueAt: string, setAt = '2020-09-05T02:00:00.000Z') =>
  at(setAt, { type: F.MilestoneSet, data: { milestoneId: id, title: `节点${id}`, dueAt } } as TaskForceEvent);
const completed = (id: string, when: string, dueAt: string, late = false) =>
  at(when, { type: F.MilestoneCompleted, data: { milestoneId: id, note: '完成', dueAt, late } } as TaskForceEvent);
const gathering = (over: Partial<RecordGathering> = {}): RecordGathering => ({
  kind: 'RecordGathering', at: '2020-09-10T10:00:00.000Z', gathering: 'site-visit', recordId: 'g-1', heldAt: '2020-09-10T02:00:00.000Z',
  place: '某小区', topic: '查看墙体裂缝', attendees: [{ name: '刘某', title: '副区长', agencyId: null }], conclusions: ['裂缝属实'], ...over,
});

describe('task force (工作专班) — formation and members', () => {
  it('is formed for several cases with a leader who owns them and members from either province', () => {
    spec(taskForceDecider).given().when(form).then([{ type: formed.type, data: formed.data } as TaskForceEvent]);
  });

  it('refuses to form twice, without a case, or naming a case or an agency twice', () => {
    spec(taskForceDecider).given(formed).when(form).thenRefuses('TASK_FORCE_EXISTS');
    spec(taskForceDecider).given().when({ ...form, caseIds: [] }).thenRefuses('NO_CASES');
    spec(taskForceDecider).given().when({ ...form, caseIds: ['case-1', 'case-1'] }).thenRefuses('DUPLICATE_CASE');
    spec(taskForceDecider).given().when({ ...form, members: [...form.members, { agencyId: '500109-zjw', duty: 'x' }] }).thenRefuses('DUPLICATE_AGENCY');
  });

  it('adds a member once; a released member may come back', () => {
    const add = { kind: 'AddMember' as const, at: '2020-09-06T00:00:00.000Z', agencyId: '500000-zjw', duty: '技术指导' };
    spec(taskForceDecider).given(formed).when(add).then([{ type: F.MemberAdded, data: { agencyId: '500000-zjw', duty: '技术指导' } } as TaskForceEvent]);
    spec(taskForceDecider).given(formed).when({ ...add, agencyId: '500109-zjw' }).thenRefuses('ALREADY_A_MEMBER');
    const released = at('2020-09-05T00:00:00.000Z', { type: F.MemberReleased, data: { agencyId: '500109-zjw', reason: 'x' } } as TaskForceEvent);
    spec(taskForceDecider).given(formed, released).when({ ...add, agencyId: '500109-zjw' }).then((e) => expect(e.map((x) => x.type)).toEqual([F.MemberAdded]));
    spec(taskForceDecider).given(formed, released).when({ kind: 'ReleaseMember', at: '2020-09-06T00:00:00.000Z', agencyId: '500109-zjw', reason: 'x' })
      .thenRefuses('NOT_A_MEMBER');
  });

  it('acts only on a task force that exists and is still open, and never back in time', () => {
    const add = { kind: 'AddMember' as const, at: '2020-09-06T00:00:00.000Z', agencyId: '500000-zjw', duty: 'x' };
    spec(taskForceDecider).given().when(add).thenRefuses('TASK_FORCE_NOT_FOUND');
    const closed = at('2020-09-05T00:00:00.000Z', { type: F.TaskForceClosed, data: { outcome: 'unresolved', summary: 'x', openMilestones: [] } } as TaskForceEvent);
    spec(taskForceDecider).given(formed, closed).when(add).thenRefuses('TASK_FORCE_CLOSED');
    spec(taskForceDecider).given(formed).when({ ...add, at: '2020-09-03T00:00:00.000Z' }).thenRefuses('COMMAND_BEFORE_LAST_EVENT');
  });
});

describe('task force — milestones (节点), completed or overdue', () => {
  const set = { kind: 'SetMilestone' as const, at: '2020-09-05T02:00:00.000Z', milestoneId: 'm-1', title: '委托第三方检测', dueAt: '2020-10-15T15:59:59.999Z' };

  it('sets a milestone ahead of its due date, never one already due', () => {
    spec(taskForceDecider).given(formed).when(set).then([{ type: F.MilestoneSet, data: { milestoneId: 'm-1', title: '委托第三方检测', dueAt: '2020-10-15T15:59:59.999Z' } } as TaskForceEvent]);
    spec(taskForceDecider).given(formed).when({ ...set, dueAt: '2020-09-05T02:00:00.000Z' }).thenRefuses('MILESTONE_DUE_IN_PAST');
    spec(taskForceDecider).given(formed, milestone('m-1', set.dueAt)).when(set).thenRefuses('MILESTONE_EXISTS');
  });

  it('records a completion as late after the due date, and completes a milestone once', () => {
    const due = '2020-10-15T15:59:59.999Z';
    const complete = { kind: 'CompleteMilestone' as const, at: '2020-10-15T15:59:59.999Z', milestoneId: 'm-1', note: '检测报告已出具' };
    spec(taskForceDecider).given(formed, milestone('m-1', due)).when(complete)
      .then([{ type: F.MilestoneCompleted, data: { milestoneId: 'm-1', note: '检测报告已出具', dueAt: due, late: false } } as TaskForceEvent]);
    spec(taskForceDecider).given(formed, milestone('m-1', due)).when({ ...complete, at: '2020-10-15T16:00:00.000Z' })
      .then((e) => expect((e[0].data as { late: boolean }).late).toBe(true));
    spec(taskForceDecider).given(formed, milestone('m-1', due), completed('m-1', '2020-10-10T00:00:00.000Z', due)).when({ ...complete, at: '2020-10-16T00:00:00.000Z' })
      .thenRefuses('MILESTONE_ALREADY_COMPLETED');
    spec(taskForceDecider).given(formed).when(complete).thenRefuses('MILESTONE_NOT_FOUND');
  });

  it('judges a milestone open, overdue, completed (late) — and unmet when the task force closed without it', () => {
    const m = { milestoneId: 'm', title: 't', dueAt: '2020-10-15T15:59:59.999Z', setAt: '2020-09-05T00:00:00.000Z', completed: null };
    expect(milestoneStateOf(m, '2020-10-15T15:59:59.999Z')).toBe('open');
    expect(milestoneStateOf(m, '2020-10-15T16:00:00.000Z')).toBe('overdue');
    expect(milestoneStateOf({ ...m, completed: { at: 'x', note: 'n', late: true } }, '2020-10-16T00:00:00.000Z')).toBe('completed-late');
    expect(milestoneStateOf(m, '2020-12-01T00:00:00.000Z', '2020-11-01T00:00:00.000Z')).toBe('unmet');
  });
});

describe('task force — 专题会 and site visits, closing with an outcome', () => {
  it('records a site visit and a 专题会 with attendees and conclusions, after they took place', () => {
    spec(taskForceDecider).given(formed).when(gathering()).then([{
      type: F.SiteVisited,
      data: { recordId: 'g-1', heldAt: '2020-09-10T02:00:00.000Z', place: '某小区', topic: '查看墙体裂缝', attendees: [{ name: '刘某', title: '副区长', agencyId: null }], conclusions: ['裂缝属实'] },
    } as TaskForceEvent]);
    spec(taskForceDecider).given(formed).when(gathering({ gathering: 'meeting' })).then((e) => expect(e.map((x) => x.type)).toEqual([F.MeetingHeld]));
    spec(taskForceDecider).given(formed).when(gathering({ heldAt: '2020-09-11T00:00:00.000Z' })).thenRefuses('HELD_IN_FUTURE');
    spec(taskForceDecider).given(formed).when(gathering({ heldAt: '2020-09-01T00:00:00.000Z' })).thenRefuses('HELD_BEFORE_FORMATION');
  });

  it('closes as resolved only with every milestone met; otherwise the open ones are recorded as unmet', () => {
    const due = '2020-10-15T15:59:59.999Z';
    const close = { kind: 'CloseTaskForce' as const, at: '2020-11-01T00:00:00.000Z', outcome: 'resolved' as const, summary: '已化解' };
    spec(taskForceDecider).given(formed, milestone('m-1', due)).when(close).thenRefuses('MILESTONES_OPEN');
    spec(taskForceDecider).given(formed, milestone('m-1', due)).when({ ...close, outcome: 'unresolved', summary: '转常规办理' })
      .then([{ type: F.TaskForceClosed, data: { outcome: 'unresolved', summary: '转常规办理', openMilestones: ['m-1'] } } as TaskForceEvent]);
    spec(taskForceDecider).given(formed, milestone('m-1', due), completed('m-1', '2020-10-10T00:00:00.000Z', due)).when(close)
      .then([{ type: F.TaskForceClosed, data: { outcome: 'resolved', summary: '已化解', openMilestones: [] } } as TaskForceEvent]);
  });
});

describe('task force — the progress view (进展)', () => {
  const history = [
    formed,
    milestone('m-1', '2020-10-15T15:59:59.999Z'),
    milestone('m-2', '2020-11-15T15:59:59.999Z'),
    milestone('m-3', '2020-12-20T15:59:59.999Z'),
    at('2020-09-10T10:00:00.000Z', { type: F.SiteVisited, data: { recordId: 'g-1', heldAt: '2020-09-10T02:00:00.000Z', place: 'p', topic: 't', attendees: [], conclusions: ['c'] } } as TaskForceEvent),
    completed('m-1', '2020-10-20T00:00:00.000Z', '2020-10-15T15:59:59.999Z', true),
    at('2020-10-21T00:00:00.000Z', { type: F.MeetingHeld, data: { recordId: 'g-2', heldAt: '2020-10-20T06:00:00.000Z', place: 'p', topic: 't', attendees: [], conclusions: ['c'] } } as TaskForceEvent),
  ];

  it('counts milestones completed, late, overdue and open as of a moment, and names the next one due', () => {
    const tf = foldTaskForce(history) as TaskForceView;
    expect(taskForceProgress(tf, '2020-11-20T00:00:00.000Z')).toEqual({
      status: 'active', outcome: null, cases: 2, members: 2,
      milestones: { total: 3, completed: 1, completedLate: 1, overdue: 1, open: 1, unmet: 0 },
      completedShare: 1 / 3, meetings: 1, siteVisits: 1,
      nextMilestone: { milestoneId: 'm-2', title: '节点m-2', dueAt: '2020-11-15T15:59:59.999Z' },
      lastActivityAt: '2020-10-21T00:00:00.000Z',
    });
    expect(taskForceProgress(tf, '2020-11-01T00:00:00.000Z').milestones).toMatchObject({ overdue: 0, open: 2 });
  });

  it('summarises its events in Chinese for the timelines of its cases', () => {
    const nameAt = (id: string) => ({ '500109-zjw': '北碚区住房和城乡建设委员会', '511623-sw': '邻水县水务局' })[id] ?? id;
    expect(summarize(formed, nameAt)).toBe('成立工作专班「袁某房屋质量问题化解工作专班」，北碚区副区长刘某任组长包案，成员单位：北碚区住房和城乡建设委员会、邻水县水务局');
    expect(summarize(history[6], nameAt)).toBe('召开专题会：2020-10-20，p，t（0人参加）：c');
  });
});
