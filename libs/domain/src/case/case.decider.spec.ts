import { at, spec } from '@lianban/testing';
import {
  AppealEventTypes as A, caseDecider, CaseEventTypes as T, TaskEventTypes as TT, type AgenciesAssigned, type AppealEvent,
  type AppealRequested, type CaseEvent, type DisputeDecided, type Recorded, type TaskEvent,
} from '@lianban/domain';
import type {
  AssignAgencies, ClassifyPetition, RaiseDispute, RecordRepeatPetition, RegisterPetition, RequestAppeal, TransferTasks,
} from './case.commands';

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
      // Art. 23: 5 工作日 to return, counted across the 2021 Labour Day holiday (05-05 off, Sat 05-08 worked)
      { agencyId: '500112-rsj', role: 'lead', acknowledgeDueAt: '2021-05-19T15:59:59.999Z', returnDueAt: '2021-05-11T15:59:59.999Z' },
      { agencyId: '500112-xfb', role: 'co', acknowledgeDueAt: '2021-05-19T15:59:59.999Z', returnDueAt: '2021-05-11T15:59:59.999Z' },
    ],
  },
} as CaseEvent);
const answered = at('2021-05-31T08:00:00.000Z', {
  type: T.CaseAnswered, data: { leadAgencyId: '500112-rsj', outcome: 'support', text: '已足额支付', replyEventId: 'r-1', repliedAt: '2021-05-31T08:00:00.000Z' },
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

// ---- the whole procedure (issue 3) --------------------------------------------------------

const dispute = (over: Partial<RaiseDispute> = {}): RaiseDispute => ({
  kind: 'RaiseDispute', at: '2021-05-06T00:00:00.000Z', disputeId: 'd-1', raisedBy: '500112-xfb', otherParties: ['500112-rsj'],
  reason: '欠薪查处属人社部门职责', deciderId: '500112-xfb', deciderKind: 'division', divisionCode: '500112', ...over,
});
const disputeRaised = at('2021-05-06T00:00:00.000Z', {
  type: T.DisputeRaised,
  data: {
    disputeId: 'd-1', raisedBy: '500112-xfb', parties: ['500112-xfb', '500112-rsj'], reason: '欠薪查处属人社部门职责',
    deciderId: '500112-xfb', deciderKind: 'division', divisionCode: '500112',
  },
} as CaseEvent);
const returned = (agencyId: string, when = '2021-05-06T00:00:00.000Z') =>
  at(when, { type: TT.TaskReturned, data: { reason: '不属本单位职权', returnDueAt: '2021-05-11T15:59:59.999Z' } } as TaskEvent, agencyId);
const appealRequested = (appealId: string, kind: 'review' | 're-review', when: string, reviewerAgencyId: string) => at(when, {
  type: T.AppealRequested,
  data: { appealId, kind, reason: '不服', appealedAgencyId: 'x', reviewerAgencyId, requestDueAt: 'x', decisionDueAt: 'x' },
} as CaseEvent);
const appealDecided = (appealId: string, kind: 'review' | 're-review', when: string, reviewer: string) => at(when, {
  type: A.AppealDecided, data: { appealId, kind, outcome: 'uphold', text: '维持', decisionDueAt: 'x', withinLimit: true },
} as AppealEvent, reviewer);
const review = appealRequested('a-1', 'review', '2021-06-10T00:00:00.000Z', '500000-rsj');
const reviewDecided = appealDecided('a-1', 'review', '2021-07-01T00:00:00.000Z', '500000-rsj');
const reReview = appealRequested('a-2', 're-review', '2021-07-10T00:00:00.000Z', '500000-xfb');
const reReviewDecided = appealDecided('a-2', 're-review', '2021-08-01T00:00:00.000Z', '500000-xfb');
const concluded = at('2021-08-01T00:00:01.000Z', { type: T.CaseConcluded, data: { appealId: 'a-2', decisionEventId: 'e-9' } } as CaseEvent);
const requestAppeal = (appealKind: 'review' | 're-review', atIso: string, reviewerAgencyId: string | null = '500000-rsj'): RequestAppeal => ({
  kind: 'RequestAppeal', at: atIso, appealId: 'a-new', appealKind, reason: '对处理意见不服', reviewerAgencyId,
});
const repeatCmd = (over: Partial<RecordRepeatPetition> = {}): RecordRepeatPetition => ({
  kind: 'RecordRepeatPetition', at: '2021-05-20T00:00:00.000Z', channel: 'visit', regionCode: '500000', subject: '分公司拖欠工资问题',
  content: '再次反映', matchedBy: 'phone', requestKey: 'k-1', level: 'higher', ...over,
});

describe('case decider — registration keeps only keyed hashes of the identity (Art. 19, DESIGN 3.3)', () => {
  it('records the petitioner keys given, and none when there are none', () => {
    spec(caseDecider).given().when({ ...register, petitionerKeys: ['hmac-1', 'hmac-2'] })
      .then((events) => expect((events[0].data as { petitionerKeys: string[] }).petitionerKeys).toEqual(['hmac-1', 'hmac-2']));
    spec(caseDecider).given().when({ ...register, petitionerKeys: [] })
      .then((events) => expect(events[0].data).not.toHaveProperty('petitionerKeys'));
  });
});

describe('case decider — routing out of the petition track (诉访分离, Art. 28, 31)', () => {
  const classify = (route: ClassifyPetition['route'], over: Partial<ClassifyPetition> = {}): ClassifyPetition => ({
    kind: 'ClassifyPetition', at: '2021-05-04T02:00:00.000Z', demandClass: 'claim', category: '合同纠纷', route, ...over,
  });

  it('Art. 28: a 涉法涉诉 matter goes to the 政法委 of the level, with guidance for the petitioner', () => {
    spec(caseDecider).given(registered)
      .when(classify('litigation', { guidance: '请依法向人民法院提起诉讼', routedToAgencyId: '500112-zfw' }))
      .then([
        { type: T.PetitionClassified, data: { demandClass: 'claim', category: '合同纠纷', route: 'litigation' } },
        { type: T.RoutedOut, data: { route: 'litigation', guidance: '请依法向人民法院提起诉讼', agencyId: '500112-zfw' } },
      ] as CaseEvent[]);
  });

  it.each(['arbitration', 'administrative-review', 'party-appeal'] as const)('Art. 31: %s leaves the track with guidance and no handling agency', (route) => {
    spec(caseDecider).given(registered).when(classify(route, { guidance: '请通过法定途径办理' }))
      .then((events) => expect(events[1]).toEqual({ type: T.RoutedOut, data: { route, guidance: '请通过法定途径办理', agencyId: null } }));
  });

  it('Art. 31: a route out without guidance is refused', () => {
    spec(caseDecider).given(registered).when(classify('discipline', { guidance: '  ' })).thenRefuses('GUIDANCE_REQUIRED', 'Art. 31');
  });

  it('Art. 22: a routed-out matter is not classified again, nor is an assigned one', () => {
    const out = at('2021-05-04T02:00:00.000Z', { type: T.PetitionClassified, data: { demandClass: 'claim', category: 'x', route: 'litigation' } } as CaseEvent);
    spec(caseDecider).given(registered, out).when(classify('petition', { at: '2021-05-05T00:00:00.000Z' })).thenRefuses('CLASSIFICATION_CLOSED', 'Art. 22');
    spec(caseDecider).given(registered, classified, assigned).when(classify('litigation', { at: '2021-05-05T00:00:00.000Z', guidance: 'x' }))
      .thenRefuses('CLASSIFICATION_CLOSED');
  });
});

describe('case decider — return and reassignment (退回, Art. 23)', () => {
  it('Art. 23: the return window is 5 工作日 across the 2024 National Day holiday and its 调休 (Fri 09-27 → Thu 10-10)', () => {
    spec(caseDecider).given(registered, classified)
      .when(assignCmd([{ agencyId: '500112-rsj', role: 'lead' }], '2024-09-27T02:00:00.000Z'))
      .then((events) => expect((events[0] as AgenciesAssigned).data.agencies[0].returnDueAt).toBe('2024-10-10T15:59:59.999Z'));
  });

  it('Art. 23: after the lead returns the task the bureau assigns a new lead', () => {
    spec(caseDecider).given(registered, classified, assigned, returned('500112-rsj'))
      .when(assignCmd([{ agencyId: '500112-zjw', role: 'lead' }], '2021-05-07T00:00:00.000Z'))
      .then((events) => expect((events[0] as AgenciesAssigned).data.agencies).toMatchObject([{ agencyId: '500112-zjw', role: 'lead' }]));
  });

  it('Art. 22, 23: once every agency has returned the matter the bureau may classify it again, e.g. to route it to a court', () => {
    const solo = at('2021-05-04T03:00:00.000Z', {
      type: T.AgenciesAssigned, data: { mode: 'forward', agencies: [{ agencyId: '500112-rsj', role: 'lead', acknowledgeDueAt: 'x', returnDueAt: 'x' }] },
    } as CaseEvent);
    const reclassify: ClassifyPetition = { kind: 'ClassifyPetition', at: '2021-05-07T00:00:00.000Z', demandClass: 'claim', category: '合同纠纷', route: 'litigation', guidance: '请向法院起诉' };
    spec(caseDecider).given(registered, classified, solo, returned('500112-rsj')).when(reclassify)
      .then((events) => expect(events.map((e) => e.type)).toEqual([T.PetitionClassified, T.RoutedOut]));
    spec(caseDecider).given(registered, classified, assigned, returned('500112-rsj')).when(reclassify).thenRefuses('CLASSIFICATION_CLOSED', 'Art. 22');
  });

  it('Art. 23: a returned co-handler may be assigned again; a holding one may not', () => {
    spec(caseDecider).given(registered, classified, assigned, returned('500112-xfb'))
      .when(assignCmd([{ agencyId: '500112-xfb', role: 'co' }], '2021-05-07T00:00:00.000Z'))
      .then((events) => expect(events).toHaveLength(1));
    spec(caseDecider).given(registered, classified, assigned)
      .when(assignCmd([{ agencyId: '500112-xfb', role: 'co' }], '2021-05-07T00:00:00.000Z')).thenRefuses('AGENCY_ALREADY_ASSIGNED', 'Art. 24');
  });

  it('a working-day limit before the calendar begins (2020) is refused, not guessed', () => {
    const old = at('2019-06-03T01:00:00.000Z', { type: registered.type, data: registered.data } as CaseEvent);
    const cls = at('2019-06-03T02:00:00.000Z', { type: classified.type, data: classified.data } as CaseEvent);
    spec(caseDecider).given(old, cls).when(assignCmd([{ agencyId: '500112-rsj', role: 'lead' }], '2019-06-03T03:00:00.000Z'))
      .thenRefuses('OUTSIDE_WORKING_DAY_CALENDAR');
  });
});

describe('case decider — competence disputes (Art. 24)', () => {
  it('Art. 24: an agency holding a task raises a dispute, to be decided by the common superior the registry named', () => {
    spec(caseDecider).given(registered, classified, assigned).when(dispute()).then([{ type: disputeRaised.type, data: disputeRaised.data } as CaseEvent]);
  });

  it('Art. 24: refuses a dispute from an agency without a task, a second open dispute, and a dispute with nobody', () => {
    spec(caseDecider).given(registered, classified, assigned).when(dispute({ raisedBy: '500112-zjw' })).thenRefuses('TASK_NOT_ASSIGNED', 'Art. 24');
    spec(caseDecider).given(registered, classified, assigned, disputeRaised).when(dispute({ disputeId: 'd-2', at: '2021-05-07T00:00:00.000Z' }))
      .thenRefuses('DISPUTE_ALREADY_OPEN', 'Art. 24');
    spec(caseDecider).given(registered, classified, assigned).when(dispute({ otherParties: ['500112-xfb'] })).thenRefuses('NO_OTHER_PARTY', 'Art. 24');
  });

  it('Art. 24: only the named decider decides', () => {
    spec(caseDecider).given(registered, classified, assigned, disputeRaised)
      .when({ kind: 'DecideDispute', at: '2021-05-08T00:00:00.000Z', disputeId: 'd-1', actingFor: '500000-xfb', agencyId: '500112-rsj' })
      .thenRefuses('NOT_THE_DECIDER', 'Art. 24');
  });

  it('Art. 24: the decision keeps the lead and relieves the party that is not competent', () => {
    spec(caseDecider).given(registered, classified, assigned, disputeRaised)
      .when({ kind: 'DecideDispute', at: '2021-05-08T00:00:00.000Z', disputeId: 'd-1', actingFor: '500112-xfb', agencyId: '500112-rsj' })
      .then([{ type: T.DisputeDecided, data: { disputeId: 'd-1', deciderId: '500112-xfb', agencyId: '500112-rsj', relieved: ['500112-xfb'] } } as CaseEvent]);
  });

  it('Art. 24: a decision naming another agency assigns it the task as lead and relieves the old lead', () => {
    const events = spec(caseDecider).given(registered, classified, assigned, disputeRaised)
      .when({ kind: 'DecideDispute', at: '2021-05-08T00:00:00.000Z', disputeId: 'd-1', actingFor: '500112-xfb', agencyId: '500112-zjw' })
      .then((e) => expect(e.map((x) => x.type)).toEqual([T.DisputeDecided, T.AgenciesAssigned]));
    expect((events[0] as DisputeDecided).data.relieved).toEqual(['500112-xfb', '500112-rsj']);
    expect((events[1] as AgenciesAssigned).data).toMatchObject({
      mode: 'assign', disputeId: 'd-1', agencies: [{ agencyId: '500112-zjw', role: 'lead', acknowledgeDueAt: '2021-05-23T15:59:59.999Z' }],
    });
    const decided = at('2021-05-08T00:00:00.000Z', events[0]);
    spec(caseDecider).given(registered, classified, assigned, disputeRaised, decided)
      .when({ kind: 'DecideDispute', at: '2021-05-09T00:00:00.000Z', disputeId: 'd-1', actingFor: '500112-xfb', agencyId: '500112-rsj' })
      .thenRefuses('DISPUTE_ALREADY_DECIDED', 'Art. 24');
  });
});

describe('case decider — supervision (督办, Art. 40)', () => {
  it('Art. 40: supervision goes to an agency on the case, with a written answer due in 15 日', () => {
    spec(caseDecider).given(registered, classified, assigned)
      .when({ kind: 'IssueSupervision', at: '2021-06-01T02:00:00.000Z', supervisionId: 's-1', agencyId: '500112-rsj', reason: '久拖不办' })
      .then([{ type: T.SupervisionIssued, data: { supervisionId: 's-1', agencyId: '500112-rsj', reason: '久拖不办', answerDueAt: '2021-06-16T15:59:59.999Z' } } as CaseEvent]);
  });

  it('Art. 40: refuses supervising an agency that is not on the case', () => {
    spec(caseDecider).given(registered, classified, assigned)
      .when({ kind: 'IssueSupervision', at: '2021-06-01T00:00:00.000Z', supervisionId: 's-1', agencyId: '500112-zjw', reason: 'x' })
      .thenRefuses('NOT_ON_CASE', 'Art. 40');
  });

  it('Art. 40 (不执行): an agency may be supervised after the case is concluded, to carry out the decision', () => {
    spec(caseDecider).given(registered, classified, assigned, answered, review, reviewDecided, reReview, reReviewDecided, concluded)
      .when({ kind: 'IssueSupervision', at: '2021-08-05T00:00:00.000Z', supervisionId: 's-1', agencyId: '500112-rsj', reason: '未执行复核意见' })
      .then((events) => expect(events[0].type).toBe(T.SupervisionIssued));
  });
});

describe('case decider — review (复查, Art. 35) and re-review (复核, Art. 36)', () => {
  it('Art. 35: a review asked within 30 日 of the reply goes to the level above, to be decided within 30 日', () => {
    spec(caseDecider).given(registered, classified, assigned, answered).when(requestAppeal('review', '2021-06-30T15:00:00.000Z')).then([{
      type: T.AppealRequested,
      data: {
        appealId: 'a-new', kind: 'review', reason: '对处理意见不服', appealedAgencyId: '500112-rsj', reviewerAgencyId: '500000-rsj',
        requestDueAt: '2021-06-30T15:59:59.999Z', decisionDueAt: '2021-07-30T15:59:59.999Z',
      },
    } as CaseEvent]);
  });

  it('Art. 35: the review window closes 30 日 after the reply', () => {
    const r = spec(caseDecider).given(registered, classified, assigned, answered).when(requestAppeal('review', '2021-06-30T16:00:00.000Z'))
      .thenRefuses('REVIEW_WINDOW_CLOSED', 'Art. 35');
    expect(r.details).toEqual({ requestDueAt: '2021-06-30T15:59:59.999Z' });
  });

  it('Art. 35: refuses a review before the reply, a second review, and one with no level above', () => {
    spec(caseDecider).given(registered, classified, assigned).when(requestAppeal('review', '2021-06-01T00:00:00.000Z')).thenRefuses('NOT_ANSWERED', 'Art. 35');
    spec(caseDecider).given(registered, classified, assigned, answered, review).when(requestAppeal('review', '2021-06-11T00:00:00.000Z'))
      .thenRefuses('REVIEW_ALREADY_REQUESTED', 'Art. 35');
    spec(caseDecider).given(registered, classified, assigned, answered).when(requestAppeal('review', '2021-06-01T00:00:00.000Z', null))
      .thenRefuses('NO_REVIEWER_LEVEL', 'Art. 35');
  });

  it('Art. 36: a re-review follows a decided review, within 30 日 of its decision, one level further up', () => {
    spec(caseDecider).given(registered, classified, assigned, answered).when(requestAppeal('re-review', '2021-06-01T00:00:00.000Z'))
      .thenRefuses('REVIEW_REQUIRED_FIRST', 'Art. 36');
    spec(caseDecider).given(registered, classified, assigned, answered, review).when(requestAppeal('re-review', '2021-06-20T00:00:00.000Z'))
      .thenRefuses('REVIEW_NOT_DECIDED', 'Art. 36');
    spec(caseDecider).given(registered, classified, assigned, answered, review, reviewDecided)
      .when(requestAppeal('re-review', '2021-07-31T16:00:00.000Z', '500000-xfb')).thenRefuses('RE_REVIEW_WINDOW_CLOSED', 'Art. 36');
    spec(caseDecider).given(registered, classified, assigned, answered, review, reviewDecided)
      .when(requestAppeal('re-review', '2021-07-31T15:00:00.000Z', '500000-xfb'))
      .then((events) => expect((events[0] as AppealRequested).data).toMatchObject({ kind: 're-review', appealedAgencyId: '500000-rsj', reviewerAgencyId: '500000-xfb' }));
  });

  it('Art. 36: the 复核 decision concludes the case (终结), once; a review decision does not', () => {
    spec(caseDecider).given(registered, classified, assigned, answered, review, reviewDecided, reReview, reReviewDecided)
      .when({ kind: 'RecordCaseConcluded', at: '2021-08-01T00:00:01.000Z', appealId: 'a-2', decisionEventId: 'e-9' })
      .then([{ type: T.CaseConcluded, data: { appealId: 'a-2', decisionEventId: 'e-9' } } as CaseEvent]);
    spec(caseDecider).given(registered, classified, assigned, answered, review, reviewDecided)
      .when({ kind: 'RecordCaseConcluded', at: '2021-07-02T00:00:00.000Z', appealId: 'a-1', decisionEventId: 'e-1' })
      .thenRefuses('RE_REVIEW_NOT_DECIDED', 'Art. 36');
    spec(caseDecider).given(registered, classified, assigned, answered, review, reviewDecided, reReview, reReviewDecided, concluded)
      .when({ kind: 'RecordCaseConcluded', at: '2021-08-02T00:00:00.000Z', appealId: 'a-2', decisionEventId: 'e-9' })
      .thenRefuses('CASE_ALREADY_CONCLUDED');
  });

  it('Art. 36: nothing more is done on a concluded case', () => {
    const all = [registered, classified, assigned, answered, review, reviewDecided, reReview, reReviewDecided, concluded];
    spec(caseDecider).given(...all).when({ kind: 'RateReply', at: '2021-08-02T00:00:00.000Z', rating: 'dissatisfied' }).thenRefuses('CASE_CONCLUDED', 'Art. 36');
    spec(caseDecider).given(...all).when(assignCmd([{ agencyId: '500112-zjw', role: 'co' }], '2021-08-02T00:00:00.000Z')).thenRefuses('CASE_CONCLUDED');
    spec(caseDecider).given(...all).when(dispute({ at: '2021-08-02T00:00:00.000Z' })).thenRefuses('CASE_CONCLUDED');
  });
});

describe('case decider — repeat petitions (Art. 19) and petitions after conclusion (Art. 36)', () => {
  it('Art. 19: the same matter raised again at a higher level during handling is linked to the open case', () => {
    spec(caseDecider).given(registered, classified, assigned).when(repeatCmd()).then([{
      type: T.RepeatPetitionLinked,
      data: { channel: 'visit', regionCode: '500000', subject: '分公司拖欠工资问题', content: '再次反映', matchedBy: 'phone', requestKey: 'k-1', level: 'higher' },
    } as CaseEvent]);
  });

  it('Art. 19: a retried request (same Idempotency-Key) is recorded once', () => {
    const linked = at('2021-05-20T00:00:00.000Z', {
      type: T.RepeatPetitionLinked, data: { channel: 'visit', regionCode: '500000', subject: 's', content: 'c', matchedBy: 'phone', requestKey: 'k-1', level: 'higher' },
    } as CaseEvent);
    spec(caseDecider).given(registered, classified, assigned, linked).when(repeatCmd({ at: '2021-05-21T00:00:00.000Z' })).then([]);
    spec(caseDecider).given(registered, classified, assigned, linked).when(repeatCmd({ at: '2021-05-21T00:00:00.000Z', requestKey: 'k-2' }))
      .then((events) => expect(events).toHaveLength(1));
  });

  it('Art. 19: an answered case is open again only while an appeal is pending', () => {
    spec(caseDecider).given(registered, classified, assigned, answered).when(repeatCmd({ at: '2021-06-05T00:00:00.000Z' })).thenRefuses('CASE_NOT_OPEN', 'Art. 19');
    spec(caseDecider).given(registered, classified, assigned, answered, review).when(repeatCmd({ at: '2021-06-15T00:00:00.000Z' }))
      .then((events) => expect(events[0].type).toBe(T.RepeatPetitionLinked));
  });

  it('Art. 36: the same matter raised after conclusion is recorded as an attempt, not linked', () => {
    spec(caseDecider).given(registered, classified, assigned, answered, review, reviewDecided, reReview, reReviewDecided, concluded)
      .when(repeatCmd({ at: '2021-09-01T00:00:00.000Z' }))
      .then([{
        type: T.RaisedAfterConclusion,
        data: { channel: 'visit', regionCode: '500000', subject: '分公司拖欠工资问题', content: '再次反映', matchedBy: 'phone', requestKey: 'k-1' },
      } as CaseEvent]);
  });
});

describe('case decider — an abolished agency\'s task passes to its successor (Art. 24, DESIGN 4.4)', () => {
  const transferCmd: TransferTasks = {
    kind: 'TransferTasks', at: '2025-11-01T01:00:00.000Z', transfers: [{ fromAgencyId: '500112-rsj', toAgencyId: '500109-rsj', effectiveFrom: '2025-11-01' }],
  };
  const late = (e: Recorded) => ({ ...e, occurredAt: e.occurredAt.replace('2021', '2025') });
  const base = [registered, classified, assigned].map(late);

  it('Art. 24: records the transfer of each task still held, once', () => {
    const events = spec(caseDecider).given(...base).when(transferCmd)
      .then([{ type: T.TaskTransferred, data: { fromAgencyId: '500112-rsj', toAgencyId: '500109-rsj', effectiveFrom: '2025-11-01' } } as CaseEvent]);
    spec(caseDecider).given(...base, at('2025-11-01T01:00:00.000Z', events[0])).when({ ...transferCmd, at: '2025-11-02T00:00:00.000Z' }).then([]);
  });

  it('Art. 24: the successor holds the lead: the answer from its reply is accepted', () => {
    const moved = at('2025-11-01T01:00:00.000Z', { type: T.TaskTransferred, data: { fromAgencyId: '500112-rsj', toAgencyId: '500109-rsj', effectiveFrom: '2025-11-01' } } as CaseEvent);
    const answer = { kind: 'RecordCaseAnswered' as const, at: '2025-11-20T00:00:00.000Z', outcome: 'support' as const, text: 'x', replyEventId: 'r' };
    spec(caseDecider).given(...base, moved).when({ ...answer, leadAgencyId: '500109-rsj' }).then((e) => expect(e[0].type).toBe(T.CaseAnswered));
    spec(caseDecider).given(...base, moved).when({ ...answer, leadAgencyId: '500112-rsj' }).thenRefuses('NOT_THE_LEAD');
  });
});
