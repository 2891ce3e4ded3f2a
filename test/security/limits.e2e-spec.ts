import { Api, startStandalone, type RunningApp } from '@lianban/testing/standalone';
import { launchChromium, type Chromium } from '../browser/chromium';
import { AG, PEOPLE, petition } from './fixtures';

jest.setTimeout(120_000);

/**
 * Limits and headers (issue 9 item 7), each answered with its status of DESIGN 7: 413 for a body
 * too large, 400 for a field too long, 429 with Retry-After for too many requests; security
 * headers on every answer, with a content security policy the web pages and the API docs work under.
 */
describe('limits and security headers', () => {
  describe('with the default limits', () => {
    let running: RunningApp;
    let api: Api;

    beforeAll(async () => {
      running = await startStandalone({ env: { DEMO: 'on' } });
      api = new Api(running.url);
    });
    afterAll(() => running?.close());

    it('answers a body over 256 kB with 413, and a field over its length with 400 naming the field', async () => {
      const clerk = api.as(await api.token('clerk', AG.bureau));
      const huge = await clerk.post('/v1/petitions', await petition(PEOPLE.claimant, { content: '长'.repeat(300_000) }));
      expect({ status: huge.status, code: huge.body.error.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      for (const [field, over] of [
        ['content', { content: '长'.repeat(20_001) }], ['subject', { subject: '题'.repeat(201) }],
        ['petitioner.name', { petitioner: { name: '名'.repeat(101) } }], ['petitioner.address', { petitioner: { name: '某', address: '址'.repeat(301) } }],
      ] as const) {
        const r = await clerk.post('/v1/petitions', await petition(PEOPLE.claimant, over));
        expect({ field, status: r.status, fields: r.body.error.details.map((d: { field: string }) => d.field) }).toEqual({ field, status: 400, fields: [field] });
      }
    });

    it('puts security headers on every answer: API, errors, pages, docs — and no framework banner', async () => {
      for (const path of ['/v1/agencies', '/v1/inbox', '/health', '/ui/', '/docs', '/nowhere']) {
        const r = await fetch(running.url + path);
        const h = r.headers;
        expect({ path, nosniff: h.get('x-content-type-options'), frame: h.get('x-frame-options'), referrer: h.get('referrer-policy') })
          .toEqual({ path, nosniff: 'nosniff', frame: 'DENY', referrer: 'no-referrer' });
        expect(h.get('strict-transport-security')).toMatch(/max-age=\d+/);
        expect(h.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
        expect(h.get('x-powered-by')).toBeNull();
      }
      const apiAnswer = await fetch(`${running.url}/v1/agencies`, { headers: { authorization: `Bearer ${await api.token('analyst')}` } });
      expect(apiAnswer.headers.get('content-security-policy')).toContain("default-src 'none'");
      // answers that may hold personal data are never cached
      expect(apiAnswer.headers.get('cache-control')).toBe('no-store');
      const page = await fetch(`${running.url}/ui/`);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    });

    it('serves the web pages and the API docs under their content security policy: they load and run, nothing is blocked', async () => {
      let browser: Chromium | undefined;
      try {
        browser = await launchChromium();
        const page = await browser.context.newPage();
        const blocked: string[] = [];
        page.on('console', (m) => {
          if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(m.text());
        });
        page.on('pageerror', (e) => blocked.push(e.message));
        await page.goto(`${running.url}/ui/`);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
        // ECharts drew the dashboard's charts (it needs its script and inline styles)
        expect(await page.locator('canvas, svg').count()).toBeGreaterThan(0);
        await page.goto(`${running.url}/ui/cases/d375043c-5f8e-5674-a0aa-b4bbc7069844`);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
        await page.goto(`${running.url}/docs`);
        await page.waitForSelector('.swagger-ui .opblock', { timeout: 30_000 });
        expect(blocked).toEqual([]);
      } finally {
        await browser?.close();
      }
    });
  });

  describe('with small rate limits', () => {
    let running: RunningApp;
    let api: Api;

    beforeAll(async () => {
      running = await startStandalone({ env: { RATE_LIMIT_IP: '40/60', RATE_LIMIT_TOKEN: '5/60' } });
      api = new Api(running.url);
    });
    afterAll(() => running?.close());

    it('answers 429 with Retry-After per token, then per client address, and keeps /health reachable', async () => {
      const token = await api.token('analyst');
      const analyst = api.as(token);
      const first = await Promise.all(Array.from({ length: 5 }, () => analyst.get('/v1/agencies')));
      expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const sixth = await fetch(`${running.url}/v1/agencies`, { headers: { authorization: `Bearer ${token}` } });
      expect(sixth.status).toBe(429);
      // one token every 12 s
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(sixth.headers.get('retry-after'))).toBeLessThanOrEqual(12);
      expect(((await sixth.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
      // another token from the same address still passes, until the address's own bucket is empty
      const other = api.as(await api.token('coordinator', AG.bureau));
      expect((await other.get('/v1/agencies')).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await api.get('/v1/agencies')).status);
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s !== 429).every((s) => s === 401)).toBe(true);
      expect((await api.get('/health')).status).toBe(200);
    });
  });
});
