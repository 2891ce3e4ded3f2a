import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { SqliteKeyVault } from '@lianban/auth';
import { SqliteEventStore } from '@lianban/eventstore';
import { Api, eventually, startStandalone, type RunningApp } from '@lianban/testing/standalone';
import { seedSyntheticYear } from '../../scripts/analytics/seed-store';
import { generateSyntheticYear } from '../../scripts/analytics/synthetic-year';
import { artifact, launchChromium, type Chromium } from './chromium';

jest.setTimeout(120_000);

const DEMO_CASE = 'd375043c-5f8e-5674-a0aa-b4bbc7069844';
const SEED = { cases: 400, seed: 11, year: 2025 };
/** `UPDATE_SCREENSHOTS=1` also refreshes the README's pictures in docs/screenshots/ */
const DOCS = process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve(__dirname, '../../docs/screenshots') : null;

/**
 * The web pages in a real browser (Debian's chromium, headless) against the standalone app
 * with the demo loaded: what the dashboard and the case page show, the language switch, and
 * the as-of slider replaying the case.
 */
describe('web pages in Chromium: dashboard and case page', () => {
  let running: RunningApp;
  let api: Api;
  let analyst: Api;
  let browser: Chromium;
  let page: Page;
  /** errors the pages threw: a page that fails in the browser fails its test */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    running = await startStandalone({ env: { DEMO: 'on' } });
    api = new Api(running.url);
    analyst = api.as(await api.token('analyst'));
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.stack ?? e.message));
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  const ready = () => page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  const text = (selector: string) => page.locator(selector).innerText();
  /** the slider's refetch is asynchronous: wait for the table to show this many entries */
  const entryRows = (n: number) => page.waitForFunction(
    (expected) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document
      .querySelectorAll('#entries tbody tr').length === expected,
    n,
    { timeout: 30_000 },
  );
  /** SVG text has no innerText: its textContent */
  const svgTexts = (selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => e.textContent ?? ''));

  it('the dashboard shows the demo year: the 三率, the channel mix and the charts', async () => {
    await page.goto(`${running.url}/ui/`);
    await ready();
    // the latest year with petitions is chosen: the 高竹新区 water case of 2022; the figures below are 2021's
    expect(await page.locator('#f-year').inputValue()).toBe('2022');
    await page.selectOption('#f-year', '2021');
    await page.click('#filters button[type="submit"]');
    await page.waitForSelector('#chart-monthly svg text:has-text("2021-05")', { timeout: 30_000 });
    await ready();
    // the one demo case: two tasks acknowledged in time (人社局 05-06, 信访办 05-06; due 05-21),
    // the reply (05-31) and the opinion (05-31) within 60 日, rated 满意, registered online
    expect(await text('[data-kpi="acceptance"] .value')).toBe('100.0%');
    expect(await text('[data-kpi="acceptance"] .sub')).toBe('2/2 应办');
    expect(await text('[data-kpi="completion"] .value')).toBe('100.0%');
    expect(await text('[data-kpi="satisfaction"] .value')).toBe('100.0%');
    expect(await text('[data-kpi="satisfaction"] .sub')).toBe('12345 加权 100.0% · 1');
    expect(await text('[data-kpi="online"] .value')).toBe('100.0%');
    expect(await text('[data-kpi="repeat"] .value')).toBe('0.0%');
    expect(await text('[data-kpi="backlog"] .value')).toBe('0');
    // the district ranking and the charts (ECharts draws SVG: its labels are in the page)
    expect(await text('#ranking tbody tr')).toContain('渝北区');
    expect(await page.locator('#chart-district svg text', { hasText: '渝北区' }).count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-channels svg text', { hasText: '网上信访' }).count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-monthly svg text', { hasText: '2021-05' }).count()).toBeGreaterThan(0);
    expect(await text('#overdue tbody')).toContain('暂无数据');
    await page.screenshot({ path: artifact('dashboard-demo.png'), fullPage: true });
  });

  it('switches to English and back', async () => {
    await page.goto(`${running.url}/ui/`);
    await ready();
    await page.click('#lang-switch');
    expect(await text('[data-kpi="acceptance"] h3')).toBe('Timely acceptance');
    expect(await text('#lang-switch')).toBe('中文');
    expect(await page.locator('#chart-district svg text', { hasText: 'On-time completion' }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: artifact('dashboard-demo-en.png'), fullPage: true });
    await page.click('#lang-switch');
    expect(await text('[data-kpi="acceptance"] h3')).toBe('及时受理率');
  });

  it('the case page draws one lane per agency under its region, the limits, and every entry', async () => {
    const timeline = (await analyst.get(`/v1/cases/${DEMO_CASE}/timeline`)).body;
    await page.goto(`${running.url}/ui/cases/${DEMO_CASE}`);
    await ready();
    expect(await text('#case-title')).toBe('CQ-2021-000001 某建设公司渝北分公司拖欠员工工资数月');
    expect(await text('[data-field="caseStep"]')).toBe('已评价');
    expect(await text('[data-field="district"]')).toBe('渝北区 · 重庆');
    // lanes: the bureau's, then the lead and the co-handler, all under 重庆
    const lanes = await svgTexts('[data-lane]');
    expect(lanes).toEqual(['信访部门（登记、转送交办）', '渝北区人力资源和社会保障局 · 主办', '渝北区信访办公室 · 协办']);
    expect(await svgTexts('[data-region]')).toEqual(['重庆']);
    // limits drawn: routing (bureau), 告知 and 办理 for each agency — all met in time
    expect(await page.locator('[data-limit="route"]').count()).toBe(1);
    expect(await page.locator('[data-limit="acknowledge"]').count()).toBe(2);
    expect(await page.locator('[data-limit="handle"]').count()).toBe(2);
    expect(await page.locator('[data-late="true"]').count()).toBe(0);
    // every entry of the timeline is a dot on a lane and a row of the table
    expect(await page.locator('[data-entry]').count()).toBe(timeline.entries.length);
    expect(await page.locator('#entries tbody tr').count()).toBe(timeline.entries.length);
    expect(await text('#entries tbody')).toContain('信访人评价：满意');
    await page.screenshot({ path: artifact('case-demo.png'), fullPage: true });
  });

  it('the as-of slider replays the case: entries after the moment disappear, the status goes back', async () => {
    const timelineAnswers: { asOf: boolean; status: number }[] = [];
    const seen = (r: { url(): string; status(): number }) => {
      if (r.url().includes('/timeline')) timelineAnswers.push({ asOf: r.url().includes('asOf='), status: r.status() });
    };
    page.on('response', seen);
    await page.goto(`${running.url}/ui/cases/${DEMO_CASE}`);
    await ready();
    const total = await page.locator('#entries tbody tr').count();
    // the third stop: registration, classification, assignment (6 May 09:30)
    await page.locator('#as-of-slider').fill('2');
    await entryRows(3);
    await ready();
    expect(await text('#as-of-output')).toBe('2021-05-06 09:30');
    expect(await text('[data-field="caseStep"]')).toBe('已转送交办');
    expect(await page.locator('[data-entry]').count()).toBe(3);
    expect(await page.locator('[data-as-of-line]').count()).toBe(1);
    // as of then, nothing was accepted: no handling limit existed yet
    expect(await page.locator('[data-limit="handle"]').count()).toBe(0);
    await page.screenshot({ path: artifact('case-demo-as-of.png'), fullPage: true });
    // the same moment through the API: the page shows what the as-of endpoint says
    const asOf = (await analyst.get(`/v1/cases/${DEMO_CASE}/timeline?asOf=${encodeURIComponent('2021-05-06T09:30:00+08:00')}`)).body;
    expect(asOf.entries).toHaveLength(3);
    // back to the latest
    const last = await page.locator('#as-of-slider').getAttribute('max');
    await page.locator('#as-of-slider').fill(last!);
    await entryRows(total);
    expect(await page.locator('[data-as-of-line]').count()).toBe(0);
    // the case has not changed: asked again with the ETag it holds, the page is answered 304 and shows what it had
    await page.locator('#as-of-slider').fill('2');
    await entryRows(3);
    page.off('response', seen);
    expect(timelineAnswers).toEqual([
      { asOf: false, status: 200 }, { asOf: true, status: 200 }, { asOf: false, status: 304 }, { asOf: true, status: 304 },
    ]);
  });

  it('with a seeded year the dashboard shows what the statistics API answers, and links overdue cases to their pages', async () => {
    // a synthetic year written into the running app's store, as `npm run seed` would
    const store = SqliteEventStore.open(path.join(running.dataDir, 'events.sqlite'));
    const vault = new SqliteKeyVault(path.join(running.dataDir, 'keys.sqlite'));
    const seeded = await seedSyntheticYear(store, vault, SEED);
    await store.close();
    await vault.close();
    const head = (await api.get('/health')).body.store.head;
    expect(head).toBeGreaterThanOrEqual(seeded.lastPosition);

    const q = 'from=2025-01-01&to=2026-01-01';
    const stats = (await analyst.get(`/v1/stats?${q}&groupBy=district`)).body;
    expect(stats.totals.registrations.total).toBe(SEED.cases);
    await page.goto(`${running.url}/ui/`);
    await ready();
    expect(await page.locator('#f-year').inputValue()).toBe('2025');
    const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
    expect(await text('[data-kpi="acceptance"] .value')).toBe(pct(stats.totals.acceptance.rate));
    expect(await text('[data-kpi="completion"] .value')).toBe(pct(stats.totals.completion.rate));
    expect(await text('[data-kpi="satisfaction"] .value')).toBe(pct(stats.totals.satisfaction.rate));
    expect(await text('[data-kpi="online"] .value')).toBe(pct(stats.totals.registrations.onlineShare));
    expect(await text('[data-kpi="backlog"] .value')).toBe(stats.totals.backlog.cases.toLocaleString('zh-CN'));
    // the ranking lists every district with something due, in the API's order
    const ranked = await page.locator('#ranking tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    expect(ranked).toEqual(stats.rankings.acceptance.map((e: { key: string }) => e.key));
    // the overdue list: the API's first 20 at the end of 2025
    const overdue = (await analyst.get(`/v1/stats/overdue?asOf=${encodeURIComponent('2025-12-31T23:59:59.999+08:00')}&limit=20`)).body;
    expect(overdue.total).toBeGreaterThan(0);
    const listed = await page.locator('#overdue tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case')));
    expect(listed).toEqual(overdue.items.map((i: { caseId: string }) => i.caseId));
    await page.screenshot({ path: artifact('dashboard-seeded.png'), fullPage: true });
    if (DOCS) {
      fs.mkdirSync(DOCS, { recursive: true });
      await page.screenshot({ path: path.join(DOCS, 'dashboard.png'), fullPage: true });
    }

    // the first overdue case's link opens its page, whose lanes show the overdue limit
    await page.locator('#overdue tbody tr a').first().click();
    await page.waitForURL(`**/ui/cases/${overdue.items[0].caseId}`);
    await ready();
    expect(await text('#case-title')).toContain(overdue.items[0].caseNumber);
    expect(await page.locator('[data-late="true"]').count()).toBeGreaterThan(0);
  });

  it('a case across the provincial border: lanes grouped under 重庆 and 四川', async () => {
    // the same seed generates the same year: find, in it, a case with agencies of both provinces
    // that was answered, rated and appealed — the richest page to look at
    const year = generateSyntheticYear({ ...SEED, nextCaseNumber: () => 0 });
    const byCase = new Map<string, string[]>();
    for (const e of year.events) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e.type]);
    const agencies = new Map<string, Set<string>>();
    for (const e of year.events) if (e.agencyId) agencies.set(e.caseId, (agencies.get(e.caseId) ?? new Set()).add(e.agencyId));
    const both = [...agencies.entries()].filter(([, a]) => [...a].some((x) => x.startsWith('50')) && [...a].some((x) => x.startsWith('51')));
    expect(both.length).toBeGreaterThan(0);
    const score = (id: string) => (byCase.get(id)!.includes('lianban.case.reply-rated.v1') ? 2 : 0) + (byCase.get(id)!.includes('lianban.case.appeal-requested.v1') ? 1 : 0);
    const [caseId] = both.map(([id]) => id).sort((a, b) => score(b) - score(a) || (a < b ? -1 : 1));
    await eventually(async () => (await analyst.get(`/v1/cases/${caseId}`)).status === 200, 'the seeded case');

    await page.goto(`${running.url}/ui/cases/${caseId}`);
    await ready();
    const regions = await svgTexts('[data-region]');
    expect(regions.sort()).toEqual(['四川', '重庆']);
    const view = (await analyst.get(`/v1/cases/${caseId}`)).body;
    const laneIds = await page.locator('[data-lane]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-lane')));
    for (const task of view.tasks) expect(laneIds).toContain(task.agencyId);
    await page.screenshot({ path: artifact('case-cross-region.png'), fullPage: true });
    if (DOCS) await page.screenshot({ path: path.join(DOCS, 'case.png'), fullPage: true });
  });
});
