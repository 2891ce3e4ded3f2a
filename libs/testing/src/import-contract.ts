/**
 * The contract of `Importable` (libs/eventstore/src/import.ts): what scripts/migrate-store relies
 * on when it copies a store into another. Call it from an adapter's *.int-spec.ts.
 *
 * Like the EventStore contract it never assumes an empty store: it measures from the head it
 * finds and uses fresh stream, case and checkpoint ids, so it also runs on a shared server.
 */
import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@lianban/contracts';
import {
  EventRejectedError,
  StreamConflictError,
  isImportable,
  type EventStore,
  type Importable,
} from '@lianban/eventstore';
import type { EventStoreUnderTest } from './eventstore-contract';

export interface ImportContractOptions {
  /** sqlite and postgres keep the source's positions; EventStoreDB assigns its own */
  preservesPositions: boolean;
  /** one import call is all-or-nothing (sqlite, postgres); EventStoreDB is atomic per stream run */
  atomic: boolean;
  testTimeoutMs?: number;
}

/** Events as another store would have stored them, positions from `firstPosition` on. */
function sourceEvents(
  firstPosition: number,
  layout: Array<{ streamId: string; caseId: string }>,
  revisionStart: Record<string, number> = {},
): StoredEvent[] {
  const next: Record<string, number> = { ...revisionStart };
  return layout.map(({ streamId, caseId }, i) => {
    const revision = next[streamId] ?? 0;
    next[streamId] = revision + 1;
    return {
      id: randomUUID(),
      type: 'lianban.import.copied.v1',
      caseId,
      causationId: i === 0 ? null : `cause-${i}`,
      region: i % 2 === 0 ? 'cq' : 'sc',
      agencyId: i % 3 === 0 ? null : '500112-rsj',
      actor: { id: `用户-${i}`, role: 'caseworker' },
      occurredAt: `2021-05-0${(i % 9) + 1}T02:12:00.000Z`,
      hlc: `0001620094320000-${String(i).padStart(4, '0')}-node`,
      data: { n: i, text: '欠薪 🧾 «quoted»', nested: { z: 1, a: [1, 'two', null] } },
      streamId,
      revision,
      position: firstPosition + i * 3,
      // years before any append of this test run: a re-stamped recordedAt cannot pass for it
      recordedAt: `2021-05-04T02:12:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`,
    };
  });
}

function withoutPosition(e: StoredEvent): Omit<StoredEvent, 'position'> {
  const { position: _position, ...rest } = e;
  return { ...rest, agencyId: rest.agencyId ?? null };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('the import succeeded; a refusal was expected');
    },
    (e: unknown) => e,
  );
}

