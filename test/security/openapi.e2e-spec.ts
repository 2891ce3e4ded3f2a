import { Api, startStandalone, type RunningApp } from '@lianban/testing/standalone';
import { AG, PEOPLE, petition } from './fixtures';
import { liveRoutes, type LiveRoute } from './routes';

jest.setTimeout(120_000);

interface Parameter { name: string; in: string; required?: boolean }
interface Operation { parameters?: Parameter[]; responses: Record<string, { description?: string }> }
interface OpenApi { paths: Record<string, Record<string, Operation>> }

/**
 * The OpenAPI document at /docs-json says what the running app does: the Idempotency-Key that
 * every POST accepts is optional everywhere, and the error answers it promises are documented
 * where they can happen — checked against the app's own routes (the policy matrix's way of
 * listing them) and, for the promises, against what the app really answers. The app runs as one
 * region of a cross-region deployment, where /v1/stats can send a caller to the other region.
 */
describe('the OpenAPI document tells the truth about headers and error answers', () => {
  let running: RunningApp;
  let api: Api;
  let doc: OpenApi;
  let routes: LiveRoute[];

  beforeAll(async () => {
    running = await startStandalone({ env: { CROSS_REGION: 'on', REGION: 'cq', RATE_LIMIT_IP: 'off', RATE_LIMIT_TOKEN: 'off' } });
    api = new Api(running.url);
    doc = (await api.get('/docs-json')).body;
    routes = liveRoutes(running.app);
  });
  afterAll(() => running?.close());

  const operation = (route: LiveRoute): Operation | undefined => doc.paths[route.key.slice(route.method.length + 1)]?.[route.method.toLowerCase()];
  const posts = () => routes.filter((r) => r.method === 'POST');

  it('documents every POST the app serves', () => {
    expect(posts().length).toBeGreaterThan(25);
    expect(posts().filter((r) => !operation(r)).map((r) => r.key)).toEqual([]);
  });

  it('marks Idempotency-Key required on no route, and documents it, optional and once, on every POST', () => {
    const required: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const p of op.parameters ?? []) if (p.name.toLowerCase() === 'idempotency-key' && p.required) required.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(required).toEqual([]);
    for (const route of posts()) {
      const keys = (operation(route)!.parameters ?? []).filter((p) => p.name.toLowerCase() === 'idempotency-key');
      expect({ route: route.key, keys }).toEqual({ route: route.key, keys: [expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false })] });
    }
  });

  it('documents the idempotency answers on every POST, and they are what a reused key really gets', async () => {
    for (const route of posts()) {
      const r = operation(route)!.responses;
      expect({ route: route.key, conflict: r['409']?.description }).toEqual({ route: route.key, conflict: expect.stringMatching(/IDEMPOTENCY_KEY_REUSED.*IDEMPOTENCY_KEY_IN_USE/) });
      expect({ route: route.key, invalid: r['400']?.description }).toEqual({ route: route.key, invalid: expect.stringContaining('INVALID_IDEMPOTENCY_KEY') });
    }
    // registration without the header works (it is optional), with one is replayed, and the
    // same key for another petition is the documented 409
    const clerk = api.as(await api.token('clerk', AG.bureau));
    expect((await clerk.post('/v1/petitions', await petition(PEOPLE.claimant))).status).toBe(201);
    const key = { 'idempotency-key': 'openapi-test-0001' };
    const first = await clerk.request('POST', '/v1/petitions', await petition(PEOPLE.accuser), key);
    expect(first.status).toBe(201);
    expect((await clerk.request('POST', '/v1/petitions', await petition(PEOPLE.accuser), key)).body.caseId).toBe(first.body.caseId);
    const reused = await clerk.request('POST', '/v1/petitions', await petition(PEOPLE.claimant, { subject: '另一件事' }), key);
    expect({ status: reused.status, code: reused.body.error?.code }).toEqual({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
    const malformed = await clerk.request('POST', '/v1/petitions', await petition(PEOPLE.claimant), { 'idempotency-key': 'short' });
    expect({ status: malformed.status, code: malformed.body.error?.code }).toEqual({ status: 400, code: 'INVALID_IDEMPOTENCY_KEY' });
  });

  it('documents 421 WRONG_REGION_SERVICE and 403 REGION_NOT_ALLOWED on the statistics, which answer them', async () => {
    for (const path of ['/v1/stats', '/v1/stats/overdue']) {
      const r = doc.paths[path].get.responses;
      expect({ path, misdirected: r['421']?.description, forbidden: r['403']?.description })
        .toEqual({ path, misdirected: expect.stringContaining('WRONG_REGION_SERVICE'), forbidden: expect.stringContaining('REGION_NOT_ALLOWED') });
    }
    const analyst = api.as(await api.token('analyst'));
    for (const path of ['/v1/stats?region=sc', '/v1/stats/overdue?region=sc']) {
      const r = await analyst.get(path);
      expect({ path, status: r.status, code: r.body.error?.code }).toEqual({ path, status: 421, code: 'WRONG_REGION_SERVICE' });
    }
    const cqAnalyst = api.as(await api.token('analyst', undefined, undefined, 'cq'));
    const r = await cqAnalyst.get('/v1/stats?region=sc');
    expect({ status: r.status, code: r.body.error?.code }).toEqual({ status: 403, code: 'REGION_NOT_ALLOWED' });
    // and what the deployment does answer is said too
    expect((await analyst.get('/v1/stats/regions')).body).toEqual({ regions: ['cq'], combined: false });
    expect(doc.paths['/v1/stats/regions']?.get).toBeDefined();
  });

  it('documents the answers registration promises in its description: 200 for a repeat, 409 CASE_CONCLUDED', () => {
    const r = doc.paths['/v1/petitions'].post.responses;
    expect(r['200']?.description).toContain('repeat');
    expect(r['409']?.description).toContain('CASE_CONCLUDED');
  });
});
