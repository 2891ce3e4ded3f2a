import { at, spec } from '@lianban/testing';
import { CaseEventTypes as C, taskDecider, TaskEventTypes as T, type CaseEvent, type TaskEvent } from '@lianban/domain';

const assignedAt = '2021-05-04T03:00:00.000Z';
const ackDue = '2021-05-19T15:59:59.999Z';
// 转送 (forward) unless a spec is about 交办 (assign), whose reply needs a 办结报告
const assigned = (agencies: { agencyId: string; role: 'lead' | 'co' }[], mode: 'forward' | 'assign' = 'forward') => at(assignedAt, {
  type: C.AgenciesAssigned,
  data: { mode, agencies: agencies.map((a) => ({ ...a, acknowledgeDueAt: ackDue, returnDueAt: '2021-05-11T15:59:59.999Z' })) },
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

// ---- the whole procedure (issue 3) --------------------------------------------------------

/** assignments dated at real moments around China's 2024 holidays */
const assignedOn = (when: string, returnDueAt: string, agencyId = '500112-rsj') => at(when, {
  type: C.AgenciesAssigned,
  data: { mode: 'forward', agencies: [{ agencyId, role: 'lead', acknowledgeDueAt: 'x', returnDueAt }] },
} as CaseEvent);

describe('task decider — return (退回, Art. 23): 5 工作日 on China\'s official calendar', () => {
  // Fri 2024-09-27: Sun 09-29 is a 调休 working day, 10-01..07 are the National Day holiday
  const nationalDay = assignedOn('2024-09-27T02:00:00.000Z', '2024-10-10T15:59:59.999Z');
  const ret = (when: string) => ({ kind: 'ReturnTask' as const, at: when, reason: '不属本单位职权范围，应由住建部门办理' });

  it('Art. 23: a return on the 5th working day (Thu 2024-10-10, 23:59 China time) is accepted', () => {
    spec(lead).given(nationalDay).when(ret('2024-10-10T15:59:00.000Z'))
      .then([{ type: T.TaskReturned, data: { reason: '不属本单位职权范围，应由住建部门办理', returnDueAt: '2024-10-10T15:59:59.999Z' } } as TaskEvent]);
  });

  it('Art. 23: a return on Fri 2024-10-11 is refused: RETURN_WINDOW_CLOSED', () => {
    const refused = spec(lead).given(nationalDay).when(ret('2024-10-11T01:00:00.000Z')).thenRefuses('RETURN_WINDOW_CLOSED', 'Art. 23');
    expect(refused.details).toEqual({ returnDueAt: '2024-10-10T15:59:59.999Z' });
  });

  it('Art. 23: across the 2024 Spring Festival (02-10..17 off, Sun 02-18 worked) a Thu 02-08 receipt may be returned until Wed 02-21', () => {
    const spring = assignedOn('2024-02-08T02:00:00.000Z', '2024-02-21T15:59:59.999Z');
    spec(lead).given(spring).when(ret('2024-02-21T10:00:00.000Z')).then((e) => expect(e[0].type).toBe(T.TaskReturned));
    spec(lead).given(spring).when(ret('2024-02-22T01:00:00.000Z')).thenRefuses('RETURN_WINDOW_CLOSED', 'Art. 23');
  });

  it('Art. 23: an assignment recorded without its window falls back to the same calendar', () => {
    const legacy = at('2024-09-27T02:00:00.000Z', {
      type: C.AgenciesAssigned, data: { mode: 'forward', agencies: [{ agencyId: '500112-rsj', role: 'lead', acknowledgeDueAt: 'x' }] },
    } as CaseEvent);
    spec(lead).given(legacy).when(ret('2024-10-11T01:00:00.000Z')).thenRefuses('RETURN_WINDOW_CLOSED');
  });

  it('Art. 23: an accepted task is not returned, and a returned one is not worked on', () => {
    spec(lead).given(nationalDay, accepted('500112-rsj', '2024-09-28T01:00:00.000Z')).when(ret('2024-09-30T01:00:00.000Z'))
      .thenRefuses('TASK_ALREADY_ACCEPTED', 'Art. 23');
    const back = at('2024-09-30T01:00:00.000Z', { type: T.TaskReturned, data: { reason: 'x', returnDueAt: 'x' } } as TaskEvent, '500112-rsj');
    spec(lead).given(nationalDay, back).when({ kind: 'AcceptTask', at: '2024-10-08T01:00:00.000Z' }).thenRefuses('TASK_RETURNED', 'Art. 23');
  });
});

describe('task decider — extension (延期, Art. 34)', () => {
  const solo = assigned([{ agencyId: '500112-rsj', role: 'lead' }]);
  const extend = (days: number, when = '2021-06-20T01:00:00.000Z') => ({ kind: 'ExtendHandlingLimit' as const, at: when, days, reason: '涉及人数多，需核实', approvedBy: 'head-1' });
  const extended = at('2021-06-20T01:00:00.000Z', {
    type: T.HandlingExtended,
    data: { days: 30, reason: 'x', previousDueAt: '2021-07-05T15:59:59.999Z', handleDueAt: '2021-08-04T15:59:59.999Z', approvedBy: 'h', petitionerNotice: 'x' },
  } as TaskEvent, '500112-rsj');

  it('Art. 34: extends the handling limit once by at most 30 日, telling the petitioner why', () => {
    spec(lead).given(solo, accepted('500112-rsj')).when(extend(30)).then([{
      type: T.HandlingExtended,
      data: {
        days: 30, reason: '涉及人数多，需核实', previousDueAt: '2021-07-05T15:59:59.999Z', handleDueAt: '2021-08-04T15:59:59.999Z', approvedBy: 'head-1',
        petitionerNotice: '因涉及人数多，需核实，经本机关负责人批准，办理期限延长30日，至2021-08-04。',
      },
    } as TaskEvent]);
  });

  it('Art. 34: refuses a second extension, more than 30 日, and an extension after the limit ran out', () => {
    spec(lead).given(solo, accepted('500112-rsj'), extended).when(extend(5, '2021-06-21T01:00:00.000Z')).thenRefuses('EXTENSION_ALREADY_GRANTED', 'Art. 34');
    spec(lead).given(solo, accepted('500112-rsj')).when(extend(31)).thenRefuses('EXTENSION_TOO_LONG', 'Art. 34');
    spec(lead).given(solo, accepted('500112-rsj')).when(extend(10, '2021-07-05T16:00:00.000Z')).thenRefuses('HANDLING_LIMIT_PASSED', 'Art. 34');
  });

  it('Art. 34: nothing to extend before acceptance; a reply after the extended limit is late, within it is not', () => {
    spec(lead).given(solo).when(extend(10)).thenRefuses('TASK_NOT_ACCEPTED');
    spec(lead).given(solo, accepted('500112-rsj'), extended).when({ ...reply, at: '2021-08-04T15:00:00.000Z' })
      .then((e) => expect((e[0].data as { withinLimit: boolean; handleDueAt: string })).toMatchObject({ withinLimit: true, handleDueAt: '2021-08-04T15:59:59.999Z' }));
  });
});

describe('task decider — reply outcomes and the 办结报告 (Art. 22, 32)', () => {
  const assignMode = assigned([{ agencyId: '500112-rsj', role: 'lead' }], 'assign');

  it.each(['support', 'explain', 'not-support'] as const)('Art. 32: replies with outcome %s', (outcome) => {
    spec(lead).given(assigned([{ agencyId: '500112-rsj', role: 'lead' }]), accepted('500112-rsj')).when({ ...reply, outcome })
      .then((e) => expect(e).toEqual([expect.objectContaining({ type: T.ReplyIssued, data: expect.objectContaining({ outcome }) })]));
  });

  it('Art. 22: in 交办 mode the lead files a 办结报告 with its reply; without one the reply is refused', () => {
    spec(lead).given(assignMode, accepted('500112-rsj')).when(reply).thenRefuses('COMPLETION_REPORT_REQUIRED', 'Art. 22');
    spec(lead).given(assignMode, accepted('500112-rsj')).when({ ...reply, completionReport: '经劳动监察，欠薪已支付，信访人认可' }).then([
      { type: T.ReplyIssued, data: { outcome: 'support', text: '欠薪已足额支付', withinLimit: true, handleDueAt: '2021-07-05T15:59:59.999Z' } },
      { type: T.CompletionReportFiled, data: { text: '经劳动监察，欠薪已支付，信访人认可', outcome: 'support' } },
    ] as TaskEvent[]);
  });
});

describe('task decider — disputes hold the reply (Art. 24)', () => {
  const solo = assigned([{ agencyId: '500112-rsj', role: 'lead' }, { agencyId: '500112-xfb', role: 'co' }]);
  const raised = at('2021-05-07T00:00:00.000Z', {
    type: C.DisputeRaised,
    data: { disputeId: 'd-1', raisedBy: '500112-xfb', parties: ['500112-xfb', '500112-rsj'], reason: 'x', deciderId: '500112-xfb', deciderKind: 'division', divisionCode: '500112' },
  } as CaseEvent);
  const decided = (agencyId: string, relieved: string[]) => at('2021-05-10T00:00:00.000Z', {
    type: C.DisputeDecided, data: { disputeId: 'd-1', deciderId: '500112-xfb', agencyId, relieved },
  } as CaseEvent);

  it('Art. 24: the lead does not reply while competence is in dispute', () => {
    spec(lead).given(solo, accepted('500112-rsj'), raised).when(reply).thenRefuses('DISPUTE_OPEN', 'Art. 24');
  });

  it('Art. 24: after the decision the relieved co-handler no longer holds up the reply and can do nothing more', () => {
    spec(lead).given(solo, accepted('500112-rsj'), raised, decided('500112-rsj', ['500112-xfb'])).when(reply)
      .then((e) => expect(e[0].type).toBe(T.ReplyIssued));
    spec(co).given(solo, raised, decided('500112-rsj', ['500112-xfb'])).when({ kind: 'AcceptTask', at: '2021-05-11T00:00:00.000Z' }).thenRefuses('TASK_RELEASED');
  });

  it('Art. 24: a co-handler the decision makes lead accepts its new task as lead', () => {
    const promoted = at('2021-05-10T00:00:00.000Z', {
      type: C.AgenciesAssigned,
      data: { mode: 'forward', disputeId: 'd-1', agencies: [{ agencyId: '500112-xfb', role: 'lead', acknowledgeDueAt: '2021-05-25T15:59:59.999Z', returnDueAt: 'x' }] },
    } as CaseEvent);
    const given = [solo, accepted('500112-xfb'), raised, decided('500112-xfb', ['500112-rsj']), promoted];
    spec(co).given(...given).when({ kind: 'AcceptTask', at: '2021-05-11T00:00:00.000Z' })
      .then((e) => expect(e[0].data).toMatchObject({ acknowledgeDueAt: '2021-05-25T15:59:59.999Z', handleDueAt: '2021-07-10T15:59:59.999Z' }));
    spec(lead).given(...given).when(reply).thenRefuses('TASK_RELEASED');
  });
});

describe('task decider — supervision answered in writing (督办, Art. 40)', () => {
  const solo = assigned([{ agencyId: '500112-rsj', role: 'lead' }]);
  const issued = at('2021-06-01T00:00:00.000Z', {
    type: C.SupervisionIssued, data: { supervisionId: 's-1', agencyId: '500112-rsj', reason: '久拖不办', answerDueAt: '2021-06-16T15:59:59.999Z' },
  } as CaseEvent);
  const answer = (when = '2021-06-10T00:00:00.000Z') => ({ kind: 'AnswerSupervision' as const, at: when, supervisionId: 's-1', text: '已制定整改措施' });

  it('Art. 40: the supervised agency answers in writing, once, late answers marked', () => {
    spec(lead).given(solo, issued).when(answer()).then([{
      type: T.SupervisionAnswered, data: { supervisionId: 's-1', text: '已制定整改措施', answerDueAt: '2021-06-16T15:59:59.999Z', withinLimit: true },
    } as TaskEvent]);
    spec(lead).given(solo, issued).when(answer('2021-06-17T00:00:00.000Z')).then((e) => expect(e[0].data).toMatchObject({ withinLimit: false }));
    const done = at('2021-06-10T00:00:00.000Z', { type: T.SupervisionAnswered, data: { supervisionId: 's-1', text: 'x', answerDueAt: 'x', withinLimit: true } } as TaskEvent, '500112-rsj');
    spec(lead).given(solo, issued, done).when(answer('2021-06-11T00:00:00.000Z')).thenRefuses('SUPERVISION_ALREADY_ANSWERED', 'Art. 40');
  });

  it('Art. 40: another agency cannot answer it, nor can anyone answer an unknown supervision', () => {
    spec(taskDecider('500112-zjw')).given(solo, issued).when(answer()).thenRefuses('NOT_SUPERVISED_AGENCY', 'Art. 40');
    spec(lead).given(solo).when(answer()).thenRefuses('SUPERVISION_NOT_FOUND');
  });
});

describe('task decider — an abolished agency\'s task passes whole to its successor (Art. 24)', () => {
  const solo = assigned([{ agencyId: '500112-rsj', role: 'lead' }]);
  const moved = at('2021-06-01T00:00:00.000Z', {
    type: C.TaskTransferred, data: { fromAgencyId: '500112-rsj', toAgencyId: '500109-rsj', effectiveFrom: '2021-06-01' },
  } as CaseEvent);
  const successor = taskDecider('500109-rsj');

  it('Art. 24: the successor continues the accepted task under the same handling limit and replies as lead', () => {
    spec(successor).given(solo, accepted('500112-rsj'), moved).when({ ...reply, at: '2021-06-10T00:00:00.000Z' }).then([{
      type: T.ReplyIssued, data: { outcome: 'support', text: '欠薪已足额支付', withinLimit: true, handleDueAt: '2021-07-05T15:59:59.999Z' },
    } as TaskEvent]);
    spec(successor).given(solo, accepted('500112-rsj'), moved).when({ kind: 'AcceptTask', at: '2021-06-02T00:00:00.000Z' }).thenRefuses('TASK_ALREADY_ACCEPTED');
  });

  it('Art. 24: the abolished agency can no longer act, and is told who took over', () => {
    const r = spec(lead).given(solo, accepted('500112-rsj'), moved)
      .when({ kind: 'RecordHandlingAction', at: '2021-06-02T00:00:00.000Z', action: 'other', note: 'x' }).thenRefuses('TASK_TRANSFERRED', 'Art. 24');
    expect(r.details).toEqual({ successorId: '500109-rsj' });
  });
});

describe('task decider — nothing after conclusion (终结, Art. 36)', () => {
  it('Art. 36: refuses acceptance and handling once the case is concluded', () => {
    const concluded = at('2021-09-01T00:00:00.000Z', { type: C.CaseConcluded, data: { appealId: 'a', decisionEventId: 'e' } } as CaseEvent);
    spec(co).given(twoAgencies, concluded).when({ kind: 'AcceptTask', at: '2021-09-02T00:00:00.000Z' }).thenRefuses('CASE_CONCLUDED', 'Art. 36');
  });
});
