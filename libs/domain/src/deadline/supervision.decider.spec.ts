import { at, spec } from '@lianban/testing';
import {
  caseDecider, CaseEventTypes as C, foldCaseFile, summarize, supervisionWatchDecider, TaskEventTypes as T, type CaseEvent, type CaseFileEvent,
  type IssueSupervision, type Recorded, type SupervisionIssued, type SupervisionPolicy, type TaskEvent,
} from '@lianban/domain';
import { dueSupervisions } from './supervision.decider';

/** Art. 40: the bureau supervises (督办) an agency that delays; the agency answers in writing. */
const registered = at('2024-03-04T01:00:00.000Z', {
  type: C.PetitionRegistered,
  data: {
    caseNumber: 'CQ-2024-000001', channel: 'online', petitioner: { petitionerId: 'p', sealed: 's', anonymous: false }, regionCode: '500112',
    subject: 's', content: 'c', demandClass: null, matterOccurredAt: null, routeDueAt: '2024-03-19T15:59:59.999Z',
  },
} as CaseEvent);
const classified = at('2024-03-05T01:00:00.000Z', { type: C.PetitionClassified, data: { demandClass: 'claim', category: 'x', route: 'petition' } } as CaseEvent);
const assigned = at('2024-03-06T01:00:00.000Z', {
  type: C.AgenciesAssigned,
  data: { mode: 'forward', agencies: [{ agencyId: '500112-rsj', role: 'lead', acknowledgeDueAt: '2024-03-21T15:59:59.999Z', returnDueAt: '2024-03-13T15:59:59.999Z' }] },
} as CaseEvent);
const accepted = (when: string) => at(when, {
  type: T.TaskAccepted, data: { acknowledgedInTime: false, acknowledgeDueAt: '2024-03-21T15:59:59.999Z', handleDueAt: '2024-05-30T15:59:59.999Z' },
} as TaskEvent, '500112-rsj');
const base = [registered, classified, assigned];

const policy: SupervisionPolicy = {
  automaticKinds: ['acknowledge', 'handle'],
  escalate: true,
  answerDays: 10,
  supervisorOf: { '500112-rsj': '500112-xfb' },
  bureauAbove: { '500112-xfb': '500000-xfb', '500000-xfb': null },
};
const ids = { 'auto:acknowledge:500112-rsj@2024-03-21T15:59:59.999Z': 'sup-auto' };
const supervise = (when: string, over: Partial<SupervisionPolicy> = {}, withIds: Record<string, string> = ids) =>
  ({ kind: 'SuperviseOverdue' as const, at: when, policy: { ...policy, ...over }, ids: withIds });
const autoIssued = at('2024-03-22T02:00:00.000Z', {
  type: C.SupervisionIssued,
  data: {
    supervisionId: 'sup-auto', agencyId: '500112-rsj', reason: '受理告知期限 2024-03-21 已过仍未办理，自动督办（Art. 23）', answerDueAt: '2024-04-01T15:59:59.999Z',
    supervisorId: '500112-xfb', automatic: { limitId: 'acknowledge:500112-rsj', kind: 'acknowledge', dueAt: '2024-03-21T15:59:59.999Z' },
  },
} as CaseEvent);
const fileOf = (events: Recorded[]) => foldCaseFile(events.map((e) => ({ ...e, caseId: 'c', region: 'cq' }) as CaseFileEvent))!;

describe('automatic 督办 when a task passes its limit (Art. 40)', () => {
  it('supervises, from the bureau over the agency, a task whose acknowledgement limit passed unmet — not a moment before', () => {
    spec(supervisionWatchDecider).given(...base).when(supervise('2024-03-21T15:59:59.999Z')).then([]);
    spec(supervisionWatchDecider).given(...base).when(supervise('2024-03-22T02:00:00.000Z'))
      .then([{ type: autoIssued.type, data: autoIssued.data } as SupervisionIssued]);
  });

  it('issues exactly one per limit: a later check, a restarted watch, a second coordinator find it issued', () => {
    spec(supervisionWatchDecider).given(...base, autoIssued).when(supervise('2024-03-23T02:00:00.000Z', {}, { ...ids, anything: 'other-id' })).then([]);
    expect(dueSupervisions(fileOf([...base, autoIssued]), '2024-04-01T00:00:00.000Z', policy)).toEqual([]);
  });

  it('leaves alone a limit met late before the watch looked, a kind not configured, and one without a fresh id', () => {
    spec(supervisionWatchDecider).given(...base, accepted('2024-03-22T01:00:00.000Z')).when(supervise('2024-03-22T02:00:00.000Z')).then([]);
    spec(supervisionWatchDecider).given(...base).when(supervise('2024-03-22T02:00:00.000Z', { automaticKinds: ['handle'] })).then([]);
    spec(supervisionWatchDecider).given(...base).when(supervise('2024-03-22T02:00:00.000Z', {}, {})).then([]);
  });

  it('supervises the handling limit of an accepted task once it passes without a reply', () => {
    const handled = [...base, accepted('2024-03-22T01:00:00.000Z')];
    const due = dueSupervisions(fileOf(handled), '2024-05-31T00:00:00.000Z', policy);
    expect(due.map((d) => [d.key, d.agencyId, d.supervisorId])).toEqual([['auto:handle:500112-rsj@2024-05-30T15:59:59.999Z', '500112-rsj', '500112-xfb']]);
  });
});

