import * as fs from 'node:fs';
import { Api, eventually, startStandalone, tempDataDir, type RunningApp } from '@lianban/testing/standalone';
import { createTestDatabase, type TestDatabase } from '@lianban/testing/postgres';
import { runMigrateStore } from '../../scripts/migrate-store';

const DEMO_CASE = 'd375043c-5f8e-5674-a0aa-b4bbc7069844';

/**
 * Issue 5's done-criterion: the embedded demo store migrated to PostgreSQL with
 * `migrate-store`, then the standalone app on the migrated database (EVENTSTORE=postgres)
 * serves the same timelines, and can still open the petitioner's personal data.
 */
describe('outgrowing the embedded store: the demo store migrated to PostgreSQL', () => {
  jest.setTimeout(120_000);
  const dataDirs: string[] = [];
  let db: TestDatabase | undefined;
  let app: RunningApp | undefined;

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function readings(api: Api) {
    const analyst = api.as(await api.token('analyst'));
    const coordinator = api.as(await api.token('coordinator', '500112-xfb'));
    const timeline = await analyst.get(`/v1/cases/${DEMO_CASE}/timeline`);
    const asOf = await analyst.get(`/v1/cases/${DEMO_CASE}/timeline?asOf=2021-05-20T00:00:00%2B08:00`);
    const caseView = await coordinator.get(`/v1/cases/${DEMO_CASE}`);
    const health = (await api.get('/health')).body;
    return { timeline, asOf, caseView, health };
  }

  it('gives identical timelines before and after the migration, with the personal data still readable', async () => {
    const sqliteDir = tempDataDir();
    dataDirs.push(sqliteDir);
    app = await startStandalone({ dataDir: sqliteDir, env: { DEMO: 'on' } });
    const onSqlite = new Api(app.url);
    const analyst = onSqlite.as(await onSqlite.token('analyst'));
    await eventually(async () => {
      const r = await analyst.get(`/v1/cases/${DEMO_CASE}/timeline`);
      return r.status === 200 && r.body.entries.some((e: { type: string }) => e.type === 'lianban.case.reply-rated.v1');
    }, 'the demo case to be loaded and rated');
    const before = await readings(onSqlite);
    expect(before.health.store.kind).toBe('sqlite');
    expect(before.timeline.status).toBe(200);
    expect(before.timeline.body.entries.length).toBeGreaterThan(5);
    expect(before.asOf.body.entries.length).toBeLessThan(before.timeline.body.entries.length);
    expect(before.caseView.body.petitioner).toMatchObject({ name: '王某等7名员工' });
    // the services stop before their store is migrated
    await app.close();
    app = undefined;

    db = await createTestDatabase('lianban_demo_migration');
    let stdout = '';
    let stderr = '';
    const code = await runMigrateStore(['--from', `sqlite:${sqliteDir}`, '--to', db.url], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    expect({ code, stderr: stderr.includes('failed') ? stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('verify events: OK');
    expect(stdout).toContain('verify keys: OK');

    // a fresh DATA_DIR: nothing of the SQLite files can leak into the PostgreSQL run
    const pgDir = tempDataDir();
    dataDirs.push(pgDir);
    app = await startStandalone({ dataDir: pgDir, env: { EVENTSTORE: 'postgres', DATABASE_URL: db.url, DEMO: 'off' } });
    const onPostgres = new Api(app.url);
    const after = await readings(onPostgres);
    expect(after.health.store).toEqual({ ...before.health.store, kind: 'postgres' });
    expect(after.timeline.status).toBe(200);
    // identical JSON, byte for byte: same entries, same order, same fields
    expect(JSON.stringify(after.timeline.body)).toBe(JSON.stringify(before.timeline.body));
    expect(JSON.stringify(after.asOf.body)).toBe(JSON.stringify(before.asOf.body));
    expect(after.caseView.body).toEqual(before.caseView.body);
    expect(fs.readdirSync(pgDir)).not.toContain('events.sqlite');
    expect(fs.readdirSync(pgDir)).not.toContain('keys.sqlite');

    // and the migrated region goes on: a new petition is registered on PostgreSQL
    const clerk = onPostgres.as(await onPostgres.token('clerk', '500112-xfb'));
    const reg = await clerk.post('/v1/petitions', {
      channel: 'letter', regionCode: '500112', petitioner: { name: '迁移后' }, subject: '迁移后的新信访件', content: '迁移之后登记',
    });
    expect(reg.status).toBe(201);
    expect((await onPostgres.get('/health')).body.store.head).toBeGreaterThan(before.health.store.head);
  });
});
