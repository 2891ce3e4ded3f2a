import { at, spec } from '@lianban/testing';
import { CaseEventTypes as C, taskDecider, TaskEventTypes as T, type CaseEvent, type TaskEvent } from '@lianban/domain';

const assignedAt = '2021-05-04T03:00:00.000Z';
const ackDue = '2021-05-19T15:59:59.999Z';
const assigned = (agencies: { agencyId: string; role: 'lead' | 'co' }[]) => at(assignedAt, {
  type: C.AgenciesAssigned,
  data: { mode: 'assign', agencies: agencies.map((a) => ({ ...a, acknowledgeDueAt: ackDue })) },
} as CaseEvent);
const twoAgencies = assigned([{ agencyId: '500112-rsj', role: 'lead' }, { agencyId: '500112-xfb', role: 'co' }]);
const accepted = (agencyId: string, when = '2021-05-06T01:00:00.000Z', handleDueAt = '2021-07-05T15:59:59.999Z') =>
  at(when, { type: T.TaskAccepted, data: { acknowledgedInTime: true, acknowledgeDueAt: ackDue, handleDueAt } } as TaskEvent, agencyId);
const opinion = (agencyId: string) => at('2021-05-20T01:00:00.000Z', { type: T.OpinionSubmitted, data: { text: '同意主办意见' } } as TaskEvent, agencyId);
const reply = { kind: 'IssueReply' as const, at: '2021-05-31T08:00:00.000Z', outcome: 'support' as const, text: '欠薪已足额支付' };

const lead = taskDecider('500112-rsj');
const co = taskDecider('500112-xfb');

describe('task decider — acceptance and 告知 (Art. 23)', () => {
  it('accepts an assigned task in time; the handling limit is 60 日 from acceptance (Art. 34)', () => {
    spec(lead).given(twoAgencies).when({ kind: 'AcceptTask', at: '2021-05-06T01:00:00.000Z' }).then([{
      type: T.TaskAccepted,
      data: { acknowledgedInTime: true, acknowledgeDueAt: ackDue, handleDueAt: '2021-07-05T15:59:59.999Z' },
    } as TaskEvent]);
  });

  it('Art. 23: an acknowledgement after 15 日 is still made, and recorded as late', () => {
    spec(lead).given(twoAgencies).when({ kind: 'AcceptTask', at: '2021-05-20T01:00:00.000Z' })
      .then((events) => expect((events[0].data as { acknowledgedInTime: boolean }).acknowledgedInTime).toBe(false));
  });

  it('refuses an agency that holds no task, and a second acceptance', () => {
    spec(taskDecider('500112-zjw')).given(twoAgencies).when({ kind: 'AcceptTask', at: '2021-05-06T01:00:00.000Z' }).thenRefuses('TASK_NOT_ASSIGNED');
    spec(lead).given(twoAgencies, accepted('500112-rsj')).when({ kind: 'AcceptTask', at: '2021-05-07T01:00:00.000Z' }).thenRefuses('TASK_ALREADY_ACCEPTED');
  });
});

describe('task decider — handling (Art. 31, 33)', () => {
  it('records handling actions once accepted', () => {
    spec(lead).given(twoAgencies, accepted('500112-rsj'))
      .when({ kind: 'RecordHandlingAction', at: '2021-05-10T01:00:00.000Z', action: 'inspection', note: '启动劳动监察程序' })
      .then([{ type: T.HandlingActionRecorded, data: { kind: 'inspection', note: '启动劳动监察程序' } } as TaskEvent]);
  });

  it('Art. 23: refuses handling before acceptance', () => {
    spec(lead).given(twoAgencies)
      .when({ kind: 'RecordHandlingAction', at: '2021-05-10T01:00:00.000Z', action: 'investigation', note: 'x' })
      .thenRefuses('TASK_NOT_ACCEPTED', 'Art. 23');
  });
});

