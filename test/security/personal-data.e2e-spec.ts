import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { ERASED } from '@lianban/auth';
import { Api, startStandalone, tempDataDir, type RunningApp } from '@lianban/testing/standalone';
import { runMigrateStore } from '../../scripts/migrate-store';
import { AG, PEOPLE, identityOf, petition } from './fixtures';

jest.setTimeout(120_000);

const ERASED_TYPE = 'lianban.petitioner.personal-data-erased.v1';

/**
 * Personal data (DESIGN 3.3, issue 9 items 3 and 8): sealed per petitioner under a key table
 * that is itself encrypted with MASTER_KEY; every read of the person audited; analysts see a
 * pseudonym; an administrator's erasure destroys the key, is recorded (who, why), and every read,
 * replay, restart and migration afterwards shows the erasure and nothing breaks.
 */
describe('personal data: audited reads, pseudonyms, crypto-shredding', () => {
  const dataDir = tempDataDir('lianban-personal-');
  const masterKey = randomBytes(32).toString('base64');
  let running: RunningApp;
  let api: Api;
  const tok: Record<string, string> = {};

  async function start(): Promise<void> {
    running = await startStandalone({ dataDir, env: { MASTER_KEY: masterKey } });
    api = new Api(running.url);
    for (const [name, role, agency, region] of [
      ['clerk', 'clerk', AG.bureau], ['coordinator', 'coordinator', AG.bureau], ['admin', 'admin'], ['analyst', 'analyst', undefined, 'cq'],
      ['lead', 'caseworker', AG.lead],
    ] as const) tok[name] = await api.token(role, agency, undefined, region);
  }

  beforeAll(start);
  afterAll(async () => {
    await running?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const as = (who: string) => api.as(tok[who]);
  const audit = async (q: string) => {
    const r = await as('admin').get(`/v1/admin/audit?${q}`);
    expect(r.status).toBe(200);
    return r.body.entries as { actor: { sub: string; role: string; agency: string | null }; action: string; caseId: string; petitionerId: string; purpose: string; detail: string | null; at: string }[];
  };

  it('records every read of a person (who, when, which case, which route); analysts get a keyed pseudonym and no read is recorded', async () => {
    const reg = await as('clerk').post('/v1/petitions', await petition(PEOPLE.claimant));
    expect(reg.status).toBe(201);
    const caseId = reg.body.caseId;
    const before = Date.now();
    const seen = await as('coordinator').get(`/v1/cases/${caseId}`);
    expect(seen.body.petitioner).toMatchObject({ name: PEOPLE.claimant.name, phone: PEOPLE.claimant.phone });
    const own = await api.as(reg.body.petitionerToken).get(`/v1/petitions/${caseId}`);
    expect(own.body.petitioner).toMatchObject({ name: PEOPLE.claimant.name });
    const petitionerId = seen.body.petitioner.petitionerId;

    const entries = await audit(`caseId=${caseId}`);
    expect(entries.map((e) => [e.actor.sub, e.actor.role, e.action, e.purpose, e.petitionerId])).toEqual([
      [`petitioner:${petitionerId}`, 'petitioner', 'personal-data.read', 'GET /v1/petitions/{caseId}', petitionerId],
      [`dev-coordinator@${AG.bureau}`, 'coordinator', 'personal-data.read', 'GET /v1/cases/{caseId}', petitionerId],
    ]);
    expect(entries[1].actor.agency).toBe(AG.bureau);
    expect(Date.parse(entries[1].at)).toBeGreaterThanOrEqual(before - 1000);

    const a1 = (await as('analyst').get(`/v1/cases/${caseId}`)).body.petitioner;
    const a2 = (await as('analyst').get(`/v1/cases/${caseId}`)).body.petitioner;
    expect(a1).toEqual(a2);
    expect(Object.keys(a1).sort()).toEqual(['anonymous', 'pseudonym']);
    expect(a1.pseudonym).toMatch(/^信访人-[0-9a-f]{12}$/);
    expect(JSON.stringify(a1)).not.toContain(petitionerId.slice(0, 8));
    const other = await as('clerk').post('/v1/petitions', await petition(PEOPLE.appellant, { subject: '噪音扰民' }));
    expect((await as('analyst').get(`/v1/cases/${other.body.caseId}`)).body.petitioner.pseudonym).not.toBe(a1.pseudonym);
    expect(await audit(`caseId=${caseId}`)).toHaveLength(2);
    // the audit log is the administrator's
    expect((await as('coordinator').get('/v1/admin/audit')).status).toBe(403);
    expect((await as('admin').get('/v1/admin/audit?limit=0')).status).toBe(400);
  });

  it('erases a petitioner on an administrator\'s request, recorded with who and why; every read, replay and later command shows the erasure and works', async () => {
    const reg = await as('clerk').post('/v1/petitions', await petition(PEOPLE.accuser, { subject: '楼道堆放杂物消防隐患' }));
    const caseId = reg.body.caseId;
    const petitionerId = (await as('coordinator').get(`/v1/cases/${caseId}`)).body.petitioner.petitionerId;
    // the same person raising the same matter again is linked to this case (Art. 19)
    const repeat = await as('clerk').post('/v1/petitions', await petition(PEOPLE.accuser, { subject: '楼道堆放杂物消防隐患' }));
    expect(repeat).toMatchObject({ status: 200, body: { caseId, repeat: true } });
    const beforeErasure = new Date().toISOString();

    const reason = '信访人依《个人信息保护法》第四十七条申请删除，申请编号 2025-017';
    expect((await as('coordinator').post(`/v1/admin/petitioners/${petitionerId}/erasure`, { reason })).status).toBe(403);
    expect((await as('admin').post(`/v1/admin/petitioners/${petitionerId}/erasure`, {})).status).toBe(400);
    const erased = await as('admin').post(`/v1/admin/petitioners/${petitionerId}/erasure`, { reason });
    expect(erased.status).toBe(201);
    expect(erased.body).toMatchObject({ petitionerId, caseId, eventId: expect.any(String) });

    // every read shows the erasure
    const view = (await as('coordinator').get(`/v1/cases/${caseId}`)).body;
    expect(view.petitioner).toEqual({ petitionerId, anonymous: false, name: ERASED, erased: true });
    expect((await api.as(reg.body.petitionerToken).get(`/v1/petitions/${caseId}`)).body.petitioner).toMatchObject({ name: ERASED, erased: true });
    const asOfBefore = await as('coordinator').get(`/v1/cases/${caseId}?asOf=${encodeURIComponent(beforeErasure)}`);
    expect(asOfBefore.status).toBe(200);
    // a replay of a moment before the erasure cannot open the person either: the key is gone for good
    expect(asOfBefore.body.petitioner.name).toBe(ERASED);
    const timeline = (await as('analyst').get(`/v1/cases/${caseId}/timeline`)).body.entries;
    const entry = timeline.find((e: { type: string }) => e.type === ERASED_TYPE);
    expect(entry.summary).toBe('信访人个人信息已依法删除（密钥已销毁，登记内容不可再解密）');
    expect(entry.summary).not.toContain('2025-017');
    const before = (await as('analyst').get(`/v1/cases/${caseId}/timeline?asOf=${encodeURIComponent(beforeErasure)}`)).body.entries;
    expect(before.some((e: { type: string }) => e.type === ERASED_TYPE)).toBe(false);

    // recorded: the event (who: its actor; why: its reason) and the audit log
    const store = new Database(path.join(dataDir, 'events.sqlite'), { readonly: true });
    const row = store.prepare('SELECT actor, data, stream_id FROM events WHERE type = ?').get(ERASED_TYPE) as { actor: string; data: string; stream_id: string };
    const sealedStill = (store.prepare("SELECT data FROM events WHERE case_id = ? AND type = 'lianban.case.registered.v1'").get(caseId) as { data: string }).data;
    store.close();
    expect(JSON.parse(row.actor)).toEqual({ id: 'dev-admin', role: 'admin' });
    expect(JSON.parse(row.data)).toEqual({ petitionerId, reason });
    expect(row.stream_id).toBe(`case-${caseId}`);
    // the history is intact: the sealed registration is still there, only unreadable
    expect(JSON.parse(sealedStill).petitioner.sealed).toEqual(expect.any(String));
    const log = await audit(`petitionerId=${petitionerId}`);
    expect(log[0]).toMatchObject({ action: 'personal-data.read', detail: 'erased' });
    expect(log.find((e) => e.action === 'personal-data.erased')).toMatchObject({ actor: { sub: 'dev-admin', role: 'admin' }, caseId, detail: reason });

    // once only; an unknown petitioner is not found
    const again = await as('admin').post(`/v1/admin/petitioners/${petitionerId}/erasure`, { reason });
    expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 409, code: 'PERSONAL_DATA_ALREADY_ERASED' });
    expect((await as('admin').post('/v1/admin/petitioners/6f1c9a0e-2b3d-4c5e-8f70-9a1b2c3d4e5f/erasure', { reason })).status).toBe(404);

    // the person is forgotten for repeat detection too: the same phone and matter open a new case
    const afterwards = await as('clerk').post('/v1/petitions', await petition(PEOPLE.accuser, { subject: '楼道堆放杂物消防隐患' }));
    expect(afterwards.status).toBe(201);
    expect(afterwards.body.caseId).not.toBe(caseId);

    // and the case goes on
    expect((await as('coordinator').post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '消防', route: 'petition' })).status).toBe(201);
    expect((await as('coordinator').post(`/v1/cases/${caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: AG.lead, role: 'lead' }] })).status).toBe(201);
    expect((await as('lead').post(`/v1/cases/${caseId}/tasks/${AG.lead}/acceptance`, {})).status).toBe(201);

    // restarted on the same files: the replay shows the erasure, the others are still readable
    await running.close();
    await start();
    expect((await as('coordinator').get(`/v1/cases/${caseId}`)).body.petitioner.name).toBe(ERASED);
    expect((await as('coordinator').get(`/v1/cases/${afterwards.body.caseId}`)).body.petitioner.name).toBe(PEOPLE.accuser.name);
  });

  it('migrates and verifies a store with an erased petitioner: events and keys verify, the copy shows the erasure', async () => {
    await running.close();
    const target = tempDataDir('lianban-migrated-');
    try {
      let stdout = '';
      let stderr = '';
      const code = await runMigrateStore(['--from', `sqlite:${dataDir}`, '--to', `sqlite:${target}`], {
        stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) },
      });
      expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toContain('verify events: OK');
      expect(stdout).toContain('verify keys: OK');
      // the copied key table is still wrapped: nothing in it opens without MASTER_KEY
      const keys = new Database(path.join(target, 'keys.sqlite'), { readonly: true });
      const lengths = (keys.prepare('SELECT length(key) AS n FROM petitioner_keys').all() as { n: number }[]).map((r) => r.n);
      keys.close();
      expect(new Set(lengths)).toEqual(new Set([61]));
      const copy = await startStandalone({ dataDir: target, env: { MASTER_KEY: masterKey } });
      try {
        const capi = new Api(copy.url);
        const coordinator = capi.as(await capi.token('coordinator', AG.bureau));
        const admin = capi.as(await capi.token('admin'));
        const erasures = (await admin.get('/v1/admin/audit?action=personal-data.erased')).body.entries;
        // the audit log stays with the source database; the erasure itself travelled as an event
        expect(erasures).toEqual([]);
        const store = new Database(path.join(target, 'events.sqlite'), { readonly: true });
        const { case_id: caseId } = store.prepare('SELECT case_id FROM events WHERE type = ?').get(ERASED_TYPE) as { case_id: string };
        store.close();
        expect((await coordinator.get(`/v1/cases/${caseId}`)).body.petitioner).toMatchObject({ name: ERASED, erased: true });
      } finally {
        await copy.close();
      }
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
      await start();
    }
  });

  it('refuses to start on a key table encrypted with another MASTER_KEY, and keeps no clear identity in the key table', async () => {
    await running.close();
    try {
      await expect(startStandalone({ dataDir, env: { MASTER_KEY: randomBytes(32).toString('base64') } })).rejects.toThrow(/MASTER_KEY does not open this key table/);
      for (const file of fs.readdirSync(dataDir).filter((f) => f.startsWith('keys.sqlite'))) {
        const raw = fs.readFileSync(path.join(dataDir, file));
        for (const p of Object.values(PEOPLE)) for (const secret of identityOf(p)) expect({ file, secret, found: raw.includes(Buffer.from(secret)) }).toEqual({ file, secret, found: false });
      }
    } finally {
      await start();
    }
  });
});
