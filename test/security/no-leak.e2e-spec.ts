import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agencyTopic, caseEventsTopic } from '@lianban/contracts';
import type { IncomingMessage, MessageBus } from '@lianban/messaging';
import { MESSAGE_BUS } from '@lianban/platform';
import { spawnService, type SpawnedService } from '@lianban/testing/process';
import { Api, eventually, startStandalone, tempDataDir, type ApiResponse } from '@lianban/testing/standalone';
import { AG, PEOPLE, identityOf, petition } from './fixtures';

jest.setTimeout(180_000);

const DEMO_CASE = 'd375043c-5f8e-5674-a0aa-b4bbc7069844';
/** the demo's petitioners (apps/standalone/src/demo/wage-arrears.demo.ts) */
const DEMO_PEOPLE = ['王某等7名员工', '13983000000'];
const SECRETS = [...DEMO_PEOPLE, ...Object.values(PEOPLE).flatMap(identityOf)];

function found(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s));
}

/**
 * The flow every scan below runs: the demo, three petitioners of their own (one an accuser, one in
 * Sichuan), their cases handled, an erasure — and every kind of refusal with personal data in the
 * request (bad phone, oversized fields, wrong types, a letter without a clerk, broken JSON, a body
 * too large, a reused Idempotency-Key). Returns every error answer.
 */
async function drive(api: Api): Promise<ApiResponse[]> {
  const errors: ApiResponse[] = [];
  const expectError = async (p: Promise<ApiResponse>, status: number) => {
    const r = await p;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
    errors.push(r);
  };
  const tok = async (role: string, agency?: string) => api.as(await api.token(role, agency));
  const clerk = await tok('clerk', AG.bureau);
  const coordinator = await tok('coordinator', AG.bureau);
  const lead = await tok('caseworker', AG.lead);
  const admin = await tok('admin');
  const analyst = await tok('analyst');
  await eventually(async () => (await analyst.get(`/v1/cases/${DEMO_CASE}/timeline`)).body?.entries?.some((e: { type: string }) => e.type === 'lianban.case.reply-rated.v1'), 'the demo case');

  const a = await clerk.post('/v1/petitions', await petition(PEOPLE.claimant), { 'idempotency-key': 'no-leak-claimant-1' });
  const b = await api.post('/v1/petitions', await petition(PEOPLE.accuser, { channel: 'online', demandClass: 'accusation', subject: '举报违规收费' }));
  const s = await (await tok('clerk', AG.scBureau)).post('/v1/petitions', await petition(PEOPLE.sichuan, { regionCode: '511623', subject: '河道采砂' }));
  for (const r of [a, b, s]) if (r.status !== 201) throw new Error(`registration: ${r.status} ${JSON.stringify(r.body)}`);
  // the same person and matter again, while the case is open: a repeat
  if ((await clerk.post('/v1/petitions', await petition(PEOPLE.claimant))).status !== 200) throw new Error('expected a repeat');
  for (const c of [a.body.caseId, b.body.caseId]) {
    await coordinator.post(`/v1/cases/${c}/classification`, { demandClass: c === b.body.caseId ? 'accusation' : 'claim', category: '综合', route: 'petition' });
    await coordinator.post(`/v1/cases/${c}/assignments`, { mode: 'forward', agencies: [{ agencyId: AG.lead, role: 'lead' }] });
    await lead.post(`/v1/cases/${c}/tasks/${AG.lead}/acceptance`, {});
    await lead.post(`/v1/cases/${c}/reply`, { outcome: 'explain', text: '已解释说明。' });
    await coordinator.get(`/v1/cases/${c}`);
    await lead.get(`/v1/cases/${c}`);
    await analyst.get(`/v1/cases/${c}/timeline`);
  }
  await api.as(a.body.petitionerToken).get(`/v1/petitions/${a.body.caseId}`);

  const p = PEOPLE.appellant;
  await expectError(clerk.post('/v1/petitions', await petition(p, { petitioner: { ...p, phone: `${p.name}-${p.phone}x` } })), 400);
  await expectError(clerk.post('/v1/petitions', await petition(p, { petitioner: { ...p, idNumber: `${p.idNumber}00` } })), 400);
  await expectError(clerk.post('/v1/petitions', await petition(p, { petitioner: { ...p, address: p.address.repeat(40) } })), 400);
  await expectError(clerk.post('/v1/petitions', await petition(p, { petitioner: { ...p, name: p.name.repeat(60) } })), 400);
  await expectError(clerk.post('/v1/petitions', await petition(p, { petitioner: p.name })), 400);
  await expectError(clerk.post('/v1/petitions', await petition(p, { regionCode: '999999' })), 400);
  await expectError(clerk.post('/v1/petitions', { ...(await petition(p)), [p.name]: p.phone }), 400);
  await expectError(api.post('/v1/petitions', await petition(p, { channel: 'letter' })), 403);
  await expectError(clerk.request('POST', '/v1/petitions', `{"petitioner":{"name":"${p.name}","phone":"${p.phone}"`), 400);
  await expectError(clerk.post('/v1/petitions', await petition(p, { content: `${p.name}${p.phone}`.repeat(20_000) })), 413);
  await expectError(clerk.post('/v1/petitions', await petition(p), { 'idempotency-key': 'no-leak-claimant-1' }), 409);
  await expectError(api.as(`${p.phone}.${p.idNumber}.x`).get('/v1/inbox'), 401);
  await expectError(admin.post(`/v1/admin/petitioners/${p.idNumber}/erasure`, { reason: '依申请删除' }), 400);

  const petitionerId = (await admin.get(`/v1/cases/${a.body.caseId}`)).body.petitioner.petitionerId;
  if ((await admin.post(`/v1/admin/petitioners/${petitionerId}/erasure`, { reason: '依信访人书面申请删除' })).status !== 201) throw new Error('erasure');
  await coordinator.get(`/v1/cases/${a.body.caseId}`);
  return errors;
}

