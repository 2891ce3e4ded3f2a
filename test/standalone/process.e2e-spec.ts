import { Api, eventually, tempDataDir } from '@lianban/testing/standalone';
import { spawnService } from '@lianban/testing/process';

const MAIN = 'dist/apps/standalone/src/main.js';
const DEMO_CASE = 'd375043c-5f8e-5674-a0aa-b4bbc7069844';

/** `npm start` as a newcomer runs it: the built standalone process on the embedded defaults. */
describe('standalone process (npm start)', () => {
  // two cold starts of the built process (demo load included) on a busy 2-core machine
  jest.setTimeout(120_000);

  it('starts on an empty data dir, loads the demo case, serves its timeline, and keeps every case across a crash', async () => {
    const dataDir = tempDataDir();
    const first = await spawnService(MAIN, { DATA_DIR: dataDir });
    let second;
    try {
      const api = new Api(first.url);
      const health = (await api.get('/health')).body;
      expect(health).toMatchObject({ status: 'ok', mode: 'embedded', store: { ok: true, kind: 'sqlite' }, bus: { ok: true, kind: 'memory' } });
      const analyst = api.as(await api.token('analyst'));
      const timeline = await eventually(async () => {
        const r = await analyst.get(`/v1/cases/${DEMO_CASE}/timeline`);
        return r.status === 200 && r.body.entries.some((e: { type: string }) => e.type === 'lianban.case.reply-rated.v1') ? r.body : null;
      }, 'the demo case to be loaded and rated');
      expect(timeline.entries[0]).toMatchObject({ at: '2021-05-04T02:12:00.000Z', summary: expect.stringContaining('拖欠员工工资') });
      expect(timeline.entries.map((e: { agencyName: string | null }) => e.agencyName)).toContain('渝北区人力资源和社会保障局');
      expect((await api.get('/docs-json')).body.paths['/v1/petitions']).toBeDefined();
      const metrics = (await api.get('/metrics')).body as string;
      expect(metrics).toMatch(/lianban_decisions_total\{outcome="appended"\} \d+/);
      expect(metrics).toContain('lianban_http_requests_total{method="GET",route="/v1/cases/:caseId/timeline",status="200"}');

      const clerk = api.as(await api.token('clerk', '500112-xfb'));
      const reg = await clerk.post('/v1/petitions', {
        channel: 'letter', regionCode: '500110', petitioner: { name: '赵某' }, subject: '道路积水', content: '雨后积水严重',
      });
      expect(reg.status).toBe(201);
      const headBefore = (await api.get('/health')).body.store.head;

      await first.kill('SIGKILL');
      second = await spawnService(MAIN, { DATA_DIR: dataDir });
      const api2 = new Api(second.url);
      // the demo is not loaded twice, and the case acknowledged before the crash is there
      expect((await api2.get('/health')).body.store.head).toBe(headBefore);
      const analyst2 = api2.as(await api2.token('analyst'));
      const again = await analyst2.get(`/v1/cases/${reg.body.caseId}`);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ caseNumber: reg.body.caseNumber, subject: '道路积水', step: 'registered' });
      expect((await analyst2.get(`/v1/cases/${DEMO_CASE}/timeline`)).body.entries).toHaveLength(timeline.entries.length);
    } finally {
      await first.kill('SIGKILL');
      await second?.kill('SIGTERM');
    }
  });

  it('refuses to start on a configuration it does not understand, naming the variable', async () => {
    await expect(spawnService(MAIN, { DATA_DIR: tempDataDir(), EVENTSTORE: 'mongodb' }, 10_000)).rejects.toThrow(/EVENTSTORE=mongodb/);
  });
});
