import { at, spec } from '@lianban/testing';
import { caseDecider, CaseEventTypes as T, type CaseEvent } from '@lianban/domain';
import type { AssignAgencies, RegisterPetition } from './case.commands';

const petitioner = { petitionerId: 'p-1', sealed: 'c2VhbGVk', anonymous: false };
const register: RegisterPetition = {
  kind: 'RegisterPetition', at: '2021-05-04T01:00:00.000Z', caseNumber: 'CQ-2021-000001', channel: 'online', petitioner,
  regionCode: '500112', subject: '分公司拖欠工资', content: '数月未发工资', demandClass: 'claim',
};
const registered = at('2021-05-04T01:00:00.000Z', {
  type: T.PetitionRegistered,
  data: {
    caseNumber: 'CQ-2021-000001', channel: 'online', petitioner, regionCode: '500112', subject: '分公司拖欠工资',
    content: '数月未发工资', demandClass: 'claim', matterOccurredAt: null, routeDueAt: '2021-05-19T15:59:59.999Z',
  },
} as CaseEvent);
const classified = at('2021-05-04T02:00:00.000Z', {
  type: T.PetitionClassified, data: { demandClass: 'claim', category: '劳动保障/拖欠工资', route: 'petition' },
} as CaseEvent);
const assignCmd = (agencies: AssignAgencies['agencies'], atIso = '2021-05-04T03:00:00.000Z'): AssignAgencies => ({
  kind: 'AssignAgencies', at: atIso, mode: 'assign', agencies,
});
const assigned = at('2021-05-04T03:00:00.000Z', {
  type: T.AgenciesAssigned,
  data: {
    mode: 'assign',
    agencies: [
      { agencyId: '500112-rsj', role: 'lead', acknowledgeDueAt: '2021-05-19T15:59:59.999Z' },
      { agencyId: '500112-xfb', role: 'co', acknowledgeDueAt: '2021-05-19T15:59:59.999Z' },
    ],
  },
} as CaseEvent);
const answered = at('2021-05-31T08:00:00.000Z', {
  type: T.CaseAnswered, data: { leadAgencyId: '500112-rsj', outcome: 'support', text: '已足额支付', replyEventId: 'r-1' },
} as CaseEvent);

describe('case decider — registration (登记, DESIGN 4.1)', () => {
  it('registers a petition from any channel and sets the Art. 22 routing limit 15 日 later (end of day, China time)', () => {
    spec(caseDecider).given().when(register).then([registered].map(({ type, data }) => ({ type, data }) as CaseEvent));
  });

  it.each(['letter', 'visit', 'online', 'phone', 'video', 'wechat', 'app'] as const)('accepts the %s channel', (channel) => {
    spec(caseDecider).given().when({ ...register, channel }).then((events) => {
      expect(events[0].type).toBe(T.PetitionRegistered);
      expect((events[0].data as { channel: string }).channel).toBe(channel);
    });
  });

  it('refuses to register the same case twice', () => {
    spec(caseDecider).given(registered).when(register).thenRefuses('CASE_ALREADY_REGISTERED');
  });
});

describe('case decider — classification and routing (Art. 22, 28, 31)', () => {
  it('classifies a registered petition', () => {
    spec(caseDecider).given(registered)
      .when({ kind: 'ClassifyPetition', at: '2021-05-04T02:00:00.000Z', demandClass: 'claim', category: '劳动保障/拖欠工资', route: 'petition' })
      .then([{ type: T.PetitionClassified, data: { demandClass: 'claim', category: '劳动保障/拖欠工资', route: 'petition' } } as CaseEvent]);
  });

  it('Art. 22: a petition must be classified before it is assigned', () => {
    spec(caseDecider).given(registered).when(assignCmd([{ agencyId: '500112-rsj', role: 'lead' }])).thenRefuses('NOT_CLASSIFIED', 'Art. 22');
  });

  it('Art. 28, 31 (诉访分离): a matter routed to litigation is never assigned to handling agencies', () => {
    const routedOut = at('2021-05-04T02:00:00.000Z', {
      type: T.PetitionClassified, data: { demandClass: 'claim', category: '合同纠纷', route: 'litigation' },
    } as CaseEvent);
    spec(caseDecider).given(registered, routedOut).when(assignCmd([{ agencyId: '500112-rsj', role: 'lead' }])).thenRefuses('ROUTED_OUT', 'Art. 28');
  });
});

