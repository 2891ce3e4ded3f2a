import type { StoredEvent } from '@lianban/contracts';
import { cn, FIXTURE_CASE_IDS as ID, quarter4Dataset, quarterDataset } from '@lianban/testing/analytics-fixture';
import type { CaseFacts } from '../projections/case-facts';
import { referenceVersions } from '../projections/versions';
import { computeStats, overdueItems, type GroupBy, type StatsQuery } from './statistics';

/**
 * The statistics checked against numbers worked out by hand on the fixed dataset described in
 * libs/testing/src/analytics-fixture.ts (cases A–G, first quarter of 2025, China time). Each
 * expectation carries its arithmetic; none is computed by the code under test.
 */
const events = quarterDataset();

/** the facts of every case valid at `at`, from the reference definition of versions */
function factsAt(all: StoredEvent[], at: string): CaseFacts[] {
  const byCase = new Map<string, StoredEvent[]>();
  for (const e of all) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
  const out: CaseFacts[] = [];
  for (const [caseId, es] of byCase) {
    const v = referenceVersions(caseId, es).find((x) => x.validFrom <= at && (x.validTo === null || x.validTo > at));
    if (v) out.push(v.facts);
  }
  return out;
}

const Q1 = { from: cn('2025-01-01 00:00'), to: cn('2025-04-01 00:00') };
const END_OF_JUNE = new Date('2025-06-30T23:59:59+08:00').toISOString();
const name = (g: GroupBy, key: string) => `${g}:${key}`;
const stats = (q: Partial<StatsQuery> & { at: string }) =>
  computeStats(factsAt(events, q.at), { from: Q1.from, to: Q1.to, ...q }, name);

