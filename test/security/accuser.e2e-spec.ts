import { randomUUID } from 'node:crypto';
import { agencyTopic, caseEventsTopic } from '@lianban/contracts';
import type { IncomingMessage, MessageBus } from '@lianban/messaging';
import { MESSAGE_BUS } from '@lianban/platform';
import { Api, eventually, startStandalone, type ApiResponse, type RunningApp } from '@lianban/testing/standalone';
import { PEOPLE, identityOf } from './fixtures';

jest.setTimeout(120_000);

const naming = { prefix: '', region: 'cq' as const };
/** 纪委监委 handles the accusation; the accused unit, 人社局, is asked for its opinion */
const HANDLER = '500109-jw';
const ACCUSED = '500109-rsj';

/**
 * Accuser protection (条例 Art. 30, issue 9 item 4): for a 检举控告 case, nothing delivered to the
 * agencies — any HTTP answer to their staff about the case, any message on their topics — holds
 * the accuser's identity: not the name, phone, ID number or address, and not the petitioner id or
 * token either, which would let an agency that sees the person on another case recognise them.
 */
describe('accuser protection: an accusation case, everything its agencies receive scanned', () => {
  let running: RunningApp;
  let api: Api;
  const agencyTopics = new Map<string, IncomingMessage[]>();
  const caseEvents: IncomingMessage[] = [];
  /** every answer an agency's staff got, with what they asked */
  const toAgencies: { who: string; method: string; path: string; res: ApiResponse }[] = [];

  beforeAll(async () => {
    running = await startStandalone();
    api = new Api(running.url);
    const bus = running.app.get<MessageBus>(MESSAGE_BUS);
    const record = async (topic: string, into: IncomingMessage[]) => {
      await bus.subscribe({ groupId: `test.accuser.${randomUUID()}`, topics: [topic], handler: async (m) => void into.push(m) });
    };
    await record(caseEventsTopic(naming), caseEvents);
    for (const agency of [HANDLER, ACCUSED, '500000-jw', '500000-rsj']) {
      agencyTopics.set(agency, []);
      await record(agencyTopic(naming, agency), agencyTopics.get(agency)!);
    }
  });
  afterAll(() => running?.close());

  /** an agency's staff member: every answer they get is kept for the scan */
  async function staff(role: string, agency: string): Promise<(method: string, path: string, body?: unknown) => Promise<ApiResponse>> {
    const client = api.as(await api.token(role, agency));
    return async (method, path, body) => {
      const res = await client.request(method, path, body);
      toAgencies.push({ who: `${role}@${agency}`, method, path, res });
      return res;
    };
  }

  it('gives the handling agency, the accused unit and the reviewer no trace of who accused', async () => {
    const accuser = PEOPLE.accuser;
    const reg = await api.post('/v1/petitions', {
      channel: 'online', regionCode: '500109', demandClass: 'accusation', petitioner: { ...accuser },
      subject: '举报区人社局工作人员收受好处费', content: '区人社局社保窗口工作人员在办理业务时收受好处费，时间为今年三月。',
    });
    expect(reg.status).toBe(201);
    const caseId = reg.body.caseId;
    const petitioner = api.as(reg.body.petitionerToken);
    const coordinator = api.as(await api.token('coordinator', '500109-xfb'));
    // the bureau handles the accuser's identity: it is there to be leaked
    const bureauView = await coordinator.get(`/v1/cases/${caseId}`);
    expect(bureauView.body.petitioner).toMatchObject({ name: accuser.name, phone: accuser.phone, idNumber: accuser.idNumber });
    const petitionerId: string = bureauView.body.petitioner.petitionerId;
    expect((await coordinator.post(`/v1/cases/${caseId}/classification`, { demandClass: 'accusation', category: '纪检监察/违纪', route: 'petition' })).status).toBe(201);
    expect((await coordinator.post(`/v1/cases/${caseId}/assignments`, {
      mode: 'assign', agencies: [{ agencyId: HANDLER, role: 'lead' }, { agencyId: ACCUSED, role: 'co' }],
    })).status).toBe(201);

    const jw = await staff('caseworker', HANDLER);
    const rsj = await staff('caseworker', ACCUSED);
    const rsjHead = await staff('agency-head', ACCUSED);
    for (const [ask, agency] of [[jw, HANDLER], [rsj, ACCUSED]] as const) {
      await eventually(async () => (await ask('GET', '/v1/inbox')).body.some((i: { caseId: string }) => i.caseId === caseId), `${agency}'s inbox`);
      expect((await ask('POST', `/v1/cases/${caseId}/tasks/${agency}/acceptance`, {})).status).toBe(201);
    }
    for (const ask of [jw, rsj, rsjHead]) {
      const view = await ask('GET', `/v1/cases/${caseId}`);
      expect(view.status).toBe(200);
      expect(view.body.petitioner).toEqual({ withheld: '检举控告人信息依《信访工作条例》第三十条不予提供' });
      expect((await ask('GET', `/v1/cases/${caseId}?asOf=${encodeURIComponent(new Date().toISOString())}`)).status).toBe(200);
      expect((await ask('GET', `/v1/cases/${caseId}/timeline`)).status).toBe(200);
      expect((await ask('GET', `/v1/petitions/${caseId}`)).body.petitioner).toBeNull();
      await ask('GET', '/v1/inbox?status=all');
    }
    expect((await rsj('POST', `/v1/cases/${caseId}/tasks/${ACCUSED}/actions`, { kind: 'investigation', note: '配合核查窗口办件记录' })).status).toBe(201);
    expect((await rsj('POST', `/v1/cases/${caseId}/tasks/${ACCUSED}/opinion`, { text: '已配合纪委监委核查' })).status).toBe(201);
    // refusals and invalid input are answers too
    expect((await rsj('POST', `/v1/cases/${caseId}/reply`, { outcome: 'support', text: '协办单位不能答复' })).status).toBe(409);
    expect((await rsj('POST', `/v1/cases/${caseId}/tasks/${ACCUSED}/opinion`, { text: '' })).status).toBe(400);
    expect((await rsjHead('POST', `/v1/cases/${caseId}/tasks/${ACCUSED}/extension`, { days: 31, reason: '延期' })).status).toBe(409);
    expect((await jw('POST', `/v1/cases/${caseId}/reply`, { outcome: 'support', text: '经查，举报属实，已依纪依法处理。', completionReport: '已查实并处理，报信访部门。' })).status).toBe(201);
    await eventually(async () => (await coordinator.get(`/v1/cases/${caseId}`)).body.answer, 'the case answered');

    // what the petitioner does later reaches the agencies as events: rating, appeal
    expect((await petitioner.post(`/v1/petitions/${caseId}/rating`, { rating: 'dissatisfied', comment: '处理太轻' })).status).toBe(201);
    const appeal = await petitioner.post(`/v1/petitions/${caseId}/appeals`, { kind: 'review', reason: '对处理结果不服' });
    expect(appeal.status).toBe(201);
    const reviewer: string = appeal.body.reviewerAgencyId;
    expect(agencyTopics.has(reviewer)).toBe(true);
    const rev = await staff('caseworker', reviewer);
    for (const path of [`/v1/cases/${caseId}`, `/v1/cases/${caseId}/timeline`, `/v1/petitions/${caseId}`, '/v1/inbox']) expect((await rev('GET', path)).status).toBe(200);
    expect((await rev('POST', `/v1/cases/${caseId}/appeals/${appeal.body.appealId}/decision`, { outcome: 'uphold', text: '维持原处理意见' })).status).toBe(201);

    // every agency topic got the whole story, up to the decision on the appeal
    const storyOn = (agency: string) => agencyTopics.get(agency)!.filter((m) => m.key === caseId);
    for (const agency of [HANDLER, ACCUSED, reviewer]) {
      await eventually(async () => storyOn(agency).some((m) => m.headers.ce_type === 'lianban.appeal.decided.v1'), `${agency}'s topic to carry the appeal decision`);
      expect(storyOn(agency).map((m) => m.headers.ce_type)).toEqual(expect.arrayContaining([
        'lianban.case.registered.v1', 'lianban.case.classified.v1', 'lianban.case.reply-rated.v1', 'lianban.case.appeal-requested.v1',
      ]));
    }

    const secrets = [...identityOf(accuser), petitionerId, `petitioner:${petitionerId}`, reg.body.petitionerToken];
    const leaks: string[] = [];
    for (const { who, method, path, res } of toAgencies) {
      const text = JSON.stringify(res.body);
      for (const s of secrets) if (text.includes(s)) leaks.push(`HTTP ${method} ${path} to ${who} holds ${s}`);
    }
    for (const [agency, messages] of agencyTopics) {
      for (const m of messages) {
        const text = m.value.toString('utf8') + JSON.stringify(m.headers) + m.key;
        for (const s of secrets) if (text.includes(s)) leaks.push(`topic of ${agency}: ${m.headers.ce_type} holds ${s}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(toAgencies.length).toBeGreaterThanOrEqual(25);

    // the scan can see a leak: the region-wide case-events topic (read by the bureau's services,
    // never by an agency) does carry the petitioner's pseudonymous id — and never the person
    const wide = caseEvents.filter((m) => m.key === caseId).map((m) => m.value.toString('utf8') + JSON.stringify(m.headers)).join('\n');
    expect(wide).toContain(petitionerId);
    for (const s of identityOf(accuser)) expect(wide).not.toContain(s);
  });
});