describe('case decider — assignment to several agencies at once (Art. 24)', () => {
  it('assigns one lead and co-handlers at once, each with the Art. 23 acknowledgement limit of 15 日', () => {
    spec(caseDecider).given(registered, classified)
      .when(assignCmd([{ agencyId: '500112-rsj', role: 'lead' }, { agencyId: '500112-xfb', role: 'co' }]))
      .then([{ type: assigned.type, data: assigned.data } as CaseEvent]);
  });

  it('assigns to three agencies at once', () => {
    spec(caseDecider).given(registered, classified)
      .when(assignCmd([
        { agencyId: '500112-rsj', role: 'lead' }, { agencyId: '500112-xfb', role: 'co' }, { agencyId: '500112-zjw', role: 'co' },
      ]))
      .then((events) => expect((events[0].data as { agencies: unknown[] }).agencies).toHaveLength(3));
  });

  it('Art. 24: refuses two leads', () => {
    spec(caseDecider).given(registered, classified)
      .when(assignCmd([{ agencyId: '500112-rsj', role: 'lead' }, { agencyId: '500112-xfb', role: 'lead' }]))
      .thenRefuses('ONE_LEAD_ONLY', 'Art. 24');
  });

  it('Art. 24: refuses an assignment without a lead', () => {
    spec(caseDecider).given(registered, classified).when(assignCmd([{ agencyId: '500112-xfb', role: 'co' }])).thenRefuses('LEAD_REQUIRED', 'Art. 24');
  });

  it('Art. 24: a second lead cannot be added while the first holds the case', () => {
    spec(caseDecider).given(registered, classified, assigned)
      .when(assignCmd([{ agencyId: '500112-zjw', role: 'lead' }], '2021-05-05T00:00:00.000Z'))
      .thenRefuses('ONE_LEAD_ONLY');
  });

  it('adds a co-handler to an assigned case', () => {
    spec(caseDecider).given(registered, classified, assigned)
      .when(assignCmd([{ agencyId: '500112-zjw', role: 'co' }], '2021-05-05T00:00:00.000Z'))
      .then((events) => expect(events[0].type).toBe(T.AgenciesAssigned));
  });

  it('refuses an agency already holding a task, and one named twice', () => {
    spec(caseDecider).given(registered, classified, assigned)
      .when(assignCmd([{ agencyId: '500112-xfb', role: 'co' }], '2021-05-05T00:00:00.000Z')).thenRefuses('AGENCY_ALREADY_ASSIGNED');
    spec(caseDecider).given(registered, classified)
      .when(assignCmd([{ agencyId: '500112-rsj', role: 'lead' }, { agencyId: '500112-rsj', role: 'co' }])).thenRefuses('DUPLICATE_AGENCY');
  });

  it('releases a co-handler but never the lead', () => {
    spec(caseDecider).given(registered, classified, assigned)
      .when({ kind: 'ReleaseCoHandler', at: '2021-05-10T00:00:00.000Z', agencyId: '500112-xfb', reason: '非其职责' })
      .then([{ type: T.CoHandlerReleased, data: { agencyId: '500112-xfb', reason: '非其职责' } } as CaseEvent]);
    spec(caseDecider).given(registered, classified, assigned)
      .when({ kind: 'ReleaseCoHandler', at: '2021-05-10T00:00:00.000Z', agencyId: '500112-rsj', reason: 'x' })
      .thenRefuses('NOT_A_CO_HANDLER');
  });
});

describe('case decider — answer and rating (Art. 32)', () => {
  const answerCmd = { kind: 'RecordCaseAnswered' as const, at: '2021-05-31T08:00:00.000Z', leadAgencyId: '500112-rsj', outcome: 'support' as const, text: '已足额支付', replyEventId: 'r-1' };

  it('records the lead reply as the case answer, once (a redelivered reply changes nothing)', () => {
    spec(caseDecider).given(registered, classified, assigned).when(answerCmd).then([{ type: answered.type, data: answered.data } as CaseEvent]);
    spec(caseDecider).given(registered, classified, assigned, answered).when(answerCmd).thenRefuses('CASE_ALREADY_ANSWERED');
  });

  it('Art. 24: only the lead answers the case', () => {
    spec(caseDecider).given(registered, classified, assigned).when({ ...answerCmd, leadAgencyId: '500112-xfb' }).thenRefuses('NOT_THE_LEAD');
  });

  it('the petitioner rates an answered case once; not before it is answered', () => {
    const rate = { kind: 'RateReply' as const, at: '2021-06-01T00:00:00.000Z', rating: 'satisfied' as const };
    spec(caseDecider).given(registered, classified, assigned, answered).when(rate)
      .then([{ type: T.ReplyRated, data: { rating: 'satisfied', comment: null } } as CaseEvent]);
    spec(caseDecider).given(registered, classified, assigned).when(rate).thenRefuses('NOT_ANSWERED');
    const rated = at('2021-06-01T00:00:00.000Z', { type: T.ReplyRated, data: { rating: 'satisfied', comment: null } } as CaseEvent);
    spec(caseDecider).given(registered, classified, assigned, answered, rated).when(rate).thenRefuses('ALREADY_RATED');
  });
});

describe('case decider — time never goes back (DESIGN 7)', () => {
  it('refuses a command dated before the case\'s last event', () => {
    spec(caseDecider).given(registered, classified)
      .when(assignCmd([{ agencyId: '500112-rsj', role: 'lead' }], '2021-05-04T01:30:00.000Z'))
      .thenRefuses('COMMAND_BEFORE_LAST_EVENT');
  });

  it('refuses commands on a case that does not exist', () => {
    spec(caseDecider).given().when(assignCmd([{ agencyId: '500112-rsj', role: 'lead' }])).thenRefuses('CASE_NOT_FOUND');
  });
});
