import type { Page } from 'playwright-core';
import { Api, startStandalone, type RunningApp } from '@lianban/testing/standalone';
import { artifact, launchChromium, type Chromium } from './chromium';

jest.setTimeout(120_000);

const TOKEN_KEY = 'lianban.token';

/**
 * The dashboard's region choice in a cross-region deployment (CROSS_REGION=on, here Sichuan's):
 * it offers only what the deployment answers (GET /v1/stats/regions), never asks for the other
 * region, and when a question is refused anyway (a stale page, a token of the other region) it
 * says why instead of leaving a chart standing.
 */
describe('dashboard regions in a cross-region deployment (Chromium)', () => {
  let running: RunningApp;
  let api: Api;
  let browser: Chromium;
  let page: Page;
  const pageErrors: string[] = [];
  /** every statistics request the page made, with its answer */
  const statsCalls: { url: string; status: number }[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    running = await startStandalone({ env: { CROSS_REGION: 'on', REGION: 'sc' } });
    api = new Api(running.url);
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.stack ?? e.message));
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/v1/stats')) statsCalls.push({ url: r.url(), status: r.status() });
    });
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  const ready = () => page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  const regionOptions = () => page.locator('#f-region option').evaluateAll((os) => os.map((o) => [o.getAttribute('value'), o.textContent]));
  const chartTexts = () => page.locator('.chart svg text').count();

  it('offers only Sichuan, the region this deployment answers, and asks for nothing else', async () => {
    await page.goto(`${running.url}/ui/`);
    await ready();
    expect(await regionOptions()).toEqual([['sc', '四川']]);
    expect(await page.locator('#f-region').isDisabled()).toBe(true);
    expect(await page.locator('#error-box').isHidden()).toBe(true);
    expect(await chartTexts()).toBeGreaterThan(0);
    expect(statsCalls.length).toBeGreaterThan(3);
    expect(statsCalls.filter((c) => c.status !== 200 || new URL(c.url).searchParams.get('region') === 'cq')).toEqual([]);
    // the language switch relabels the offered region
    await page.click('#lang-switch');
    expect(await regionOptions()).toEqual([['sc', 'Sichuan']]);
    await page.click('#lang-switch');
  });

  it('answers a refused question (421 from a stale page asking for Chongqing) with a clear message and no chart, and recovers', async () => {
    await page.goto(`${running.url}/ui/`);
    await ready();
    // a page from before the deployment went cross-region still offers Chongqing
    await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { getElementById(id: string): { disabled: boolean; appendChild(o: unknown): void; value: string }; createElement(t: string): { value: string; textContent: string } } }).document;
      const select = d.getElementById('f-region');
      const option = d.createElement('option');
      option.value = 'cq';
      option.textContent = '重庆';
      select.appendChild(option);
      select.disabled = false;
      select.value = 'cq';
    });
    await page.click('#filters button[type="submit"]');
    await page.waitForSelector('body[data-error="WRONG_REGION_SERVICE"]', { timeout: 30_000 });
    expect(await page.locator('#error-box').innerText()).toBe('本系统只保存本地区的统计。该地区的统计请到该地区的系统查询。');
    expect(statsCalls.some((c) => c.status === 421)).toBe(true);
    // nothing of the previous question is left standing
    expect(await chartTexts()).toBe(0);
    expect(await page.locator('[data-kpi] .value').allInnerTexts()).toEqual(['—', '—', '—', '—', '—', '—']);
    expect(await page.locator('#ranking tbody tr').count()).toBe(0);
    expect(await page.locator('body[data-ready]').count()).toBe(0);
    await page.screenshot({ path: artifact('dashboard-wrong-region.png'), fullPage: true });

    await page.selectOption('#f-region', 'sc');
    await page.click('#filters button[type="submit"]');
    await ready();
    expect(await page.locator('#error-box').isHidden()).toBe(true);
    expect(await page.locator('body[data-error]').count()).toBe(0);
    expect(await chartTexts()).toBeGreaterThan(0);
  });

  it('with a token of the other region, offers nothing, asks for nothing, and says where to go', async () => {
    const cqAnalyst = await api.token('analyst', undefined, undefined, 'cq');
    await page.goto(`${running.url}/ui/`);
    await ready();
    await page.evaluate(([key, token]) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(key, token), [TOKEN_KEY, cqAnalyst]);
    statsCalls.splice(0);
    await page.reload();
    await page.waitForSelector('body[data-error="NO_REGIONS"]', { timeout: 30_000 });
    expect(await page.locator('#error-box').innerText()).toBe('本系统不提供您的令牌所属地区的统计，请到该地区的系统查询。');
    expect(await regionOptions()).toEqual([]);
    expect(await page.locator('#filters button[type="submit"]').isDisabled()).toBe(true);
    // only the question of what is answered was asked
    expect(statsCalls.map((c) => [new URL(c.url).pathname, c.status])).toEqual([['/v1/stats/regions', 200]]);
    expect(await chartTexts()).toBe(0);
  });
});

describe('dashboard regions in a single deployment (Chromium)', () => {
  let running: RunningApp;
  let browser: Chromium;

  beforeAll(async () => {
    browser = await launchChromium();
    running = await startStandalone();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('offers both provinces and each of them', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${running.url}/ui/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    const options = await page.locator('#f-region option').evaluateAll((os) => os.map((o) => [o.getAttribute('value'), o.textContent]));
    expect(options).toEqual([['', '川渝全部'], ['cq', '重庆'], ['sc', '四川']]);
    expect(await page.locator('#f-region').isDisabled()).toBe(false);
  });
});
