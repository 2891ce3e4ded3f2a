import * as path from 'node:path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@lianban/eventstore';
import { FIXTURE_CASE_IDS as ID, quarterDataset, writeToStore } from '@lianban/testing/analytics-fixture';
import { Api, startStandalone, tempDataDir, type RunningApp } from '@lianban/testing/standalone';

jest.setTimeout(60_000);

const Q1 = 'from=2025-01-01&to=2025-04-01';
const END_OF_JUNE = encodeURIComponent('2025-06-30T23:59:59+08:00');

/**
 * GET /v1/stats and /v1/stats/overdue over real HTTP, served from the case-facts projection that
 * the history service keeps in DATA_DIR/projections.sqlite. The dataset is the hand-computed
 * quarter of libs/testing/src/analytics-fixture.ts; the numbers below are those of
 * apps/history/src/stats/statistics.spec.ts, where their arithmetic is written out.
 */
describe('statistics over HTTP (standalone, projections on SQLite)', () => {
  let dataDir: string;
  let running: RunningApp;
  let api: Api;
  let analyst: Api;

  beforeAll(async () => {
    dataDir = tempDataDir();
    const store = SqliteEventStore.open(path.join(dataDir, 'events.sqlite'));
    await writeToStore(store, quarterDataset());
    await store.close();
    running = await startStandalone({ dataDir });
    api = new Api(running.url);
    analyst = api.as(await api.token('analyst'));
  });
  afterAll(() => running?.close());

  it('answers the 三率, online share, repeats and backlog of a period as of a moment', async () => {
    const r = await analyst.get(`/v1/stats?${Q1}&asOf=${END_OF_JUNE}`);
    expect(r.status).toBe(200);
    expect(r.body.totals).toMatchObject({
      acceptance: { due: 7, timely: 5, rate: 0.7143 },
      completion: { due: 3, onTime: 2, rate: 0.6667 },
      satisfaction: { rated: 2, satisfied: 1, basicallySatisfied: 1, rate: 1, weightedRate: 0.95 },
      registrations: { total: 7, online: 4, onlineShare: 0.5714 },
      repeats: { petitions: 7, repeats: 0, rate: 0 },
      backlog: { tasks: 1, unrouted: 0, cases: 1 },
    });
    expect(r.body).toMatchObject({ from: '2024-12-31T16:00:00.000Z', to: '2025-03-31T16:00:00.000Z', asOf: '2025-06-30T15:59:59.000Z', groupBy: null });
  });

  it('groups by district with names valid then, and ranks the districts by the three rates', async () => {
    const r = await analyst.get(`/v1/stats?${Q1}&asOf=${END_OF_JUNE}&groupBy=district`);
    expect(r.status).toBe(200);
    expect(r.body.groups.map((g: { key: string; name: string }) => [g.key, g.name])).toEqual([
      ['500110', '綦江区'], ['500112', '渝北区'], ['510100', '成都市'], ['511623', '邻水县'],
    ]);
    expect(r.body.rankings.acceptance.map((e: { rank: number; name: string }) => [e.rank, e.name])).toEqual([[1, '邻水县'], [1, '成都市'], [3, '渝北区'], [4, '綦江区']]);
    const agencies = await analyst.get(`/v1/stats?${Q1}&asOf=${END_OF_JUNE}&groupBy=agency`);
    const names = Object.fromEntries(agencies.body.groups.map((g: { key: string; name: string }) => [g.key, g.name]));
    expect(names).toMatchObject({ '500112-rsj': '渝北区人力资源和社会保障局', '': '（未分办）' });
  });

  it('exports the same report as CSV', async () => {
    const r = await fetch(`${running.url}/v1/stats?${Q1}&asOf=${END_OF_JUNE}&groupBy=district&format=csv`, {
      headers: { authorization: `Bearer ${await api.token('analyst')}` },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="lianban-stats-district-2025-06-30.csv"');
    const bytes = Buffer.from(await r.arrayBuffer());
    // UTF-8 with a byte-order mark, for Excel
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0].split(',').slice(0, 8)).toEqual(['key', 'name', 'registrations', 'online', 'online_share', 'acceptance_due', 'acceptance_timely', 'acceptance_rate']);
    // 渝北区: 4 registered, 2 online (0.5); acceptance 2 of 3; completion 2 of 3; 2 rated, 1 and 0.95
    expect(lines[2].split(',').slice(0, 17)).toEqual(['500112', '渝北区', '4', '2', '0.5', '3', '2', '0.6667', '3', '2', '0.6667', '2', '1', '1', '0', '1', '0.95']);
    expect(lines[lines.length - 1].split(',').slice(0, 3)).toEqual(['all', '合计', '7']);
    expect(lines).toHaveLength(1 + 4 + 1);
  });

  it('as of 15 March: only what had happened by then', async () => {
    const r = await analyst.get(`/v1/stats?${Q1}&asOf=2025-03-15`);
    expect(r.body.asOf).toBe('2025-03-14T16:00:00.000Z');
    expect(r.body.totals).toMatchObject({
      registrations: { total: 6, online: 3 },
      acceptance: { due: 6, timely: 4 },
      completion: { due: 3, onTime: 2 },
      satisfaction: { rated: 1 },
      backlog: { tasks: 2, cases: 2 },
    });
  });

  it('lists the backlog item by item, most overdue first, linked to the cases', async () => {
    const r = await analyst.get(`/v1/stats/overdue?asOf=${END_OF_JUNE}`);
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(3);
    expect(r.body.items.map((i: { caseId: string; limit: string; agencyName: string | null; districtName: string }) => [i.caseId, i.limit, i.agencyName, i.districtName])).toEqual([
      [ID.C, 'acknowledge', '綦江区信访办公室', '綦江区'],
      [ID.F, 'route', null, '渝北区'],
      [ID.E, 'handle', '成都市信访局', '成都市'],
    ]);
    expect((await analyst.get(`/v1/stats/overdue?asOf=${END_OF_JUNE}&region=sc`)).body.items).toHaveLength(1);
    expect((await analyst.get(`/v1/stats/overdue?asOf=${END_OF_JUNE}&limit=1`)).body).toMatchObject({ total: 3, items: [{ caseId: ID.C }] });
  });

  it('is for analysts and coordinators; a token that names a region sees that region', async () => {
    expect((await api.get(`/v1/stats?${Q1}`)).status).toBe(401);
    expect((await api.as(await api.token('caseworker', '500112-rsj')).get(`/v1/stats?${Q1}`)).status).toBe(403);
    const coordinator = api.as(await api.token('coordinator', '511623-xfj'));
    const own = await coordinator.get(`/v1/stats?${Q1}&asOf=${END_OF_JUNE}`);
    expect(own.status).toBe(200);
    // a 四川 coordinator: D and E only (D app, E phone → 1 of 2 online)
    expect(own.body).toMatchObject({ filters: { region: 'sc' }, totals: { registrations: { total: 2, online: 1 } } });
    const other = await coordinator.get(`/v1/stats?${Q1}&region=cq`);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('REGION_NOT_ALLOWED');
  });

  it('answers 400 naming the field for every invalid parameter, never a 500', async () => {
    const bad: [string, string][] = [
      ['groupBy=week', 'groupBy'],
      ['from=2025-13-01', 'from'],
      ['from=2025-02-30', 'from'],
      ['asOf=2025-01-01T00:00:00', 'asOf'],
      ['to=yesterday', 'to'],
      ['region=gd', 'region'],
      ['agencyId=rsj', 'agencyId'],
      ['agencyId=999999-xx', 'agencyId'],
      ['format=xml', 'format'],
      ['from=2025-04-01&to=2025-01-01', 'to'],
      ['from=2025-01-01&to=2025-01-01', 'to'],
      ['foo=1', 'foo'],
    ];
    for (const [q, field] of bad) {
      const r = await analyst.get(`/v1/stats?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
      expect([q, r.body.error.details.map((d: { field: string }) => d.field)]).toEqual([q, [field]]);
    }
    expect((await analyst.get('/v1/stats/overdue?limit=0')).status).toBe(400);
    expect((await analyst.get('/v1/stats/overdue?limit=abc')).status).toBe(400);
  });

  it('any query string gets a 200 or a 400 (property)', async () => {
    const value = fc.oneof(fc.string(), fc.constantFrom('2025-01-01', '2025-01-01T00:00:00Z', '9999-12-31', '0000-01-01', 'agency', 'month', 'csv', 'cq', '500112-rsj'));
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('from', 'to', 'asOf', 'region', 'agencyId', 'groupBy', 'format', 'x'), value, { maxKeys: 4 }),
        async (params) => {
          const r = await analyst.get(`/v1/stats?${new URLSearchParams(params).toString()}`);
          expect([200, 400]).toContain(r.status);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('follows new events at once, and resumes from its durable checkpoint after a restart', async () => {
    const clerk = api.as(await api.token('clerk', '500112-xfb')).at('2025-03-20T10:00:00+08:00');
    const reg = await clerk.post('/v1/petitions', {
      channel: 'app', regionCode: '500112', petitioner: { name: '赵某' }, subject: '噪声扰民', content: '夜间施工噪声扰民。',
    });
    expect(reg.status).toBe(201);
    const after = await analyst.get(`/v1/stats?${Q1}&asOf=${END_OF_JUNE}`);
    // one more registration in Q1, through the app: 8, 5 online
    expect(after.body.totals.registrations).toMatchObject({ total: 8, online: 5 });

    const head = (await api.get('/health')).body.store.head;
    await running.close();
    const db = new Database(path.join(dataDir, 'projections.sqlite'), { readonly: true });
    const checkpoint = Number((db.prepare("SELECT value FROM projection_meta WHERE key = 'checkpoint'").get() as { value: string }).value);
    db.close();
    expect(checkpoint).toBe(head);

    running = await startStandalone({ dataDir });
    api = new Api(running.url);
    analyst = api.as(await api.token('analyst'));
    const again = await analyst.get(`/v1/stats?${Q1}&asOf=${END_OF_JUNE}`);
    expect(again.body.totals).toEqual(after.body.totals);
  });
});