describe('no personal data where it does not belong (issue 9 item 5)', () => {
  it('a spawned standalone process: nothing in its logs, its error answers or its SQLite files in clear', async () => {
    const dataDir = tempDataDir('lianban-no-leak-');
    let service: SpawnedService | undefined;
    try {
      service = await spawnService('dist/apps/standalone/src/main.js', { DATA_DIR: dataDir, DEMO: 'on', DEADLINE_WATCH_INTERVAL_MS: '0' }, 60_000);
      const errors = await drive(new Api(service.url));
      expect(errors.length).toBeGreaterThanOrEqual(12);
      for (const e of errors) expect({ body: e.body, leaked: found(JSON.stringify(e.body)) }).toEqual({ body: e.body, leaked: [] });
      await service.kill('SIGTERM');
      const output = service.output();
      // the process did log (start-up, the demo, routes): the scan is not of an empty string
      expect(output).toContain('demo case loaded');
      expect(found(output)).toEqual([]);
      const files = fs.readdirSync(dataDir);
      expect(files).toEqual(expect.arrayContaining(['events.sqlite', 'keys.sqlite']));
      for (const file of files) {
        const raw = fs.readFileSync(path.join(dataDir, file));
        const text = raw.toString('utf8');
        expect({ file, leaked: found(text) }).toEqual({ file, leaked: [] });
      }
      // the registrations are there — sealed, so the scan above looked at real rows
      const store = files.filter((f) => f.startsWith('events.sqlite')).map((f) => fs.readFileSync(path.join(dataDir, f)).toString('utf8')).join('');
      expect(store).toContain('"sealed"');
    } finally {
      await service?.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the topics: case-events carries no personal data, the agencies\' topics neither', async () => {
    const running = await startStandalone({ env: { DEMO: 'on' } });
    try {
      const bus = running.app.get<MessageBus>(MESSAGE_BUS);
      const naming = { prefix: '', region: 'cq' as const };
      const topics = [caseEventsTopic(naming), caseEventsTopic({ ...naming, region: 'sc' }), ...['500112-rsj', '500112-xfb', AG.lead].map((a) => agencyTopic(naming, a))];
      const messages: IncomingMessage[] = [];
      for (const topic of topics) {
        await bus.createTopics([{ topic }]);
        await bus.subscribe({ groupId: `test.no-leak.${randomUUID()}`, topics: [topic], handler: async (m) => void messages.push(m) });
      }
      await drive(new Api(running.url));
      const registrations = () => messages.filter((m) => m.headers.ce_type === 'lianban.case.registered.v1' && m.topic === caseEventsTopic(naming));
      // the demo's, the claimant's, the accuser's
      await eventually(async () => registrations().length >= 3, 'the registrations on case-events');
      await eventually(async () => messages.some((m) => m.headers.ce_type === 'lianban.petitioner.personal-data-erased.v1' && m.topic === caseEventsTopic(naming)), 'the erasure on case-events');
      const leaks = messages.flatMap((m) => found(m.value.toString('utf8') + JSON.stringify(m.headers)).map((s) => `${m.topic} ${m.headers.ce_type}: ${s}`));
      expect(leaks).toEqual([]);
      for (const m of registrations()) {
        const body = JSON.parse(m.value.toString('utf8'));
        expect(Object.keys(body.petitioner).sort()).toEqual(['anonymous', 'petitionerId']);
        expect(body).not.toHaveProperty('petitionerKeys');
      }
      // the erasure's reason stays in the store
      const erasure = messages.find((m) => m.headers.ce_type === 'lianban.petitioner.personal-data-erased.v1')!;
      expect(JSON.parse(erasure.value.toString('utf8'))).not.toHaveProperty('reason');
      expect(messages.length).toBeGreaterThan(30);
    } finally {
      await running.close();
    }
  });
});
