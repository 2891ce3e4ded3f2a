import { at, spec } from '@lianban/testing';
import {
  campaignDecider, CampaignEventTypes as K, campaignStats, caseDecider, CaseEventTypes as C, foldCaseFile, isResolved, summarize, type CampaignEvent,
  type CaseEvent, type CaseFileEvent, type EnrollInCampaign, type JoinTaskForce, type Recorded, type ReceptionRecord,
} from '@lianban/domain';

/**
 * 专项工作 (治理重复信访、化解信访积案, nationwide from August 2020) and 工作专班 as the case
 * stream records them. Campaigns and task forces are the bureau's working methods, not rules of
 * the 条例: no article is cited for them. Repeats are Art. 19.
 */
const petitioner = { petitionerId: 'p-1', sealed: 'c2VhbGVk', anonymous: false };
const registered = at('2020-05-11T01:00:00.000Z', {
  type: C.PetitionRegistered,
  data: {
    caseNumber: 'CQ-2020-000001', channel: 'online', petitioner, regionCode: '500109', subject: '房屋质量', content: '墙体开裂',
    demandClass: 'claim', matterOccurredAt: null, routeDueAt: '2020-05-26T15:59:59.999Z',
  },
} as CaseEvent);
const classified = at('2020-05-12T01:00:00.000Z', { type: C.PetitionClassified, data: { demandClass: 'claim', category: '房屋质量', route: 'petition' } } as CaseEvent);
const repeat = (when: string) => at(when, {
  type: C.RepeatPetitionLinked,
  data: { channel: 'visit', regionCode: '500109', subject: '房屋质量', content: '仍未解决', matchedBy: 'phone', requestKey: null, level: 'same' },
} as CaseEvent);
const campaign = { campaignId: 'k-1', name: '治理重复信访、化解信访积案专项工作', from: '2020-08-01', to: '2021-06-30' };
const enroll = (when: string): EnrollInCampaign => ({ kind: 'EnrollInCampaign', at: when, ...campaign });
const enrolled = (when: string) => at(when, { type: C.CampaignEnrolled, data: campaign } as CaseEvent);
const file = (events: Recorded[]) => foldCaseFile(events.map((e) => ({ ...e, caseId: 'case-1', region: 'cq' }) as CaseFileEvent))!;

describe('campaign (专项工作) — launch', () => {
  const launch = {
    kind: 'LaunchCampaign' as const, at: '2020-08-03T01:00:00.000Z', campaignId: 'k-1', name: campaign.name, description: 'd', from: '2020-08-01', to: '2021-06-30',
    launchedBy: '500000-xfb',
  };

  it('is launched once, with a period that runs forward', () => {
    spec(campaignDecider).given().when(launch).then([{
      type: K.CampaignLaunched,
      data: { campaignId: 'k-1', name: campaign.name, description: 'd', from: '2020-08-01', to: '2021-06-30', launchedBy: '500000-xfb' },
    } as CampaignEvent]);
    spec(campaignDecider).given(at(launch.at, { type: K.CampaignLaunched, data: { ...campaign, description: 'd', launchedBy: null } } as CampaignEvent))
      .when(launch).thenRefuses('CAMPAIGN_EXISTS');
    spec(campaignDecider).given().when({ ...launch, from: '2021-07-01' }).thenRefuses('CAMPAIGN_PERIOD_INVALID');
  });
});

