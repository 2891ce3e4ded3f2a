import { at, spec } from '@lianban/testing';
import {
  CaseEventTypes as C, deadlineDecider, TaskEventTypes as T, type CaseEvent, type DeadlineEvent, type Recorded, type TaskEvent, type WarningDays,
} from '@lianban/domain';

const w: WarningDays = { route: 3, acknowledge: 3, handle: 10, 'appeal-decision': 5, 'supervision-answer': 2 };
const registered = at('2024-03-04T01:00:00.000Z', {
  type: C.PetitionRegistered,
  data: {
    caseNumber: 'CQ-2024-000001', channel: 'online', petitioner: { petitionerId: 'p', sealed: 's', anonymous: false }, regionCode: '500112',
    subject: 's', content: 'c', demandClass: null, matterOccurredAt: null, routeDueAt: '2024-03-19T15:59:59.999Z',
  },
} as CaseEvent);
const classified = at('2024-03-05T01:00:00.000Z', { type: C.PetitionClassified, data: { demandClass: 'claim', category: 'x', route: 'petition' } } as CaseEvent);
const assigned = (when = '2024-03-06T01:00:00.000Z') => at(when, {
  type: C.AgenciesAssigned,
  data: { mode: 'forward', agencies: [{ agencyId: '500112-rsj', role: 'lead', acknowledgeDueAt: '2024-03-21T15:59:59.999Z', returnDueAt: '2024-03-13T15:59:59.999Z' }] },
} as CaseEvent);
const accepted = at('2024-03-07T01:00:00.000Z', {
  type: T.TaskAccepted, data: { acknowledgedInTime: true, acknowledgeDueAt: '2024-03-21T15:59:59.999Z', handleDueAt: '2024-05-06T15:59:59.999Z' },
} as TaskEvent, '500112-rsj');
const check = (when: string, warningDays = w) => ({ kind: 'CheckDeadlines' as const, at: when, warningDays });
const flagged = (when: string, events: DeadlineEvent[]): Recorded[] => events.map((e) => at(when, e));
const routeFlag = { limitId: 'route', kind: 'route', agencyId: null, article: 'Art. 22', dueAt: '2024-03-19T15:59:59.999Z' };