describe('task decider — co-handler opinions and the lead reply (Art. 24, 32)', () => {
  it('Art. 24: a co-handler submits its opinion once; the lead cannot submit one', () => {
    spec(co).given(twoAgencies, accepted('500112-xfb')).when({ kind: 'SubmitOpinion', at: '2021-05-20T01:00:00.000Z', text: '同意' })
      .then([{ type: T.OpinionSubmitted, data: { text: '同意' } } as TaskEvent]);
    spec(co).given(twoAgencies, accepted('500112-xfb'), opinion('500112-xfb'))
      .when({ kind: 'SubmitOpinion', at: '2021-05-21T01:00:00.000Z', text: '再次' }).thenRefuses('OPINION_ALREADY_SUBMITTED');
    spec(lead).given(twoAgencies, accepted('500112-rsj')).when({ kind: 'SubmitOpinion', at: '2021-05-20T01:00:00.000Z', text: 'x' })
      .thenRefuses('NOT_A_CO_HANDLER', 'Art. 24');
  });

  it('Art. 24: the lead replies only when every co-handler has given its opinion', () => {
    const refused = spec(lead).given(twoAgencies, accepted('500112-rsj'), accepted('500112-xfb')).when(reply)
      .thenRefuses('CO_HANDLER_OPINIONS_PENDING', 'Art. 24');
    expect(refused.details).toEqual({ pending: ['500112-xfb'] });
  });

  it('Art. 32: the lead replies with support / explain / not-support once every co-handler has given its opinion', () => {
    spec(lead).given(twoAgencies, accepted('500112-rsj'), accepted('500112-xfb'), opinion('500112-xfb')).when(reply).then([{
      type: T.ReplyIssued, data: { outcome: 'support', text: '欠薪已足额支付', withinLimit: true, handleDueAt: '2021-07-05T15:59:59.999Z' },
    } as TaskEvent]);
  });

  it('Art. 24: a released co-handler no longer holds up the reply', () => {
    const released = at('2021-05-25T00:00:00.000Z', { type: C.CoHandlerReleased, data: { agencyId: '500112-xfb', reason: '非其职责' } } as CaseEvent);
    spec(lead).given(twoAgencies, accepted('500112-rsj'), released).when(reply)
      .then((events) => expect(events[0].type).toBe(T.ReplyIssued));
  });

  it('Art. 24: only the lead replies', () => {
    spec(co).given(twoAgencies, accepted('500112-xfb')).when(reply).thenRefuses('NOT_THE_LEAD', 'Art. 24');
  });

  it('Art. 34: a reply after the handling limit is recorded as late', () => {
    spec(taskDecider('500112-rsj')).given(assigned([{ agencyId: '500112-rsj', role: 'lead' }]), accepted('500112-rsj'))
      .when({ ...reply, at: '2021-07-06T00:00:00.000Z' })
      .then((events) => expect((events[0].data as { withinLimit: boolean }).withinLimit).toBe(false));
  });

  it('Art. 32: no second reply, and no action after the case is answered', () => {
    const replied = at('2021-05-31T08:00:00.000Z', { type: T.ReplyIssued, data: { outcome: 'support', text: 'x', withinLimit: true, handleDueAt: 'x' } } as TaskEvent, '500112-rsj');
    const soloLead = assigned([{ agencyId: '500112-rsj', role: 'lead' }]);
    spec(lead).given(soloLead, accepted('500112-rsj'), replied).when({ ...reply, at: '2021-06-01T00:00:00.000Z' }).thenRefuses('ALREADY_REPLIED');
    const answered = at('2021-05-31T08:00:01.000Z', { type: C.CaseAnswered, data: { leadAgencyId: '500112-rsj', outcome: 'support', text: 'x', replyEventId: 'r' } } as CaseEvent);
    spec(co).given(twoAgencies, accepted('500112-xfb'), answered)
      .when({ kind: 'RecordHandlingAction', at: '2021-06-01T00:00:00.000Z', action: 'other', note: 'x' }).thenRefuses('TASK_CLOSED');
  });
});

describe('task decider — time never goes back (DESIGN 7)', () => {
  it('refuses a command dated before the case\'s last event, whichever stream it is in', () => {
    spec(lead).given(twoAgencies, accepted('500112-xfb', '2021-05-08T00:00:00.000Z'))
      .when({ kind: 'AcceptTask', at: '2021-05-07T00:00:00.000Z' }).thenRefuses('COMMAND_BEFORE_LAST_EVENT');
  });
});
