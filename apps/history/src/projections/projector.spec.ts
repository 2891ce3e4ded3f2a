import fc from 'fast-check';
import type { StoredEvent } from '@lianban/contracts';
import { arrayStore, cn, FIXTURE_CASE_IDS as ID, quarter4Dataset, quarterDataset } from '@lianban/testing/analytics-fixture';
import { decodeFacts, encodeFacts, FACTS_VERSION } from './case-facts';
import { MemoryFactsStore } from './memory-facts-store';
import { FactsProjector } from './projector';
import { CaseTracker, referenceVersions, type FactsVersion } from './versions';

function byCase(events: StoredEvent[]): Map<string, StoredEvent[]> {
  const m = new Map<string, StoredEvent[]>();
  for (const e of events) m.set(e.caseId, [...(m.get(e.caseId) ?? []), e]);
  return m;
}

async function stored(store: MemoryFactsStore): Promise<Map<string, FactsVersion[]>> {
  const out = new Map<string, FactsVersion[]>();
  for await (const page of store.allVersions()) for (const v of page) out.set(v.caseId, [...(out.get(v.caseId) ?? []), v]);
  return out;
}

// both fixed quarters: the second brings transfers, extensions, returns, appeals and conclusions
const events = [...quarterDataset(), ...quarter4Dataset().map((e) => ({ ...e, position: e.position + 1000 }))];

describe('case facts versions', () => {
  it('the incremental tracker yields the reference versions when events come in time order', () => {
    for (const [caseId, es] of byCase(events)) {
      const tracker = new CaseTracker(caseId);
      let versions: FactsVersion[] = [];
      for (const e of es) {
        expect(tracker.inOrder(e)).toBe(true);
        const change = tracker.apply(e);
        if (!change) continue;
        versions = versions.filter((v) => change.deleteFrom === null || v.validFrom < change.deleteFrom);
        if (versions.length) versions[versions.length - 1].validTo = change.insert[0]?.validFrom ?? null;
        change.insert.forEach((v, i) => versions.push({ caseId, validFrom: v.validFrom, validTo: change.insert[i + 1]?.validFrom ?? null, facts: v.facts }));
      }
      expect(versions).toEqual(referenceVersions(caseId, es));
    }
  });

  it('dates each version at the moment of the event that made it, and ignores events that change no fact', () => {
    const a = referenceVersions(ID.A, events.filter((e) => e.caseId === ID.A));
    // registration, classification (no fact changes: not a version), assignment, two acceptances,
    // the opinion, the reply with the case answered at the same moment (one version), the rating
    expect(a.map((v) => v.validFrom)).toEqual([
      cn('2025-01-06 09:00'), cn('2025-01-07 10:00'), cn('2025-01-08 09:00'), cn('2025-01-25 09:00'),
      cn('2025-02-10 09:00'), cn('2025-02-20 09:00'), cn('2025-02-25 09:00'),
    ]);
    expect(a[5].facts).toMatchObject({ answeredAt: cn('2025-02-20 09:00'), leadAgencyId: '500112-rsj' });
    expect(a[5].validTo).toBe(cn('2025-02-25 09:00'));
    expect(a[6].validTo).toBeNull();
  });

  it('the stored form of facts decodes to the same facts, keys in the same order, and spells no key name', () => {
    let versions = 0;
    for (const [caseId, es] of byCase(events)) {
      for (const v of referenceVersions(caseId, es)) {
        const stored = encodeFacts(v.facts);
        expect(JSON.stringify(decodeFacts(stored))).toBe(JSON.stringify(v.facts));
        expect(stored).not.toMatch(/"(caseId|tasks|agencyId|handleDue|dueAt|decisionDue|at)":/);
        versions += 1;
      }
    }
    // the fixture's versions have every kind of part: tasks ended each way, extensions, appeals with hearings
    const last = [...byCase(events).keys()].map((id) => referenceVersions(id, byCase(events).get(id)!).at(-1)!.facts);
    expect(new Set(last.flatMap((f) => f.tasks.map((t) => t.ended)))).toEqual(new Set([null, 'released', 'returned', 'transferred']));
    expect(last.some((f) => f.extensions.length > 0 && f.tasks.some((t) => t.handleDue.length > 1))).toBe(true);
    expect(last.some((f) => f.appeals.some((a) => a.decisionDue.length > 1 && a.decidedAt))).toBe(true);
    expect(versions).toBeGreaterThan(50);
  });

  it('a full projection run equals the reference, whatever the page size and however few cases stay in memory', async () => {
    for (const [pageSize, maxCases] of [[1000, 100], [1, 1], [3, 2], [7, 100]]) {
      const store = new MemoryFactsStore();
      const p = new FactsProjector(arrayStore(events), store, { pageSize, maxCases });
      await p.ensureVersion();
      expect(await p.catchUp()).toBe(events.length);
      const got = await stored(store);
      for (const [caseId, es] of byCase(events)) expect(got.get(caseId)).toEqual(referenceVersions(caseId, es));
      expect((await store.meta()).checkpoint).toBe(events[events.length - 1].position);
    }
  });

  it('events of a case stored out of time order give the same versions as in order (property)', async () => {
    const all = events;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { minLength: all.length, maxLength: all.length }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 8 }),
        async (keys, pageSize, maxCases) => {
          // a random store order: positions no longer follow time
          const order = all.map((e, i) => ({ e, k: keys[i] })).sort((x, y) => x.k - y.k || x.e.position - y.e.position);
          const shuffled = order.map(({ e }, i) => ({ ...e, position: i + 1 }));
          const store = new MemoryFactsStore();
          const p = new FactsProjector(arrayStore(shuffled), store, { pageSize, maxCases });
          await p.ensureVersion();
          await p.catchUp();
          const got = await stored(store);
          for (const [caseId, es] of byCase(shuffled)) {
            expect(got.get(caseId)).toEqual(referenceVersions(caseId, es));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is idempotent by position: a page already applied changes nothing', async () => {
    const store = new MemoryFactsStore();
    const p = new FactsProjector(arrayStore(events), store);
    await p.ensureVersion();
    await p.catchUp();
    const before = await stored(store);
    // a second follower that starts from 0 on the same store: its commits are refused, nothing moves
    const late = new FactsProjector(arrayStore(events), store);
    expect(await late.catchUp()).toBe(0);
    expect(await store.commit([{ caseId: ID.A, deleteFrom: '', insert: [] }], 3)).toBe(false);
    expect(await stored(store)).toEqual(before);
  });

  it('follows new events after a restart (trackers re-read from the store) exactly as a fresh run', async () => {
    const cut = Math.floor(events.length / 2);
    const store = new MemoryFactsStore();
    await new FactsProjector(arrayStore(events.slice(0, cut)), store).ensureVersion();
    await new FactsProjector(arrayStore(events.slice(0, cut)), store).catchUp();
    // a new process: nothing in memory, the rest of the events arrive
    expect(await new FactsProjector(arrayStore(events), store, { maxCases: 2 }).catchUp()).toBe(events.length - cut);
    const fresh = new MemoryFactsStore();
    const p = new FactsProjector(arrayStore(events), fresh);
    await p.ensureVersion();
    await p.catchUp();
    expect(await stored(store)).toEqual(await stored(fresh));
  });

  it('rebuilds when the stored rows come from another derivation', async () => {
    const store = new MemoryFactsStore();
    await store.reset('case-facts/0');
    const p = new FactsProjector(arrayStore(events), store);
    expect(await p.ensureVersion()).toBe(true);
    expect((await store.meta()).version).toBe(FACTS_VERSION);
    expect(await p.ensureVersion()).toBe(false);
  });
});
