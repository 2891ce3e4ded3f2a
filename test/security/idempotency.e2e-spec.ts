import * as fs from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE, IDEMPOTENCY_STALE_MS, IDEMPOTENCY_TTL_MS, loadConfig, SECURITY_STORE, type SecurityStore } from '@lianban/platform';
import { StandaloneModule } from '../../apps/standalone/src/standalone.module';
import { Api, startStandalone, tempDataDir, type RunningApp } from '@lianban/testing/standalone';
import { E2E_STORES, startStandaloneOn } from '@lianban/testing/stores';
import { AG, PEOPLE, petition } from './fixtures';

jest.setTimeout(120_000);

/**
 * Idempotency-Key on every POST (issue 9 item 6), on both stores the security tables live in:
 * a retry gets the first answer and changes nothing; the same key with another request is
 * refused; keys belong to their caller; a refused request leaves its key free.
 */
describe.each(E2E_STORES)('Idempotency-Key on %s', (storeKind) => {
  let running: RunningApp;
  let api: Api;
  let store: EventStore;
  const tok: Record<string, string> = {};
  let n = 0;
  const key = () => `test-key-${storeKind}-${++n}-${Date.now()}`;

  beforeAll(async () => {
    running = await startStandaloneOn(storeKind);
    api = new Api(running.url);
    store = running.app.get(EVENT_STORE);
    for (const [name, role, agency] of [['clerk', 'clerk', AG.bureau], ['clerk2', 'clerk', AG.bureau], ['coordinator', 'coordinator', AG.bureau], ['lead', 'caseworker', AG.lead], ['admin', 'admin']] as const) {
      tok[name] = await api.token(role, agency, name === 'clerk2' ? 'another-clerk' : undefined);
    }
  });
  afterAll(() => running?.close());

  const as = (who: string) => api.as(tok[who]);
  const head = () => store.headPosition();
  let phones = 0;
  // a petitioner of its own each time (one phone, no ID number): a shared one would make later petitions Art. 19 repeats
  const fresh = async (over: Record<string, unknown> = {}) =>
    petition({ name: PEOPLE.claimant.name, phone: `1350000${String(++phones).padStart(4, '0')}` } as never, { subject: `事项${phones}`, ...over });

  it('answers a retried registration with the first answer, byte for byte, and registers once', async () => {
    const k = key();
    const body = await fresh();
    const first = await as('clerk').post('/v1/petitions', body, { 'idempotency-key': k });
    expect(first.status).toBe(201);
    const after = await head();
    const retry = await as('clerk').post('/v1/petitions', { ...body }, { 'idempotency-key': k });
    expect(retry).toEqual(first);
    expect(await head()).toBe(after);
    // the same body with its keys in another order is the same request
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect((await as('clerk').post('/v1/petitions', reordered, { 'idempotency-key': k })).body).toEqual(first.body);
    // an anonymous online petition too
    const online = await fresh({ channel: 'online' });
    const k2 = key();
    const a = await api.post('/v1/petitions', online, { 'idempotency-key': k2 });
    const b = await api.post('/v1/petitions', online, { 'idempotency-key': k2 });
    expect(a.status).toBe(201);
    expect(b).toEqual(a);
  });

  it('replays a repeat\'s 200 as a 200', async () => {
    const body = await fresh();
    expect((await as('clerk').post('/v1/petitions', body)).status).toBe(201);
    const k = key();
    const repeat = await as('clerk').post('/v1/petitions', body, { 'idempotency-key': k });
    expect(repeat).toMatchObject({ status: 200, body: { repeat: true } });
    const h = await head();
    expect(await as('clerk').post('/v1/petitions', body, { 'idempotency-key': k })).toEqual(repeat);
    expect(await head()).toBe(h);
  });

  it('refuses the same key with another body, and changes nothing', async () => {
    const k = key();
    expect((await as('clerk').post('/v1/petitions', await fresh(), { 'idempotency-key': k })).status).toBe(201);
    const h = await head();
    const other = await as('clerk').post('/v1/petitions', await fresh(), { 'idempotency-key': k });
    expect({ status: other.status, code: other.body.error.code }).toEqual({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await head()).toBe(h);
  });

  it('scopes keys to their caller: another caller\'s key is theirs, and never opens someone else\'s case', async () => {
    const k = key();
    const body = await fresh();
    const mine = await as('clerk').post('/v1/petitions', body, { 'idempotency-key': k });
    // another clerk with the same key and body: no answer of the first clerk is replayed to them
    const theirs = await as('clerk2').post('/v1/petitions', body, { 'idempotency-key': k });
    expect({ status: theirs.status, code: theirs.body.error?.code }).toEqual({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(JSON.stringify(theirs.body)).not.toContain(mine.body.caseId);
    // anyone online, guessing the key of a petition with another body, gets no token to it
    const guess = await api.post('/v1/petitions', await fresh({ channel: 'online' }), { 'idempotency-key': k });
    expect({ status: guess.status, code: guess.body.error?.code }).toEqual({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(JSON.stringify(guess.body)).not.toContain(mine.body.caseId);
  });

  it('works on every service\'s POSTs: coordinator, agency, admin — a retried command is decided once', async () => {
    const reg = await as('clerk').post('/v1/petitions', await fresh());
    const caseId = reg.body.caseId;
    const routes: [string, string, unknown][] = [
      ['coordinator', `/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '物业', route: 'petition' }],
      ['coordinator', `/v1/cases/${caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: AG.lead, role: 'lead' }] }],
      ['lead', `/v1/cases/${caseId}/tasks/${AG.lead}/acceptance`, {}],
      ['lead', `/v1/cases/${caseId}/tasks/${AG.lead}/actions`, { kind: 'investigation', note: '调查' }],
    ];
    for (const [who, path, body] of routes) {
      const k = key();
      const first = await as(who).post(path, body, { 'idempotency-key': k });
      expect({ path, status: first.status }).toEqual({ path, status: 201 });
      const h = await head();
      const again = await as(who).post(path, body, { 'idempotency-key': k });
      expect(again).toEqual(first);
      expect(await head()).toBe(h);
    }
    // the administrator's erasure: the retry gets the first answer, not PERSONAL_DATA_ALREADY_ERASED
    const petitionerId = (await as('admin').get(`/v1/cases/${caseId}`)).body.petitioner.petitionerId;
    const k = key();
    const erased = await as('admin').post(`/v1/admin/petitioners/${petitionerId}/erasure`, { reason: '依申请删除' }, { 'idempotency-key': k });
    expect(erased.status).toBe(201);
    expect(await as('admin').post(`/v1/admin/petitioners/${petitionerId}/erasure`, { reason: '依申请删除' }, { 'idempotency-key': k })).toEqual(erased);
    expect((await as('admin').post(`/v1/admin/petitioners/${petitionerId}/erasure`, { reason: '依申请删除' })).status).toBe(409);
    // without a key the same action is simply decided again (a second investigation note)
    const h = await head();
    expect((await as('lead').post(`/v1/cases/${caseId}/tasks/${AG.lead}/actions`, { kind: 'investigation', note: '调查' })).status).toBe(201);
    expect(await head()).toBeGreaterThan(h);
  });

  it('leaves the key free after a refused request, and refuses malformed keys', async () => {
    const k = key();
    const body = await fresh();
    const bad = await as('clerk').post('/v1/petitions', { ...body, petitioner: { ...body.petitioner, phone: 'not a phone' } }, { 'idempotency-key': k });
    expect(bad.status).toBe(400);
    expect((await as('clerk').post('/v1/petitions', body, { 'idempotency-key': k })).status).toBe(201);
    for (const malformed of ['short', 'has space in it', 'x'.repeat(129), 'semicolons;are;not;allowed']) {
      const r = await as('clerk').post('/v1/petitions', await fresh(), { 'idempotency-key': malformed });
      expect({ malformed, status: r.status, code: r.body.error?.code }).toEqual({ malformed, status: 400, code: 'INVALID_IDEMPOTENCY_KEY' });
    }
  });

  it('decides concurrent requests with one key once: the other waits for the first answer or is told to retry', async () => {
    const k = key();
    const body = await fresh();
    const h = await head();
    const answers = await Promise.all([0, 1, 2].map(() => as('clerk').post('/v1/petitions', body, { 'idempotency-key': k })));
    const statuses = answers.map((a) => a.status).sort();
    for (const a of answers) {
      if (a.status === 409) expect(a.body.error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      else expect(a.status).toBe(201);
    }
    expect(statuses[0]).toBe(201);
    const cases = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.caseId));
    expect(cases.size).toBe(1);
    // one registration: the case-number allocation and the registration itself
    expect((await store.readAll({ after: h, limit: 100 })).filter((e) => e.type === 'lianban.case.registered.v1')).toHaveLength(1);
  });
});

describe('Idempotency-Key, kept by the HTTP adapter', () => {
  it('refuses to start an app made with Nest\'s own adapter, which would never keep an answer', async () => {
    const dataDir = tempDataDir('lianban-idem-adapter-');
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', DEMO: 'off', DEADLINE_WATCH_INTERVAL_MS: '0' }, { relay: true });
    const app = await NestFactory.create<NestExpressApplication>(StandaloneModule.forRoot(config), { logger: false, abortOnError: false });
    try {
      await expect(app.init()).rejects.toThrow(/httpAdapter\(\)/);
    } finally {
      await app.close().catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('answers 500 and frees the key when the answer cannot be kept, so the retry is decided again', async () => {
    const running = await startStandalone();
    try {
      const api = new Api(running.url);
      const clerk = api.as(await api.token('clerk', AG.bureau));
      const security = running.app.get<SecurityStore>(SECURITY_STORE);
      const failing = jest.spyOn(security, 'complete').mockRejectedValueOnce(new Error('disk full'));
      const body = await petition({ name: '某', phone: '13500009998' } as never, { subject: '答复未能保存' });
      expect((await clerk.post('/v1/petitions', body, { 'idempotency-key': 'unkept-answer-1' })).status).toBe(500);
      failing.mockRestore();
      const retry = await clerk.post('/v1/petitions', body, { 'idempotency-key': 'unkept-answer-1' });
      // decided again, not IDEMPOTENCY_KEY_IN_USE for a minute
      expect(retry.status).toBe(201);
    } finally {
      await running.close();
    }
  });
});

describe('Idempotency-Key across a crash (embedded)', () => {
  it('frees the keys of requests that died with the previous process, so their retries are decided', async () => {
    const dataDir = tempDataDir('lianban-idem-crash-');
    let running = await startStandalone({ dataDir });
    try {
      const api = new Api(running.url);
      const clerk = api.as(await api.token('clerk', AG.bureau));
      // as a request leaves its key when the process is killed between the claim and the answer
      await running.app.get<SecurityStore>(SECURITY_STORE).claim(`sub:dev-clerk@${AG.bureau}`, 'crashed-request-1', 'whatever', new Date(), IDEMPOTENCY_STALE_MS, IDEMPOTENCY_TTL_MS);
      const body = await petition({ name: '某', phone: '13500009999' } as never, { subject: '崩溃后重试' });
      expect((await clerk.post('/v1/petitions', body, { 'idempotency-key': 'crashed-request-1' })).status).toBe(409);
      await running.close();
      running = await startStandalone({ dataDir });
      const again = new Api(running.url);
      const r = await again.as(await again.token('clerk', AG.bureau)).post('/v1/petitions', body, { 'idempotency-key': 'crashed-request-1' });
      expect(r.status).toBe(201);
    } finally {
      await running.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