describe('deadline watch — 预警 and overdue, once each (Art. 22, 23, 34, 35, 36, 40)', () => {
  it('Art. 22: warns the configured days before the routing limit, and not before', () => {
    spec(deadlineDecider).given(registered).when(check('2024-03-16T15:59:59.998Z')).then([]);
    spec(deadlineDecider).given(registered).when(check('2024-03-16T16:00:00.000Z'))
      .then([{ type: C.DeadlineWarning, data: { ...routeFlag, warningDays: 3 } } as DeadlineEvent]);
  });

  it('Art. 22: a case not routed in time is flagged overdue; a routed one is not', () => {
    spec(deadlineDecider).given(registered).when(check('2024-03-20T00:00:00.000Z'))
      .then([{ type: C.DeadlineOverdue, data: { ...routeFlag, metAt: null } } as DeadlineEvent]);
    spec(deadlineDecider).given(registered, classified, assigned()).when(check('2024-03-20T00:00:00.000Z'))
      .then((e) => expect(e.filter((x) => x.data.limitId === 'route')).toEqual([]));
  });

  it('never emits twice: a repeated check — second tick, restart, redelivery — finds the flag recorded', () => {
    const warned = flagged('2024-03-17T00:00:00.000Z', spec(deadlineDecider).given(registered).when(check('2024-03-17T00:00:00.000Z')).then(() => undefined));
    spec(deadlineDecider).given(registered, ...warned).when(check('2024-03-18T00:00:00.000Z')).then([]);
    const overdue = flagged('2024-03-20T00:00:00.000Z', spec(deadlineDecider).given(registered, ...warned).when(check('2024-03-20T00:00:00.000Z')).then((e) => {
      expect(e.map((x) => x.type)).toEqual([C.DeadlineOverdue]);
    }));
    spec(deadlineDecider).given(registered, ...warned, ...overdue).when(check('2024-04-20T00:00:00.000Z')).then([]);
  });

  it('never misses: after downtime the first check flags a limit that passed, even one met late in the meantime', () => {
    spec(deadlineDecider).given(registered, classified, assigned('2024-03-25T01:00:00.000Z')).when(check('2024-04-01T00:00:00.000Z'))
      .then((e) => expect(e.filter((x) => x.data.limitId === 'route')).toEqual([
        { type: C.DeadlineOverdue, data: { ...routeFlag, metAt: '2024-03-25T01:00:00.000Z' } },
      ]));
  });

  it('Art. 23, 34: watches each agency\'s acknowledgement and handling limits', () => {
    spec(deadlineDecider).given(registered, classified, assigned()).when(check('2024-03-22T00:00:00.000Z')).then([{
      type: C.DeadlineOverdue,
      data: { limitId: 'acknowledge:500112-rsj', kind: 'acknowledge', agencyId: '500112-rsj', article: 'Art. 23', dueAt: '2024-03-21T15:59:59.999Z', metAt: null },
    } as DeadlineEvent]);
    spec(deadlineDecider).given(registered, classified, assigned(), accepted).when(check('2024-04-27T00:00:00.000Z')).then([{
      type: C.DeadlineWarning,
      data: { limitId: 'handle:500112-rsj', kind: 'handle', agencyId: '500112-rsj', article: 'Art. 34', dueAt: '2024-05-06T15:59:59.999Z', warningDays: 10 },
    } as DeadlineEvent]);
  });

  it('Art. 34: an extension moves the limit, and the new due date gets its own warning', () => {
    const warned = at('2024-04-27T00:00:00.000Z', {
      type: C.DeadlineWarning,
      data: { limitId: 'handle:500112-rsj', kind: 'handle', agencyId: '500112-rsj', article: 'Art. 34', dueAt: '2024-05-06T15:59:59.999Z', warningDays: 10 },
    } as CaseEvent);
    const extended = at('2024-04-28T00:00:00.000Z', {
      type: T.HandlingExtended,
      data: { days: 30, reason: 'x', previousDueAt: '2024-05-06T15:59:59.999Z', handleDueAt: '2024-06-05T15:59:59.999Z', approvedBy: 'h', petitionerNotice: 'x' },
    } as TaskEvent, '500112-rsj');
    const given = [registered, classified, assigned(), accepted, warned, extended];
    spec(deadlineDecider).given(...given).when(check('2024-05-07T00:00:00.000Z')).then([]);
    spec(deadlineDecider).given(...given).when(check('2024-05-27T00:00:00.000Z'))
      .then((e) => expect(e).toEqual([expect.objectContaining({ type: C.DeadlineWarning, data: expect.objectContaining({ dueAt: '2024-06-05T15:59:59.999Z' }) })]));
  });

  it('Art. 35: watches the reviewer\'s decision limit, never the petitioner\'s own request window', () => {
    const answered = at('2024-03-20T00:00:00.000Z', {
      type: C.CaseAnswered, data: { leadAgencyId: '500112-rsj', outcome: 'support', text: 'x', replyEventId: 'r', repliedAt: '2024-03-20T00:00:00.000Z' },
    } as CaseEvent);
    const replied = at('2024-03-20T00:00:00.000Z', { type: T.ReplyIssued, data: { outcome: 'support', text: 'x', withinLimit: true, handleDueAt: 'x' } } as TaskEvent, '500112-rsj');
    spec(deadlineDecider).given(registered, classified, assigned(), accepted, replied, answered).when(check('2024-05-01T00:00:00.000Z')).then([]);
    const appeal = at('2024-04-01T00:00:00.000Z', {
      type: C.AppealRequested,
      data: { appealId: 'a-1', kind: 'review', reason: 'x', appealedAgencyId: '500112-rsj', reviewerAgencyId: '500000-rsj', requestDueAt: 'x', decisionDueAt: '2024-05-01T15:59:59.999Z' },
    } as CaseEvent);
    spec(deadlineDecider).given(registered, classified, assigned(), accepted, replied, answered, appeal).when(check('2024-05-02T00:00:00.000Z'))
      .then((e) => expect(e.map((x) => x.data.limitId)).toEqual(['appeal-decision:a-1']));
  });

  it('Art. 40: watches the answer to supervision; a warning of 0 days means none', () => {
    const issued = at('2024-03-08T00:00:00.000Z', {
      type: C.SupervisionIssued, data: { supervisionId: 's-1', agencyId: '500112-rsj', reason: 'x', answerDueAt: '2024-03-23T15:59:59.999Z' },
    } as CaseEvent);
    spec(deadlineDecider).given(registered, classified, assigned(), accepted, issued).when(check('2024-03-22T00:00:00.000Z', { ...w, 'supervision-answer': 0 })).then([]);
    spec(deadlineDecider).given(registered, classified, assigned(), accepted, issued).when(check('2024-03-22T00:00:00.000Z'))
      .then((e) => expect(e.map((x) => [x.type, x.data.limitId])).toEqual([[C.DeadlineWarning, 'supervision-answer:s-1']]));
  });

  it('a check is dated like any command: never before the case\'s last event', () => {
    spec(deadlineDecider).given(registered).when(check('2024-03-01T00:00:00.000Z')).thenRefuses('COMMAND_BEFORE_LAST_EVENT');
    spec(deadlineDecider).given().when(check('2024-03-01T00:00:00.000Z')).thenRefuses('CASE_NOT_FOUND');
  });
});
