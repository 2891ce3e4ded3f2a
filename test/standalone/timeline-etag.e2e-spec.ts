import type { Principal } from '@lianban/auth';
import { Api, startStandalone, type RunningApp } from '@lianban/testing/standalone';
import { GetTimelineHandler, GetTimelineQuery } from '../../apps/history/src/timeline/timeline';

/**
 * GET /v1/cases/{id}/timeline sends bytes kept beside the cached timeline, with an ETag, and
 * answers If-None-Match with 304. The bytes are what serialising the timeline gives (as before
 * they were kept), the same for every caller entitled to the case; a caller who is not gets
 * the same refusal as without a tag; and a new event on the case is a new answer.
 */
describe('standalone: the timeline\'s ETag and its kept bytes', () => {
  jest.setTimeout(60_000);
  let running: RunningApp;
  let api: Api;
  const t: Record<string, string> = {};
  let caseId: string;
  const day = (d: number, h = 9) => `2024-03-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00+08:00`;

  beforeAll(async () => {
    running = await startStandalone();
    api = new Api(running.url);
    const tokens: [string, string, string?][] = [
      ['clerk', 'clerk', '500112-xfb'], ['coordinator', 'coordinator', '500112-xfb'], ['rsj', 'caseworker', '500112-rsj'],
      ['sw', 'caseworker', '511623-sw'], ['analyst', 'analyst'], ['stranger', 'caseworker', '500109-rsj'],
    ];
    for (const [name, role, agency] of tokens) t[name] = await api.token(role, agency);
    const reg = await api.as(t.clerk).at(day(4)).post('/v1/petitions', {
      channel: 'letter', regionCode: '500112', demandClass: 'claim', petitioner: { name: '周某', phone: '13600001111' }, subject: '拖欠工程款', content: '川渝两地施工方拖欠工资',
    });
    expect(reg.status).toBe(201);
    caseId = reg.body.caseId;
    t.petitioner = reg.body.petitionerToken;
    const coordinator = api.as(t.coordinator).at(day(5));
    expect((await coordinator.post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '劳动保障', route: 'petition' })).status).toBe(201);
    expect((await coordinator.post(`/v1/cases/${caseId}/assignments`, {
      mode: 'forward', agencies: [{ agencyId: '500112-rsj', role: 'lead' }, { agencyId: '511623-sw', role: 'co' }],
    })).status).toBe(201);
    expect((await api.as(t.rsj).at(day(6)).post(`/v1/cases/${caseId}/tasks/500112-rsj/acceptance`, {})).status).toBe(201);
  });
  afterAll(() => running?.close());

  async function get(path: string, token: string, ifNoneMatch?: string) {
    const r = await fetch(running.url + path, { headers: { authorization: `Bearer ${token}`, ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}) } });
    return { status: r.status, etag: r.headers.get('etag'), type: r.headers.get('content-type'), bytes: Buffer.from(await r.arrayBuffer()) };
  }
  const timeline = () => `/v1/cases/${caseId}/timeline`;

  it('sends the serialised timeline, byte for byte the same to every caller entitled to the case, with one tag', async () => {
    const analyst: Principal = { sub: 'test-analyst', role: 'analyst', region: 'cq' };
    const built = await running.app.get(GetTimelineHandler).execute(new GetTimelineQuery(caseId, undefined, analyst));
    const expected = Buffer.from(JSON.stringify(built));
    const answers = await Promise.all(['analyst', 'coordinator', 'rsj', 'sw', 'analyst'].map((who) => get(timeline(), t[who])));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.type).toBe('application/json; charset=utf-8');
      expect(a.bytes.equals(expected)).toBe(true);
      expect(a.etag).toBe(answers[0].etag);
    }
    expect(answers[0].etag).toMatch(/^"[\w-]+"$/);
  });

  it('answers If-None-Match with 304 and no body, only to a caller entitled to the case', async () => {
    const { etag } = await get(timeline(), t.analyst);
    const again = await get(timeline(), t.sw, etag!);
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    // the tag of an entitled caller's answer tells nobody else anything: the refusal is the one they get without it
    const stranger = await get(timeline(), t.stranger, etag!);
    expect(stranger.status).toBe(404);
    expect(stranger.etag).not.toBe(etag);
    expect(JSON.parse(stranger.bytes.toString())).toMatchObject({ error: { code: 'CASE_NOT_FOUND' } });
    const petitioner = await get(timeline(), t.petitioner, etag!);
    expect(petitioner.status).toBe(403);
    expect(petitioner.etag).not.toBe(etag);
  });

  it('a new event on the case is a new answer with a new tag; a moment before it keeps its bytes and tag', async () => {
    const asOf = `${timeline()}?asOf=${encodeURIComponent(day(6, 12))}`;
    const before = await get(timeline(), t.analyst);
    const asOfBefore = await get(asOf, t.analyst);
    expect(asOfBefore.etag).not.toBe(before.etag);
    expect((await api.as(t.rsj).at(day(7)).post(`/v1/cases/${caseId}/tasks/500112-rsj/actions`, { kind: 'site-visit', note: '现场核查' })).status).toBe(201);

    const after = await get(timeline(), t.analyst, before.etag!);
    expect(after.status).toBe(200);
    expect(after.etag).not.toBe(before.etag);
    const entries = JSON.parse(after.bytes.toString()).entries as { type: string; summary: string }[];
    expect(entries).toHaveLength(JSON.parse(before.bytes.toString()).entries.length + 1);
    expect(entries[entries.length - 1].type).toBe('lianban.task.action-recorded.v1');
    expect((await get(timeline(), t.analyst, after.etag!)).status).toBe(304);

    const asOfAfter = await get(asOf, t.analyst, asOfBefore.etag!);
    expect(asOfAfter.status).toBe(304);
    expect((await get(asOf, t.analyst)).bytes.equals(asOfBefore.bytes)).toBe(true);
  });
});