describe('campaign — a case put into it', () => {
  it('enrols a case while the campaign runs (China dates), once; a retried enrolment changes nothing', () => {
    // 2020-08-01 00:00 China time is 2020-07-31T16:00Z
    spec(caseDecider).given(registered, classified).when(enroll('2020-07-31T16:00:00.000Z')).then([{ type: C.CampaignEnrolled, data: campaign } as CaseEvent]);
    spec(caseDecider).given(registered, classified).when(enroll('2020-07-31T15:59:59.999Z')).thenRefuses('CAMPAIGN_NOT_RUNNING');
    spec(caseDecider).given(registered, classified).when(enroll('2021-06-30T15:59:59.999Z')).then((e) => expect(e).toHaveLength(1));
    spec(caseDecider).given(registered, classified).when(enroll('2021-06-30T16:00:00.000Z')).thenRefuses('CAMPAIGN_NOT_RUNNING');
    spec(caseDecider).given(registered, classified, enrolled('2020-09-01T01:00:00.000Z')).when(enroll('2020-09-02T01:00:00.000Z')).then([]);
  });

  it('refuses a matter routed out of the petition track (Art. 28, 31), and a case that does not exist', () => {
    const routedOut = at('2020-05-12T01:00:00.000Z', { type: C.PetitionClassified, data: { demandClass: 'claim', category: 'x', route: 'litigation' } } as CaseEvent);
    spec(caseDecider).given(registered, routedOut).when(enroll('2020-09-01T01:00:00.000Z')).thenRefuses('ROUTED_OUT', 'Art. 28');
    spec(caseDecider).given().when(enroll('2020-09-01T01:00:00.000Z')).thenRefuses('CASE_NOT_FOUND');
  });

  it('counts cases, resolved share and Art. 19 repeat petitions before and after joining', () => {
    const answered = at('2020-12-16T01:00:00.000Z', {
      type: C.CaseAnswered, data: { leadAgencyId: '500109-zjw', outcome: 'support', text: 'x', replyEventId: 'r', repliedAt: '2020-12-16T01:00:00.000Z' },
    } as CaseEvent);
    const rated = (rating: string) => at('2020-12-18T01:00:00.000Z', { type: C.ReplyRated, data: { rating, comment: null } } as CaseEvent);
    const history = [registered, classified, repeat('2020-06-18T01:00:00.000Z'), repeat('2020-07-20T01:00:00.000Z'), enrolled('2020-09-01T01:00:00.000Z'), repeat('2020-10-01T01:00:00.000Z')];
    const resolved = file([...history, answered, rated('satisfied')]);
    const open = { ...file(history), caseId: 'case-2', caseNumber: 'CQ-2020-000002' };
    const notInIt = { ...file([registered, classified]), caseId: 'case-3' };
    expect(campaignStats('k-1', [resolved, open, notInIt])).toEqual({
      cases: 2, answered: 1, resolved: 1, resolvedShare: 0.5, repeatsBefore: 4, repeatsAfter: 2, casesRepeatingAfter: 2,
      items: [
        expect.objectContaining({ caseId: 'case-1', resolved: true, repeatsBefore: 2, repeatsAfter: 1, enrolledAt: '2020-09-01T01:00:00.000Z' }),
        expect.objectContaining({ caseId: 'case-2', resolved: false, answered: false }),
      ],
    });
    expect(campaignStats('k-other', [resolved]).resolvedShare).toBeNull();
  });

  it('counts as resolved (化解) a reply rated 满意 or 基本满意 with no appeal pending — not a dissatisfied one', () => {
    const answered = at('2020-12-16T01:00:00.000Z', {
      type: C.CaseAnswered, data: { leadAgencyId: '500109-zjw', outcome: 'support', text: 'x', replyEventId: 'r', repliedAt: '2020-12-16T01:00:00.000Z' },
    } as CaseEvent);
    const rated = (rating: string) => at('2020-12-18T01:00:00.000Z', { type: C.ReplyRated, data: { rating, comment: null } } as CaseEvent);
    expect(isResolved(file([registered, classified, answered, rated('basically-satisfied')]))).toBe(true);
    expect(isResolved(file([registered, classified, answered, rated('dissatisfied')]))).toBe(false);
    expect(isResolved(file([registered, classified, answered]))).toBe(false);
  });
});

describe('工作专班 on the case stream: the link that brings the task force into the case\'s story', () => {
  const join: JoinTaskForce = {
    kind: 'JoinTaskForce', at: '2020-09-04T02:00:00.000Z', taskForceId: 'tf-1', name: '房屋质量化解专班', leader: { name: '刘某', title: '副区长', divisionCode: '500109' },
  };

  it('links a case to the task force that owns it (包案) once, whoever links it again', () => {
    const joined = spec(caseDecider).given(registered).when(join).then([{
      type: C.TaskForceJoined, data: { taskForceId: 'tf-1', name: '房屋质量化解专班', leader: join.leader },
    } as CaseEvent]);
    spec(caseDecider).given(registered, at(join.at, joined[0])).when({ ...join, at: '2020-09-05T00:00:00.000Z' }).then([]);
    spec(caseDecider).given(registered).when({ ...join, at: '2020-05-01T00:00:00.000Z' }).thenRefuses('COMMAND_BEFORE_LAST_EVENT');
    expect(file([registered, at(join.at, joined[0])]).taskForces).toEqual([{ taskForceId: 'tf-1', name: '房屋质量化解专班', leader: join.leader, joinedAt: join.at }]);
    expect(summarize(at(join.at, joined[0]), (id) => id)).toBe('纳入工作专班「房屋质量化解专班」，由副区长刘某包案');
  });
});

describe('领导接访: a visit received at a leader reception keeps the receiving leader', () => {
  const reception: ReceptionRecord = {
    sessionId: 'zhongxian-weekly:2024-10-08', scheduleId: 'zhongxian-weekly', date: '2024-10-08', place: '忠县群众来访接待中心', town: null,
    leader: { name: '冉某', title: '县长', divisionCode: '500233' },
  };

  it('records the reception on the registration and on a repeat, and the case file shows it', () => {
    spec(caseDecider).given().when({
      kind: 'RegisterPetition', at: '2024-10-08T02:00:00.000Z', caseNumber: 'CQ-2024-000009', channel: 'visit', petitioner, regionCode: '500233',
      subject: 's', content: 'c', reception,
    }).then((e) => expect((e[0].data as { reception: ReceptionRecord }).reception).toEqual(reception));
    spec(caseDecider).given(registered).when({
      kind: 'RecordRepeatPetition', at: '2024-10-08T02:00:00.000Z', channel: 'visit', regionCode: '500109', subject: 's', content: 'c', matchedBy: 'phone',
      requestKey: null, level: 'same', reception,
    }).then((e) => expect(e[0]).toMatchObject({ type: C.RepeatPetitionLinked, data: { reception } }));
    const f = file([at('2024-10-08T02:00:00.000Z', { ...registered, data: { ...registered.data, reception } } as CaseEvent)]);
    expect(f.reception).toEqual(reception);
    expect(summarize(at('2024-10-08T02:00:00.000Z', { ...registered, data: { ...registered.data, reception } } as CaseEvent), (id) => id))
      .toBe('登记网上信访信访事项 CQ-2020-000001：房屋质量，领导接访日由县长冉某接待');
  });
});
