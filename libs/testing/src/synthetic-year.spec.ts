import type { StoredEvent } from '@lianban/contracts';
import { CaseEventTypes as C, ONLINE_CHANNELS, TaskEventTypes as T, type Channel } from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import { MemoryFactsStore } from '../../../apps/history/src/projections/memory-facts-store';
import { FactsProjector } from '../../../apps/history/src/projections/projector';
import { referenceVersions } from '../../../apps/history/src/projections/versions';
import { generateSyntheticYear } from '../../../scripts/analytics/synthetic-year';

const year = generateSyntheticYear({ cases: 1500, seed: 42, year: 2025 });
const types = (t: string) => year.events.filter((e) => e.type === t);

describe('the synthetic year (npm run seed)', () => {
  it('is reproducible: the same seed gives the same events', () => {
    const again = generateSyntheticYear({ cases: 1500, seed: 42, year: 2025 });
    expect(again.events).toEqual(year.events);
    const other = generateSyntheticYear({ cases: 1500, seed: 43, year: 2025 });
    expect(other.events[0].id).not.toBe(year.events[0].id);
  });

  it('stays inside the year, in time order, with hlc stamps in that order and revisions per stream', () => {
    const start = Date.parse('2025-01-01T00:00:00+08:00');
    const end = Date.parse('2026-01-01T00:00:00+08:00');
    const revisions = new Map<string, number>();
    let last = 0;
    let lastHlc = '';
    for (const e of year.events) {
      const at = Date.parse(e.occurredAt);
      expect(at >= start && at < end).toBe(true);
      expect(at).toBeGreaterThanOrEqual(last);
      expect(e.hlc > lastHlc).toBe(true);
      const expected = revisions.has(e.streamId) ? revisions.get(e.streamId)! : 'no-stream';
      expect(e.expectedRevision).toBe(expected);
      revisions.set(e.streamId, revisions.has(e.streamId) ? revisions.get(e.streamId)! + 1 : 0);
      last = at;
      lastHlc = e.hlc;
    }
  });

  it('has the mix asked for: about 70 % online, both provinces, several agencies per case in some', () => {
    const regs = types(C.PetitionRegistered);
    expect(regs).toHaveLength(1500);
    const online = regs.filter((e) => ONLINE_CHANNELS.includes((e.data as { channel: Channel }).channel)).length / regs.length;
    expect(online).toBeGreaterThan(0.65);
    expect(online).toBeLessThan(0.75);
    const sc = regs.filter((e) => e.region === 'sc').length / regs.length;
    expect(sc).toBeGreaterThan(0.25);
    expect(sc).toBeLessThan(0.45);
    const multi = types(C.AgenciesAssigned).filter((e) => (e.data as { agencies: unknown[] }).agencies.length > 1).length;
    expect(multi / regs.length).toBeGreaterThan(0.15);
    // and in a few, agencies of both provinces (川渝)
    const byCase = new Map<string, Set<string>>();
    for (const e of year.events) if (e.agencyId) byCase.set(e.caseId, (byCase.get(e.caseId) ?? new Set()).add(e.agencyId.slice(0, 2)));
    expect([...byCase.values()].filter((s) => s.size === 2).length).toBeGreaterThan(0);
  });

  it('has overdue tasks, extensions, repeats, returns, releases, routing out, transfers, appeals, conclusions and ratings', () => {
    const late = types(T.TaskAccepted).filter((e) => !(e.data as { acknowledgedInTime: boolean }).acknowledgedInTime);
    expect(late.length).toBeGreaterThan(0);
    expect(types(T.ReplyIssued).filter((e) => !(e.data as { withinLimit: boolean }).withinLimit).length).toBeGreaterThan(0);
    for (const t of [T.HandlingExtended, T.TaskReturned, C.RepeatPetitionLinked, C.CoHandlerReleased, C.RoutedOut, C.TaskTransferred,
      C.AppealRequested, C.CaseConcluded, C.ReplyRated]) {
      expect([t, types(t).length > 0]).toEqual([t, true]);
    }
    // 渝北区 was abolished on 2025-11-01: its open tasks moved to 北碚区, and no case of 500112 is registered after
    for (const e of types(C.TaskTransferred)) {
      expect((e.data as { fromAgencyId: string }).fromAgencyId).toMatch(/^500112-/);
      expect(Date.parse(e.occurredAt)).toBeGreaterThanOrEqual(Date.parse('2025-11-01T00:00:00+08:00'));
    }
    const after = types(C.PetitionRegistered).filter((e) => Date.parse(e.occurredAt) >= Date.parse('2025-11-01T00:00:00+08:00'));
    expect(after.filter((e) => (e.data as { regionCode: string }).regionCode === '500112')).toHaveLength(0);
  });

  it('folds, event by event, into exactly the reference versions of every case', async () => {
    const stored: StoredEvent[] = year.events.map(({ expectedRevision, ...e }, i) => ({
      ...e, revision: expectedRevision === 'no-stream' ? 0 : expectedRevision + 1, position: i + 1, recordedAt: e.occurredAt,
    }));
    const byCase = new Map<string, StoredEvent[]>();
    for (const e of stored) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
    const source = {
      readAll: async ({ after = 0, limit = 1000 } = {}) => stored.slice(after, after + limit),
      readByCase: async (id: string) => byCase.get(id) ?? [],
    } as unknown as EventStore;
    const memory = new MemoryFactsStore();
    // a small cache: most cases are re-read from the "store" when touched again
    const p = new FactsProjector(source, memory, { maxCases: 50, pageSize: 700 });
    await p.reset();
    await p.catchUp();
    for (const [caseId, events] of byCase) expect(await memory.versions(caseId)).toEqual(referenceVersions(caseId, events));
  });
});