export function runImportContract(
  name: string,
  open: () => Promise<EventStoreUnderTest>,
  options: ImportContractOptions,
): void {
  describe(`Importable contract: ${name}`, () => {
    jest.setTimeout(options.testTimeoutMs ?? 60_000);
    let subject: EventStoreUnderTest;
    let store: EventStore & Importable;

    beforeEach(async () => {
      subject = await open();
      if (!isImportable(subject.store)) throw new Error(`${name} does not implement Importable`);
      store = subject.store;
    });

    afterEach(async () => {
      await subject?.cleanup();
    });

    /** our events of the store, in its global order, after `head` */
    async function ours(head: number, streams: string[]): Promise<StoredEvent[]> {
      const all: StoredEvent[] = [];
      let after = head;
      for (;;) {
        const page = await store.readAll({ after, limit: 500 });
        if (page.length === 0) return all.filter((e) => streams.includes(e.streamId));
        all.push(...page);
        after = page[page.length - 1].position;
      }
    }

    it('copies ids, streams, revisions, metadata, data and recordedAt, in the order given', async () => {
      const head = await store.headPosition();
      const a = `import-a-${randomUUID()}`;
      const b = `import-b-${randomUUID()}`;
      const caseId = `case-${randomUUID()}`;
      const events = sourceEvents(head + 10, [
        { streamId: a, caseId }, { streamId: b, caseId }, { streamId: a, caseId },
        { streamId: b, caseId: `case-${randomUUID()}` }, { streamId: a, caseId },
      ]);
      expect(await store.importEvents(events)).toEqual({ imported: 5, skipped: 0 });

      const copied = await ours(head, [a, b]);
      expect(copied.map(withoutPosition)).toEqual(events.map(withoutPosition));
      const positions = copied.map((e) => e.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(new Set(positions).size).toBe(positions.length);
      if (options.preservesPositions) expect(positions).toEqual(events.map((e) => e.position));
      expect((await store.readStream(a)).map(withoutPosition)).toEqual([events[0], events[2], events[4]].map(withoutPosition));
      expect((await store.readByCase(caseId)).map((e) => e.id)).toEqual([events[0], events[1], events[2], events[4]].map((e) => e.id));
      expect(await store.countEvents({ after: head })).toBeGreaterThanOrEqual(5);
      if (options.preservesPositions) {
        expect(await store.countEvents({ after: events[0].position, until: events[3].position })).toBe(3);
      }
    });

    it('lets an ordinary append continue an imported stream at the next revision and a later position', async () => {
      const head = await store.headPosition();
      const a = `import-${randomUUID()}`;
      const events = sourceEvents(head + 5, [{ streamId: a, caseId: 'c' }, { streamId: a, caseId: 'c' }]);
      await store.importEvents(events);
      const [, last] = await store.readStream(a);
      const appended = await store.append(a, [{ ...events[0], id: randomUUID() }], 1);
      expect(appended.nextExpectedRevision).toBe(2);
      expect(appended.lastPosition).toBeGreaterThan(last.position);
      const stream = await store.readStream(a);
      expect(stream.map((e) => e.revision)).toEqual([0, 1, 2]);
      // the store stamps its own appends; only imports carry a recordedAt from elsewhere
      expect(Date.parse(stream[2].recordedAt)).toBeGreaterThan(Date.parse('2024-01-01T00:00:00Z'));
      await expect(store.append(a, [{ ...events[0], id: randomUUID() }], 1)).rejects.toBeInstanceOf(StreamConflictError);
    });

    it('skips what a resumed copy sends again and writes only the rest, never twice', async () => {
      const head = await store.headPosition();
      const a = `import-${randomUUID()}`;
      const b = `import-${randomUUID()}`;
      const events = sourceEvents(head + 1, [
        { streamId: a, caseId: 'c' }, { streamId: b, caseId: 'c' }, { streamId: a, caseId: 'c' },
        { streamId: a, caseId: 'c' }, { streamId: b, caseId: 'c' },
      ]);
      expect(await store.importEvents(events.slice(0, 3))).toEqual({ imported: 3, skipped: 0 });
      expect(await store.importEvents(events.slice(0, 3))).toEqual({ imported: 0, skipped: 3 });
      expect(await store.importEvents(events.slice(1))).toEqual({ imported: 2, skipped: 2 });
      const copied = await ours(head, [a, b]);
      expect(copied.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect((await store.readStream(a)).map((e) => e.revision)).toEqual([0, 1, 2]);
    });

    it('refuses an event that does not continue its stream, and an id stored at another revision', async () => {
      const head = await store.headPosition();
      const a = `import-${randomUUID()}`;
      const gap = sourceEvents(head + 1, [{ streamId: a, caseId: 'c' }], { [a]: 3 });
      const error = await rejection(store.importEvents(gap));
      expect(error).toBeInstanceOf(StreamConflictError);
      expect((error as StreamConflictError).streamId).toBe(a);
      expect(await store.readStream(a)).toEqual([]);

      const [first, second] = sourceEvents(head + 1, [{ streamId: a, caseId: 'c' }, { streamId: a, caseId: 'c' }]);
      await store.importEvents([first]);
      // the same id as the next revision: another store's history, not a resumed copy of this one
      const moved = await rejection(store.importEvents([{ ...second, id: first.id }]));
      expect(moved).toBeInstanceOf(StreamConflictError);
      expect((moved as Error).message).toContain(first.id);
      expect((await store.readStream(a)).map((e) => e.id)).toEqual([first.id]);
    });

    it('refuses invalid events and events out of global order before writing anything', async () => {
      const head = await store.headPosition();
      const a = `import-${randomUUID()}`;
      const [e0, e1] = sourceEvents(head + 1, [{ streamId: a, caseId: 'c' }, { streamId: a, caseId: 'c' }]);
      expect(await rejection(store.importEvents([e0, { ...e1, position: e0.position }]))).toBeInstanceOf(EventRejectedError);
      expect(await rejection(store.importEvents([e0, { ...e1, id: 'not-a-uuid' }]))).toBeInstanceOf(EventRejectedError);
      expect(await rejection(store.importEvents([e0, { ...e1, recordedAt: 'yesterday' }]))).toBeInstanceOf(EventRejectedError);
      expect(await rejection(store.importEvents([{ ...e0, streamId: '$system' }]))).toBeInstanceOf(EventRejectedError);
      expect(await store.readStream(a)).toEqual([]);
    });

    it('saves the checkpoint given with a batch, and lists every checkpoint', async () => {
      const head = await store.headPosition();
      const id = `import-checkpoint-${randomUUID()}`;
      const other = `import-other-${randomUUID()}`;
      const events = sourceEvents(head + 1, [{ streamId: `import-${randomUUID()}`, caseId: 'c' }]);
      await store.saveCheckpoint(other, 7);
      await store.importEvents(events, { checkpoint: { id, position: 4242 } });
      expect(await store.loadCheckpoint(id)).toBe(4242);
      const listed = await store.listCheckpoints();
      expect(listed).toEqual(expect.arrayContaining([{ id, position: 4242 }, { id: other, position: 7 }]));
      // a batch that is only a checkpoint (everything already copied) still moves it
      await store.importEvents(events, { checkpoint: { id, position: 4243 } });
      expect(await store.loadCheckpoint(id)).toBe(4243);
    });

    if (options.atomic) {
      it('stores nothing of a batch that is refused half-way, checkpoint included', async () => {
        const head = await store.headPosition();
        const a = `import-${randomUUID()}`;
        const b = `import-${randomUUID()}`;
        const id = `import-checkpoint-${randomUUID()}`;
        const [ok] = sourceEvents(head + 1, [{ streamId: a, caseId: 'c' }]);
        const [bad] = sourceEvents(head + 2, [{ streamId: b, caseId: 'c' }], { [b]: 5 });
        expect(await rejection(store.importEvents([ok, bad], { checkpoint: { id, position: 99 } }))).toBeInstanceOf(StreamConflictError);
        expect(await store.readStream(a)).toEqual([]);
        expect(await store.loadCheckpoint(id)).toBe(0);
      });
    }

    if (options.preservesPositions) {
      it('refuses positions at or below its head, which would reorder history', async () => {
        const head = await store.headPosition();
        const a = `import-${randomUUID()}`;
        await store.importEvents(sourceEvents(head + 100, [{ streamId: a, caseId: 'c' }]));
        const below = sourceEvents(head + 50, [{ streamId: `import-${randomUUID()}`, caseId: 'c' }]);
        expect(await rejection(store.importEvents(below))).toBeInstanceOf(EventRejectedError);
        // and the next append goes after the imported position
        const appended = await store.append(a, [{ ...below[0], id: randomUUID() }], 0);
        expect(appended.lastPosition).toBeGreaterThan(head + 100);
      });
    }
  });
}
