import * as path from 'node:path';
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SqliteEventStore } from '@lianban/eventstore';
import { configureHttp, httpAdapter, loadConfig, PlatformModule } from '@lianban/platform';
import { Registry, SEED_DATA, type Agency } from '@lianban/registry';
import { cn, FIXTURE_CASE_IDS as ID, quarterDataset, writeToStore } from '@lianban/testing/analytics-fixture';
import { Api, tempDataDir } from '@lianban/testing/standalone';
import { HistoryModule } from './history.module';
import { DevTokensController } from '../../standalone/src/dev/dev-tokens';

/**
 * As-of reads (issue 7, item 1): the case and its timeline use only the events that had
 * occurred by the moment asked, and name agencies as they were called then. The seed registry
 * records no rename, so this test runs the history service on a registry in which 渝北区人社局
 * was called 渝北区劳动和社会保障局 until 1 February 2025 (a labelled fixture, not history).
 */
const RENAMED = '渝北区劳动和社会保障局';
const CURRENT = '渝北区人力资源和社会保障局';

function registryWithRename(): Registry {
  const agencies = SEED_DATA.agencies.map((a): Agency => (a.id !== '500112-rsj' ? a : {
    ...a, names: [{ from: a.validFrom, name: RENAMED, shortName: '渝北区劳动局' }, { from: '2025-02-01', name: CURRENT, shortName: '渝北区人社局' }],
  }));
  return new Registry({ ...SEED_DATA, agencies });
}

describe('as-of reads of a case and its timeline', () => {
  let app: NestExpressApplication;
  let analyst: Api;

  beforeAll(async () => {
    const dataDir = tempDataDir('lianban-asof-');
    const store = SqliteEventStore.open(path.join(dataDir, 'events.sqlite'));
    // case A of the fixed quarter: 渝北区人社局 leads, assigned 01-07, accepts 01-08, replies 02-20, rated 02-25
    await writeToStore(store, quarterDataset().filter((e) => e.caseId === ID.A));
    await store.close();
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', DEMO: 'off' });
    @Module({ imports: [PlatformModule.forRoot(config), HistoryModule], controllers: [DevTokensController] })
    class TestModule {}
    const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).overrideProvider(Registry).useValue(registryWithRename()).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>(httpAdapter(), { logger: ['error', 'warn'] });
    configureHttp(app, config, 'as-of test');
    await app.listen(0, '127.0.0.1');
    const api = new Api((await app.getUrl()).replace('[::1]', '127.0.0.1'));
    analyst = api.as(await api.token('analyst'));
  });
  afterAll(() => app?.close());

  const q = (at: string) => `?asOf=${encodeURIComponent(at)}`;

  it('a timeline names each agency as it was called when it acted', async () => {
    const r = await analyst.get(`/v1/cases/${ID.A}/timeline`);
    expect(r.status).toBe(200);
    const rsj = r.body.entries.filter((e: { agencyId: string }) => e.agencyId === '500112-rsj');
    expect(rsj.map((e: { at: string; agencyName: string }) => [e.at, e.agencyName])).toEqual([
      [cn('2025-01-08 09:00'), RENAMED],
      [cn('2025-02-20 09:00'), CURRENT],
    ]);
    // the bureau's assignment of 01-07 names the lead by its name of that day
    const assigned = r.body.entries.find((e: { type: string }) => e.type === 'lianban.case.agencies-assigned.v1');
    expect(assigned.summary).toContain(`${RENAMED}（主办）`);
  });

  it('the case as of a moment: only the events that had occurred by then, and the names of then', async () => {
    const jan = await analyst.get(`/v1/cases/${ID.A}${q('2025-01-20T12:00:00+08:00')}`);
    expect(jan.status).toBe(200);
    expect(jan.body).toMatchObject({ asOf: cn('2025-01-20 12:00'), step: 'handling', answer: null, rating: null });
    const lead = jan.body.tasks.find((t: { agencyId: string }) => t.agencyId === '500112-rsj');
    expect(lead).toMatchObject({ agencyName: RENAMED, status: 'accepted', acceptedAt: cn('2025-01-08 09:00') });
    // 500112-xfb accepted only on 01-25
    expect(jan.body.tasks.find((t: { agencyId: string }) => t.agencyId === '500112-xfb')).toMatchObject({ status: 'assigned', acceptedAt: null });

    const march = await analyst.get(`/v1/cases/${ID.A}${q('2025-03-01T00:00:00+08:00')}`);
    expect(march.body).toMatchObject({ step: 'rated', rating: { rating: 'satisfied' } });
    expect(march.body.tasks.find((t: { agencyId: string }) => t.agencyId === '500112-rsj').agencyName).toBe(CURRENT);
  });

  it('an event at exactly the moment asked is included; a millisecond before, it is not', async () => {
    const at = await analyst.get(`/v1/cases/${ID.A}/timeline${q(cn('2025-01-08 09:00'))}`);
    const before = await analyst.get(`/v1/cases/${ID.A}/timeline${q(new Date(Date.parse(cn('2025-01-08 09:00')) - 1).toISOString())}`);
    expect(at.body.entries.length).toBe(before.body.entries.length + 1);
    expect(at.body.entries[at.body.entries.length - 1].type).toBe('lianban.task.accepted.v1');
  });

  it('a bare date is the start of that day in China', async () => {
    // registered 2025-01-06 09:00 China time: nothing as of 2025-01-06 (00:00 +08:00), the registration as of 01-07 00:00
    const sixth = await analyst.get(`/v1/cases/${ID.A}/timeline?asOf=2025-01-06`);
    expect(sixth.status).toBe(404);
    expect(sixth.body.error.code).toBe('CASE_NOT_FOUND');
    const seventh = await analyst.get(`/v1/cases/${ID.A}/timeline?asOf=2025-01-07`);
    expect(seventh.body).toMatchObject({ asOf: '2025-01-06T16:00:00.000Z' });
    expect(seventh.body.entries.map((e: { type: string }) => e.type)).toEqual(['lianban.case.registered.v1', 'lianban.case.classified.v1']);
  });

  it('refuses an instant without its zone, and anything that is not a moment, naming asOf', async () => {
    for (const bad of ['2025-01-07T00:00:00', 'yesterday', '2025-02-30', '20250107']) {
      const r = await analyst.get(`/v1/cases/${ID.A}?asOf=${encodeURIComponent(bad)}`);
      expect([bad, r.status, r.body.error.details?.[0]?.field]).toEqual([bad, 400, 'asOf']);
    }
  });
});
