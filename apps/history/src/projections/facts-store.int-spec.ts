import * as path from 'node:path';
import { SqliteEventStore } from '@lianban/eventstore';
import { cn, FIXTURE_CASE_IDS as ID, quarter4Dataset, quarterDataset, registeredFacts, writeToStore } from '@lianban/testing/analytics-fixture';
import { tempDataDir } from '@lianban/testing/standalone';
import type { FactsStore } from './facts-store';
import { MemoryFactsStore } from './memory-facts-store';
import { FactsProjector } from './projector';
import { SqliteFactsStore } from './sqlite-facts-store';
import type { FactsVersion } from './versions';

const facts = (caseId: string, n: number) => registeredFacts(caseId, `N-${n}`);

async function all(store: FactsStore): Promise<FactsVersion[]> {
  const out: FactsVersion[] = [];
  for await (const page of store.allVersions()) out.push(...page);
  return out;
}

/** The projection store port: every adapter keeps versions and its checkpoint the same way. */
describe.each([
  ['memory', () => new MemoryFactsStore()],
  ['sqlite', () => new SqliteFactsStore(path.join(tempDataDir('lianban-facts-'), 'projections.sqlite'))],
])('FactsStore contract: %s', (_kind, open: () => FactsStore) => {
  let store: FactsStore;
  beforeEach(async () => {
    store = open();
    await store.reset('test/1');
  });
  afterEach(() => store.close());

  it('chains versions: each one closes the one before; a version is valid from its moment until the next', async () => {
    expect(await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [{ validFrom: '2025-01-01T00:00:00.000Z', facts: facts('c1', 1) }] }], 1)).toBe(true);
    expect(await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [{ validFrom: '2025-02-01T00:00:00.000Z', facts: facts('c1', 2) }] }], 2)).toBe(true);
    expect((await store.versions('c1')).map((v) => [v.validFrom, v.validTo, v.facts.caseNumber])).toEqual([
      ['2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z', 'N-1'],
      ['2025-02-01T00:00:00.000Z', null, 'N-2'],
    ]);
    expect((await store.factsAt('2024-12-31T23:59:59.999Z')).length).toBe(0);
    expect((await store.factsAt('2025-01-01T00:00:00.000Z')).map((f) => f.caseNumber)).toEqual(['N-1']);
    expect((await store.factsAt('2025-01-31T23:59:59.999Z')).map((f) => f.caseNumber)).toEqual(['N-1']);
    expect((await store.factsAt('2025-02-01T00:00:00.000Z')).map((f) => f.caseNumber)).toEqual(['N-2']);
    expect((await store.factsAt(null)).map((f) => f.caseNumber)).toEqual(['N-2']);
    expect((await store.meta()).checkpoint).toBe(2);
  });

  it('replaces from a moment on: later versions go, the one left last is reopened or closed by the new one', async () => {
    await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [
      { validFrom: '2025-01-01T00:00:00.000Z', facts: facts('c1', 1) },
      { validFrom: '2025-02-01T00:00:00.000Z', facts: facts('c1', 2) },
      { validFrom: '2025-03-01T00:00:00.000Z', facts: facts('c1', 3) },
    ] }], 1);
    await store.commit([{ caseId: 'c1', deleteFrom: '2025-02-01T00:00:00.000Z', insert: [] }], 2);
    expect((await store.versions('c1')).map((v) => [v.validFrom, v.validTo])).toEqual([['2025-01-01T00:00:00.000Z', null]]);
    await store.commit([{ caseId: 'c1', deleteFrom: '', insert: [{ validFrom: '2025-01-15T00:00:00.000Z', facts: facts('c1', 4) }] }], 3);
    expect((await store.versions('c1')).map((v) => [v.validFrom, v.validTo, v.facts.caseNumber])).toEqual([['2025-01-15T00:00:00.000Z', null, 'N-4']]);
  });

  it('is idempotent by position: a commit at or before the checkpoint changes nothing', async () => {
    await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [{ validFrom: '2025-01-01T00:00:00.000Z', facts: facts('c1', 1) }] }], 5);
    expect(await store.commit([{ caseId: 'c2', deleteFrom: null, insert: [{ validFrom: '2025-01-01T00:00:00.000Z', facts: facts('c2', 1) }] }], 5)).toBe(false);
    expect(await store.commit([{ caseId: 'c2', deleteFrom: null, insert: [{ validFrom: '2025-01-01T00:00:00.000Z', facts: facts('c2', 1) }] }], 4)).toBe(false);
    expect((await all(store)).map((v) => v.caseId)).toEqual(['c1']);
    expect((await store.meta()).checkpoint).toBe(5);
  });

  it('lists every version by case, and a reset empties it under a new generation', async () => {
    for (let i = 0; i < 1200; i++) {
      await store.commit([{ caseId: `case-${String(i).padStart(4, '0')}`, deleteFrom: null, insert: [{ validFrom: '2025-01-01T00:00:00.000Z', facts: facts(`c${i}`, i) }] }], i + 1);
    }
    const listed = await all(store);
    expect(listed).toHaveLength(1200);
    expect(listed.map((v) => v.caseId)).toEqual([...listed.map((v) => v.caseId)].sort());
    const { generation } = await store.meta();
    await store.reset('test/2');
    expect(await store.meta()).toEqual({ checkpoint: 0, version: 'test/2', generation: generation + 1 });
    expect(await all(store)).toEqual([]);
  });

  it('replaces one case wholesale, leaving the checkpoint alone', async () => {
    await store.commit([{ caseId: 'c1', deleteFrom: null, insert: [{ validFrom: '2025-01-01T00:00:00.000Z', facts: facts('c1', 1) }] }], 7);
    await store.replaceCase('c1', [{ caseId: 'c1', validFrom: '2025-03-01T00:00:00.000Z', validTo: null, facts: facts('c1', 9) }]);
    expect((await store.versions('c1')).map((v) => v.facts.caseNumber)).toEqual(['N-9']);
    expect((await store.meta()).checkpoint).toBe(7);
  });
});

describe('the SQLite projection store shared by a running service and a replay', () => {
  it('a follower keeps following correctly after a replay in another process rebuilt the file', async () => {
    const dir = tempDataDir('lianban-facts-');
    const events = SqliteEventStore.open(path.join(dir, 'events.sqlite'));
    const q1 = quarterDataset();
    await writeToStore(events, q1);
    const file = path.join(dir, 'projections.sqlite');
    // the service's follower, and a replay on its own connection (another process in real life)
    const service = new FactsProjector(events, new SqliteFactsStore(file));
    await service.ensureVersion();
    await service.catchUp();
    const replayStore = new SqliteFactsStore(file);
    const replay = new FactsProjector(events, replayStore);
    await replayStore.inOneTransaction(async () => {
      await replay.reset();
      await replay.catchUp();
    });
    // new events after the rebuild: the follower sees the new generation and re-reads what it needs
    await writeToStore(events, quarter4Dataset());
    expect(await service.catchUp()).toBe(quarter4Dataset().length);

    const fresh = new MemoryFactsStore();
    const check = new FactsProjector(events, fresh);
    await check.reset();
    await check.catchUp();
    expect(await all(service.store)).toEqual(await all(fresh));
    expect((await service.store.versions(ID.H)).at(-1)!.facts.tasks.map((t) => t.agencyId)).toEqual(['500112-rsj', '500109-rsj']);
    expect((await service.store.factsAt(cn('2025-11-15 00:00'))).find((f) => f.caseId === ID.H)!.extensions).toEqual([]);
    await service.store.close();
    await replayStore.close();
    await events.close();
  });
});
