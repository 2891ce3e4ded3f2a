import type { CaseFacts, TaskFacts } from '../projections/case-facts';
import { computeStats, overdueItems, type StatsQuery } from './statistics';

/**
 * One region's statistics with joint cases (DESIGN 6, ONE REGION in statistics.ts), on three
 * cases worked out by hand: J registered in cq with 500109-slj (lead, accepted in time) and
 * 511623-sw (co, never accepted); S registered in sc, 511623-sw alone (accepted in time); Q
 * registered in cq, 500109-slj alone (accepted in time). Both deployments hold J; each holds
 * its own other case. Adding both regions' figures must count each case and each task once.
 */
const day = (d: string) => new Date(`${d}T09:00:00+08:00`).toISOString();

function task(agencyId: string, role: 'lead' | 'co', acceptedAt: string | null): TaskFacts {
  return {
    agencyId, role, assignedAt: day('2026-03-02'), startedAt: day('2026-03-02'), acknowledgeDueAt: day('2026-03-17'), acceptedAt,
    handleDue: acceptedAt ? [{ at: acceptedAt, dueAt: day('2026-05-01') }] : [], completedAt: null, endedAt: null, ended: null,
  };
}

function kase(caseId: string, region: string, regionCode: string, lead: string, tasks: TaskFacts[]): CaseFacts {
  return {
    caseId, caseNumber: caseId, subject: caseId, region, regionCode, channel: 'visit', registeredAt: day('2026-03-01'), routeDueAt: day('2026-03-16'),
    routedAt: day('2026-03-02'), routedOut: false, leadAgencyId: lead, answeredAt: null, concludedAt: null, rating: null, ratedAt: null,
    repeats: [], tasks, extensions: [], appeals: [],
  };
}

const J = kase('J', 'cq', '500109', '500109-slj', [task('500109-slj', 'lead', day('2026-03-05')), task('511623-sw', 'co', null)]);
const S = kase('S', 'sc', '511623', '511623-sw', [task('511623-sw', 'lead', day('2026-03-04'))]);
const Q = kase('Q', 'cq', '500109', '500109-slj', [task('500109-slj', 'lead', day('2026-03-06'))]);
const inCq = [J, Q];
const inSc = [J, S];
const AT = day('2026-03-31');
const stats = (facts: CaseFacts[], q: Partial<StatsQuery>) => computeStats(facts, { from: null, to: null, at: AT, ...q }, (_g, k) => k);

describe('statistics of one region, with a joint case held by both', () => {
  it('counts a case only in the region where it was registered, with all its tasks (territorial)', () => {
    const cq = stats(inCq, { region: 'cq' });
    const sc = stats(inSc, { region: 'sc' });
    // cq: J and Q; sc: S only — J's copy is not sc's case
    expect([cq.totals.registrations.total, sc.totals.registrations.total]).toEqual([2, 1]);
    // acceptance: cq J-slj ✓, J-sw ✗ (limit 03-17 passed), Q-slj ✓ → 2 of 3; sc S-sw ✓ → 1 of 1
    expect(cq.totals.acceptance).toEqual({ due: 3, timely: 2, rate: 0.6667 });
    expect(sc.totals.acceptance).toEqual({ due: 1, timely: 1, rate: 1 });
    // backlog: J-sw is cq's (its case), not sc's
    expect([cq.totals.backlog.tasks, sc.totals.backlog.tasks]).toEqual([1, 0]);
    // 3 cases, 4 tasks across both regions: each once
    expect(cq.totals.registrations.total + sc.totals.registrations.total).toBe(3);
    expect(cq.totals.acceptance.due + sc.totals.acceptance.due).toBe(4);
    expect(stats(inSc, { region: 'sc', groupBy: 'region' }).groups.map((g) => g.key)).toEqual(['sc']);
    expect(stats(inSc, { region: 'sc', groupBy: 'district' }).groups.map((g) => g.key)).toEqual(['511623']);
  });

  it('ranks an agency in its own region, for its work on either region\'s cases', () => {
    const cq = stats(inCq, { region: 'cq', groupBy: 'agency' });
    const sc = stats(inSc, { region: 'sc', groupBy: 'agency' });
    expect(cq.groups.map((g) => [g.key, g.acceptance.due, g.acceptance.timely])).toEqual([['500109-slj', 2, 2]]);
    // 511623-sw: S ✓ and J ✗ (its task on cq's case is its own work)
    expect(sc.groups.map((g) => [g.key, g.acceptance.due, g.acceptance.timely])).toEqual([['511623-sw', 2, 1]]);
    expect(sc.rankings!.acceptance).toEqual([{ rank: 1, key: '511623-sw', name: '511623-sw', rate: 0.5, due: 2 }]);
    // still each task once across the regions, and each case's registration once
    expect(cq.totals.acceptance.due + sc.totals.acceptance.due).toBe(4);
    expect(cq.totals.registrations.total + sc.totals.registrations.total).toBe(3);
    // one agency asked for: all its work, in its own region only
    expect(stats(inSc, { region: 'sc', agencyId: '511623-sw' }).totals.acceptance).toEqual({ due: 2, timely: 1, rate: 0.5 });
    expect(stats(inCq, { region: 'cq', agencyId: '511623-sw' }).totals.acceptance.due).toBe(0);
    expect(stats(inSc, { region: 'sc', agencyId: '511623-sw' }).totals.backlog).toMatchObject({ tasks: 1, cases: 1 });
  });

  it('lists the overdue task on the home region\'s list, and on its agency\'s', () => {
    expect(overdueItems(inCq, AT, { region: 'cq' }).map((i) => [i.caseId, i.agencyId])).toEqual([['J', '511623-sw']]);
    expect(overdueItems(inSc, AT, { region: 'sc' })).toEqual([]);
    expect(overdueItems(inSc, AT, { region: 'sc', agencyId: '511623-sw' }).map((i) => [i.caseId, i.agencyId])).toEqual([['J', '511623-sw']]);
  });

  it('without a region (one deployment holding both provinces) counts everything once, as before', () => {
    const all = stats([J, S, Q], {});
    expect(all.totals.registrations.total).toBe(3);
    expect(all.totals.acceptance.due).toBe(4);
    expect(stats([J, S, Q], { groupBy: 'agency' }).totals.acceptance.due).toBe(4);
  });
});