describe('statistics on the fixed quarter (hand-computed)', () => {
  it('totals for Q1 2025 as of the end of June', () => {
    const r = stats({ at: END_OF_JUNE });
    // registered in Q1: A online, B letter, C wechat, D app, E phone, F online, G visit = 7;
    // online channels (online, wechat, app): A, C, D, F = 4 → 4/7 = 0.571428… → 0.5714
    expect(r.totals.registrations).toMatchObject({ total: 7, online: 4, onlineShare: 0.5714 });
    expect(r.totals.registrations.byChannel).toMatchObject({ online: 2, wechat: 1, app: 1, letter: 1, phone: 1, visit: 1, video: 0 });
    // acceptance reckonings in Q1: A-rsj 01-08 ✓, A-xfb limit 01-22 ✗ (accepted 01-25), B-zjw 01-12 ✓,
    // C-xfb limit 02-19 ✗ (never), D-sw 02-12 ✓, D-xfj 02-13 ✓ (released later), E-xfj 03-20 ✓
    // → 5 timely of 7 = 0.714285… → 0.7143
    expect(r.totals.acceptance).toEqual({ due: 7, timely: 5, rate: 0.7143 });
    // completion reckonings in Q1: A-xfb opinion 02-10 ✓ (limit 03-26), A-rsj reply 02-20 ✓ (limit 03-09),
    // B-zjw limit 03-13 ✗ (replied 03-20); D-sw reckons 04-10 and E-xfj 05-19 (after Q1);
    // D-xfj was released (02-20) before its limit: not due → 2 of 3 = 0.6667
    expect(r.totals.completion).toEqual({ due: 3, onTime: 2, rate: 0.6667 });
    // ratings in Q1: A 满意 (02-25), B 基本满意 (03-25); D's 不满意 is on 04-12
    // (1 + 1) / 2 = 1; 12345 weighting (1 + 0.9 × 1) / 2 = 0.95
    expect(r.totals.satisfaction).toEqual({ rated: 2, satisfied: 1, basicallySatisfied: 1, dissatisfied: 0, rate: 1, weightedRate: 0.95 });
    // no repeat petitions in the dataset: 0 of 7
    expect(r.totals.repeats).toEqual({ petitions: 7, repeats: 0, rate: 0 });
    // backlog at the last millisecond of Q1: C-xfb never accepted, 告知 limit 02-19 passed → 1 task;
    // B answered 03-20, D's limit 04-13 and E's 05-19 not yet passed; F's 转送 limit is 04-12
    expect(r.totals.backlog).toEqual({ at: new Date(Date.parse(Q1.to) - 1).toISOString(), tasks: 1, unrouted: 0, cases: 1 });
  });

  it('by district, with the rankings by the three rates', () => {
    const r = stats({ at: END_OF_JUNE, groupBy: 'district' });
    const g = Object.fromEntries(r.groups.map((x) => [x.key, x]));
    expect(Object.keys(g)).toEqual(['500110', '500112', '510100', '511623']);
    // 500112: A, B, F, G registered, online A and F → 2/4 = 0.5
    expect(g['500112'].registrations).toMatchObject({ total: 4, online: 2, onlineShare: 0.5 });
    // 500112 tasks: A-rsj ✓, A-xfb ✗, B-zjw ✓ → 2/3; completion A-rsj ✓, A-xfb ✓, B-zjw ✗ → 2/3
    expect(g['500112'].acceptance).toEqual({ due: 3, timely: 2, rate: 0.6667 });
    expect(g['500112'].completion).toEqual({ due: 3, onTime: 2, rate: 0.6667 });
    expect(g['500112'].satisfaction).toMatchObject({ rated: 2, rate: 1, weightedRate: 0.95 });
    // 500110: C only — acceptance 0/1 = 0, nothing due for completion, in the backlog
    expect(g['500110'].acceptance).toEqual({ due: 1, timely: 0, rate: 0 });
    expect(g['500110'].completion).toEqual({ due: 0, onTime: 0, rate: null });
    expect(g['500110'].backlog).toMatchObject({ tasks: 1, cases: 1 });
    // 511623: D-sw ✓ and D-xfj ✓ → 2/2; 510100: E-xfj ✓ → 1/1; E registered by phone → 0/1 online
    expect(g['511623'].acceptance).toEqual({ due: 2, timely: 2, rate: 1 });
    expect(g['510100'].acceptance).toEqual({ due: 1, timely: 1, rate: 1 });
    expect(g['510100'].registrations.onlineShare).toBe(0);
    expect(g['500112'].name).toBe('district:500112');
    // acceptance: 511623 and 510100 tie at 1 (the larger denominator first), then 500112 0.6667, 500110 0
    expect(r.rankings!.acceptance.map((x) => [x.rank, x.key])).toEqual([[1, '511623'], [1, '510100'], [3, '500112'], [4, '500110']]);
    // completion and satisfaction: only 500112 has anything due
    expect(r.rankings!.completion.map((x) => [x.rank, x.key, x.rate])).toEqual([[1, '500112', 0.6667]]);
    expect(r.rankings!.satisfaction.map((x) => [x.rank, x.key, x.rate])).toEqual([[1, '500112', 1]]);
  });

  it('by region (the case\'s region, wherever the agency sits)', () => {
    const r = stats({ at: END_OF_JUNE, groupBy: 'region' });
    const g = Object.fromEntries(r.groups.map((x) => [x.key, x]));
    // cq: A, B, C, F, G (online A, C, F → 3/5 = 0.6); tasks A-rsj ✓ A-xfb ✗ B ✓ C ✗ → 2/4 = 0.5
    expect(g.cq.registrations).toMatchObject({ total: 5, online: 3, onlineShare: 0.6 });
    expect(g.cq.acceptance).toEqual({ due: 4, timely: 2, rate: 0.5 });
    // sc: D, E (online D → 1/2 = 0.5); tasks D-sw ✓ D-xfj ✓ E ✓ → 3/3 = 1; no completion due in Q1
    expect(g.sc.registrations).toMatchObject({ total: 2, online: 1, onlineShare: 0.5 });
    expect(g.sc.acceptance).toEqual({ due: 3, timely: 3, rate: 1 });
    expect(g.sc.completion.rate).toBeNull();
  });

  it('by agency: tasks under their agency, case counts under the lead ("" before assignment)', () => {
    const r = stats({ at: END_OF_JUNE, groupBy: 'agency' });
    const g = Object.fromEntries(r.groups.map((x) => [x.key, x]));
    // 500112-xfb co-handles A: accepted late (0/1), opinion in time (1/1); it leads nothing
    expect(g['500112-xfb'].acceptance).toEqual({ due: 1, timely: 0, rate: 0 });
    expect(g['500112-xfb'].completion).toEqual({ due: 1, onTime: 1, rate: 1 });
    expect(g['500112-xfb'].registrations.total).toBe(0);
    // 500112-rsj leads A: 1/1, 1/1, A registered online and rated 满意
    expect(g['500112-rsj']).toMatchObject({ acceptance: { due: 1, timely: 1 }, completion: { due: 1, onTime: 1 }, registrations: { total: 1, online: 1 }, satisfaction: { rated: 1, satisfied: 1 } });
    // 500112-zjw leads B: acceptance 1/1, completion 0/1, rated 基本满意 → weighted 0.9
    expect(g['500112-zjw'].completion).toEqual({ due: 1, onTime: 0, rate: 0 });
    expect(g['500112-zjw'].satisfaction).toMatchObject({ rated: 1, rate: 1, weightedRate: 0.9 });
    // F (never routed) and G (routed out) have no lead: 2 registrations under "", F online → 0.5
    expect(g[''].registrations).toMatchObject({ total: 2, online: 1, onlineShare: 0.5 });
    expect(Object.keys(g).sort()).toEqual(['', '500110-xfb', '500112-rsj', '500112-xfb', '500112-zjw', '510100-xfj', '511623-sw', '511623-xfj']);
  });

  it('by month: reckoned in the month of the moment, backlog at each month end; months add up to the quarter', () => {
    const r = stats({ at: END_OF_JUNE, groupBy: 'month' });
    expect(r.groups.map((x) => x.key)).toEqual(['2025-01', '2025-02', '2025-03']);
    const [jan, feb, mar] = r.groups;
    // January: A, B registered (A online) → 1/2; acceptance A-rsj ✓ 01-08, A-xfb ✗ 01-22, B ✓ 01-12 → 2/3
    expect(jan.registrations).toMatchObject({ total: 2, online: 1 });
    expect(jan.acceptance).toEqual({ due: 3, timely: 2, rate: 0.6667 });
    expect(jan.completion.due).toBe(0);
    // 31 Jan: A-xfb was accepted on 01-25 and its 办理 limit is 03-26 → no backlog
    expect(jan.backlog).toMatchObject({ at: new Date('2025-01-31T23:59:59.999+08:00').toISOString(), tasks: 0 });
    // February: C, D (both online) → 2/2; acceptance C ✗ 02-19, D-sw ✓, D-xfj ✓ → 2/3;
    // completion A-xfb ✓ 02-10, A-rsj ✓ 02-20 → 2/2; A rated 满意 on 02-25; C in the backlog at month end
    expect(feb.registrations).toMatchObject({ total: 2, online: 2 });
    expect(feb.acceptance).toEqual({ due: 3, timely: 2, rate: 0.6667 });
    expect(feb.completion).toEqual({ due: 2, onTime: 2, rate: 1 });
    expect(feb.satisfaction).toMatchObject({ rated: 1, satisfied: 1 });
    expect(feb.backlog).toMatchObject({ tasks: 1, cases: 1 });
    // March: E, F, G (F online) → 1/3; acceptance E ✓ → 1/1; completion B ✗ (limit 03-13) → 0/1;
    // B rated 基本满意 → weighted 0.9
    expect(mar.registrations).toMatchObject({ total: 3, online: 1 });
    expect(mar.acceptance).toEqual({ due: 1, timely: 1, rate: 1 });
    expect(mar.completion).toEqual({ due: 1, onTime: 0, rate: 0 });
    expect(mar.satisfaction).toMatchObject({ rated: 1, weightedRate: 0.9 });
    // months add up: 2+2+3 = 7 registrations, 3+3+1 = 7 acceptances due, 0+2+1 = 3 completions due
    expect(jan.registrations.total + feb.registrations.total + mar.registrations.total).toBe(r.totals.registrations.total);
    expect(jan.acceptance.due + feb.acceptance.due + mar.acceptance.due).toBe(r.totals.acceptance.due);
    expect(r.rankings).toBeNull();
  });

  it('as of 15 March: only what had happened by then', () => {
    const at = new Date('2025-03-15T00:00:00+08:00').toISOString();
    const r = stats({ at });
    // registered by 03-15: A, B, C, D, E (03-05), G (03-10) = 6; F only on 03-28; online A, C, D → 3/6 = 0.5
    expect(r.totals.registrations).toMatchObject({ total: 6, online: 3, onlineShare: 0.5 });
    // acceptance reckoned by 03-15: A-rsj ✓, A-xfb ✗, B ✓, C ✗, D-sw ✓, D-xfj ✓ → 4/6; E-xfj's limit 03-21 not reached
    expect(r.totals.acceptance).toEqual({ due: 6, timely: 4, rate: 0.6667 });
    // completion: A-xfb ✓, A-rsj ✓, and B ✗ — its limit 03-13 passed unmet by 03-15 → 2/3
    expect(r.totals.completion).toEqual({ due: 3, onTime: 2, rate: 0.6667 });
    // B was rated on 03-25: not yet; A 满意 → 1/1
    expect(r.totals.satisfaction).toMatchObject({ rated: 1, rate: 1, weightedRate: 1 });
    // backlog as of 03-15 (before the period's end): C (告知 02-19) and B (办理 03-13, replied only 03-20)
    expect(r.totals.backlog).toEqual({ at, tasks: 2, unrouted: 0, cases: 2 });
  });

  it('filters: one region, one agency', () => {
    const sc = stats({ at: END_OF_JUNE, region: 'sc' });
    expect(sc.totals.registrations.total).toBe(2);
    expect(sc.totals.acceptance).toEqual({ due: 3, timely: 3, rate: 1 });
    const rsj = stats({ at: END_OF_JUNE, agencyId: '500112-rsj' });
    // the agency's own task, and the one case it leads (A)
    expect(rsj.totals).toMatchObject({ acceptance: { due: 1, timely: 1 }, completion: { due: 1, onTime: 1 }, registrations: { total: 1 } });
  });

  it('the whole year as of the end of June: backlog and the overdue list', () => {
    const r = stats({ at: END_OF_JUNE, from: cn('2025-01-01 00:00'), to: null });
    // as of 06-30: C (告知 02-19, never accepted), E (办理 05-19, no reply) and F (转送 04-12, never routed)
    expect(r.totals.backlog).toEqual({ at: END_OF_JUNE, tasks: 2, unrouted: 1, cases: 3 });
    // D's reply 04-10 ✓ and E's 05-19 ✗ now count: completion 2+1 of 3+2 = 3/5 = 0.6
    expect(r.totals.completion).toEqual({ due: 5, onTime: 3, rate: 0.6 });
    // D rated 不满意 on 04-12: 3 rated, (1 + 1)/3 = 0.6667, weighted (1 + 0.9)/3 = 0.6333
    expect(r.totals.satisfaction).toMatchObject({ rated: 3, dissatisfied: 1, rate: 0.6667, weightedRate: 0.6333 });
    const items = overdueItems(factsAt(events, END_OF_JUNE), END_OF_JUNE);
    expect(items.map((i) => [i.caseId, i.limit, i.agencyId])).toEqual([
      [ID.C, 'acknowledge', '500110-xfb'], [ID.F, 'route', null], [ID.E, 'handle', '510100-xfj'],
    ]);
    // C: from the end of 02-19 to 06-30 23:59:59 is 131 days less one second → 130 whole days
    expect(items[0]).toMatchObject({ dueAt: new Date('2025-02-19T23:59:59.999+08:00').toISOString(), daysOverdue: 130 });
  });
});