describe('提级督办: a late written answer moves the supervision one division level up (Art. 40)', () => {
  const escalateIds = { 'escalate:sup-auto': 'sup-up' };

  it('is supervised again by the bureau one level up when the answer limit passes unanswered, once', () => {
    spec(supervisionWatchDecider).given(...base, autoIssued).when(supervise('2024-04-01T15:59:59.999Z', {}, escalateIds)).then([]);
    const up = spec(supervisionWatchDecider).given(...base, autoIssued).when(supervise('2024-04-02T01:00:00.000Z', {}, escalateIds)).then([{
      type: C.SupervisionIssued,
      data: {
        supervisionId: 'sup-up', agencyId: '500112-rsj', reason: '督办书面反馈期限 2024-04-01 已过仍未反馈，提级督办', answerDueAt: '2024-04-12T15:59:59.999Z',
        supervisorId: '500000-xfb', escalatedFrom: 'sup-auto',
      },
    } as SupervisionIssued]);
    const escalated = at('2024-04-02T01:00:00.000Z', up[0]);
    spec(supervisionWatchDecider).given(...base, autoIssued, escalated).when(supervise('2024-04-03T01:00:00.000Z', {}, escalateIds)).then([]);
    // the city bureau's own 督办 goes unanswered too: the registry has nothing above a province
    spec(supervisionWatchDecider).given(...base, autoIssued, escalated).when(supervise('2024-05-01T01:00:00.000Z', {}, { 'escalate:sup-up': 'x' })).then([]);
  });

  it('does not escalate an answered 督办, nor when escalation is turned off', () => {
    const answered = at('2024-03-30T01:00:00.000Z', {
      type: T.SupervisionAnswered, data: { supervisionId: 'sup-auto', text: '已受理', answerDueAt: '2024-04-01T15:59:59.999Z', withinLimit: true },
    } as TaskEvent, '500112-rsj');
    spec(supervisionWatchDecider).given(...base, autoIssued, answered).when(supervise('2024-04-05T01:00:00.000Z', {}, escalateIds)).then([]);
    spec(supervisionWatchDecider).given(...base, autoIssued).when(supervise('2024-04-05T01:00:00.000Z', { escalate: false }, escalateIds)).then([]);
  });

  it('escalates a manual 督办 from the bureau that issued it; an older one without a recorded issuer from the agency\'s bureau', () => {
    const manual = (supervisorId?: string) => at('2024-03-25T01:00:00.000Z', {
      type: C.SupervisionIssued,
      data: { supervisionId: 'sup-m', agencyId: '500112-rsj', reason: 'x', answerDueAt: '2024-04-09T15:59:59.999Z', ...(supervisorId ? { supervisorId } : {}) },
    } as CaseEvent);
    const file = (s: Recorded) => fileOf([...base, accepted('2024-03-20T01:00:00.000Z'), s]);
    const at10 = '2024-04-10T01:00:00.000Z';
    expect(dueSupervisions(file(manual('500112-xfb')), at10, policy).map((d) => d.supervisorId)).toEqual(['500000-xfb']);
    expect(dueSupervisions(file(manual()), at10, policy).map((d) => d.supervisorId)).toEqual(['500000-xfb']);
    expect(dueSupervisions(file(manual('500000-xfb')), at10, policy)).toEqual([]);
  });

  it('summarises automatic and escalated supervision in the timeline', () => {
    const nameAt = (id: string) => ({ '500112-xfb': '渝北区信访办公室', '500000-xfb': '重庆市信访办公室', '500112-rsj': '渝北区人社局' })[id] ?? id;
    expect(summarize(autoIssued, nameAt)).toBe('自动督办：渝北区信访办公室向渝北区人社局发出督办，书面反馈期限至 2024-04-01：受理告知期限 2024-03-21 已过仍未办理，自动督办（Art. 23）');
  });

  it('a check is dated like any command: never before the case\'s last event', () => {
    spec(supervisionWatchDecider).given(...base).when(supervise('2024-03-01T00:00:00.000Z')).thenRefuses('COMMAND_BEFORE_LAST_EVENT');
    spec(supervisionWatchDecider).given().when(supervise('2024-03-01T00:00:00.000Z')).thenRefuses('CASE_NOT_FOUND');
  });
});

describe('manual 督办: the written answer is due within the configured limit (Art. 40)', () => {
  const issue: IssueSupervision = { kind: 'IssueSupervision', at: '2024-03-25T01:00:00.000Z', supervisionId: 's-1', agencyId: '500112-rsj', reason: '催办' };

  it('gives the configured days for the answer and records the supervising bureau', () => {
    spec(caseDecider).given(...base).when({ ...issue, answerDays: 7, supervisorId: '500112-xfb' }).then([{
      type: C.SupervisionIssued, data: { supervisionId: 's-1', agencyId: '500112-rsj', reason: '催办', answerDueAt: '2024-04-01T15:59:59.999Z', supervisorId: '500112-xfb' },
    } as CaseEvent]);
    spec(caseDecider).given(...base).when(issue).then((e) => expect((e[0].data as { answerDueAt: string }).answerDueAt).toBe('2024-04-09T15:59:59.999Z'));
    spec(caseDecider).given(...base).when({ ...issue, agencyId: '500112-zjw' }).thenRefuses('NOT_ON_CASE', 'Art. 40');
  });
});