describe('statistics on the fourth quarter: repeats, extensions, returns, transfers, appeals (hand-computed)', () => {
  const q4 = quarter4Dataset();
  const END = new Date('2025-12-31T23:59:59+08:00').toISOString();
  const Q4 = { from: cn('2025-10-01 00:00'), to: cn('2026-01-01 00:00') };
  const run = (q: Partial<StatsQuery> = {}) => computeStats(factsAt(q4, q.at ?? END), { ...Q4, at: END, ...q }, name);

  it('totals', () => {
    const r = run();
    // registered: H online, I letter, J phone, K online → 2/4 = 0.5
    expect(r.totals.registrations).toMatchObject({ total: 4, online: 2, onlineShare: 0.5 });
    // repeat petitions: H 10-20, K 12-10 → 2 of (4 + 2) = 0.3333
    expect(r.totals.repeats).toEqual({ petitions: 6, repeats: 2, rate: 0.3333 });
    // acceptance: H 500112-rsj ✓ 10-10 (its successor's copy of that acceptance belongs to it, not to
    // 500109-rsj), I 511623-xfj ✓ 10-17 (511623-sw returned the task before its limit: not due),
    // J 500110-xfb ✓ 11-07, J 500000-rsj ✗ (limit 11-21, accepted 11-25) → 3/4 = 0.75
    expect(r.totals.acceptance).toEqual({ due: 4, timely: 3, rate: 0.75 });
    // completion: H by 500109-rsj 12-22 ✓ (limit extended from 12-09 to 12-24), I 11-10 ✓ (limit 12-16),
    // J 500000-rsj opinion 12-01 ✓ (limit 2026-01-24); J's lead reckons only on 2026-01-06;
    // 500112-rsj left by the transfer (11-01) before its limit: not due → 3/3 = 1
    expect(r.totals.completion).toEqual({ due: 3, onTime: 3, rate: 1 });
    // ratings: I 基本满意 (11-12), H 不满意 (12-24) → (0 + 1)/2 = 0.5, weighted 0.9/2 = 0.45
    expect(r.totals.satisfaction).toMatchObject({ rated: 2, basicallySatisfied: 1, dissatisfied: 1, rate: 0.5, weightedRate: 0.45 });
    expect(r.totals.extensions).toBe(1);
    // answered in Q4: I 11-10, H 12-22; 复查 asked: I 11-14, H 12-26 → 2/2 = 1; 复核: I 12-12
    expect(r.totals.appeals).toEqual({ answered: 2, requested: 3, review: 2, reReview: 1, rate: 1 });
    // decisions: I's 复查 12-10 ✓ (due 12-14), I's 复核 12-29 ✓ (due 01-11 + 2 hearing days = 01-13);
    // H's 复查 is due only on 2026-01-25 → 2/2
    expect(r.totals.appealDecisions).toEqual({ due: 2, onTime: 2, rate: 1 });
    // backlog as of E (before the period's last millisecond): K not routed (limit 12-16); J's limits run
    // into 2026; H answered; I concluded
    expect(r.totals.backlog).toEqual({ at: END, tasks: 0, unrouted: 1, cases: 1 });
  });

  it('by agency: the predecessor and the successor each answer for their own part; reviewers for their decisions', () => {
    const g = Object.fromEntries(run({ groupBy: 'agency' }).groups.map((x) => [x.key, x]));
    expect(g['500112-rsj']).toMatchObject({ acceptance: { due: 1, timely: 1 }, completion: { due: 0 }, registrations: { total: 0 } });
    // 500109-rsj now leads H: its completion, its extension, and H's case counts
    expect(g['500109-rsj']).toMatchObject({
      acceptance: { due: 0 }, completion: { due: 1, onTime: 1 }, extensions: 1,
      registrations: { total: 1, online: 1 }, repeats: { repeats: 1 }, satisfaction: { rated: 1, dissatisfied: 1 }, appeals: { answered: 1, review: 1 },
    });
    expect(g['511623-sw']).toBeUndefined();
    expect(g['511623-xfj']).toMatchObject({ acceptance: { due: 1, timely: 1 }, completion: { due: 1, onTime: 1 }, appeals: { review: 1, reReview: 1 } });
    expect(g['511600-xfj'].appealDecisions).toEqual({ due: 1, onTime: 1, rate: 1 });
    expect(g['510000-xfj'].appealDecisions).toEqual({ due: 1, onTime: 1, rate: 1 });
    expect(g['500000-rsj']).toMatchObject({ acceptance: { due: 1, timely: 0, rate: 0 }, completion: { due: 1, onTime: 1 } });
    expect(g['']).toMatchObject({ registrations: { total: 1 }, repeats: { repeats: 1 }, backlog: { unrouted: 1, cases: 1 } });
  });

  it('as of 15 November: H held by its successor, not yet extended', () => {
    const at = new Date('2025-11-15T00:00:00+08:00').toISOString();
    const r = run({ at });
    // H's handling limit as of 11-15 is still 12-09 (the extension comes on 11-20): nothing reckoned yet
    expect(r.totals.completion).toEqual({ due: 1, onTime: 1, rate: 1 }); // I's reply 11-10
    expect(r.totals.extensions).toBe(0);
    expect(r.totals.registrations.total).toBe(3); // H, I, J; K comes on 12-01
    const items = overdueItems(factsAt(q4, at), at);
    expect(items).toEqual([]);
  });

  it('the 复核 decision is reckoned against its limit moved by the hearing', () => {
    // as of 2026-01-12, had I's 复核 not been decided: due 01-11 + 2 days → 01-13, not yet overdue
    const facts = factsAt(q4, END).map((c) => (c.caseId !== ID.I ? c : {
      ...c, appeals: c.appeals.map((a) => (a.kind === 're-review' ? { ...a, decidedAt: null } : a)),
    }));
    const at = new Date('2026-01-12T12:00:00+08:00').toISOString();
    expect(overdueItems(facts, at).filter((i) => i.limit === 'appeal-decision')).toEqual([]);
    const later = new Date('2026-01-14T00:00:00+08:00').toISOString();
    const overdue = overdueItems(facts, later).filter((i) => i.limit === 'appeal-decision');
    expect(overdue.map((i) => [i.caseId, i.agencyId, i.dueAt])).toContainEqual([ID.I, '510000-xfj', new Date('2026-01-13T23:59:59.999+08:00').toISOString()]);
  });
});
