/**
 * The contract every EventStore adapter passes (DESIGN 8). It registers jest tests; call it
 * from an adapter's *.int-spec.ts with a function that opens a store.
 *
 * The tests never assume the store is empty: each works on its own fresh stream ids, case ids
 * and subscriber ids, and measures from the head position it found, so the suite also runs
 * against a shared server (EventStoreDB) that already holds data.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent, StoredEvent } from '@lianban/contracts';
import {
  CaseConflictError,
  EventRejectedError,
  MAX_EVENT_BYTES,
  StreamConflictError,
  readAllLean,
  readAllStream,
  type EventStore,
  type ExpectedRevision,
  type LeanEvent,
} from '@lianban/eventstore';

export interface EventStoreUnderTest {
  store: EventStore;
  /**
   * Opens another instance on the same storage (same file, database or server) — used to
   * restart a store and to write through a second connection. The suite closes what it opens
   * only when it needs to; `cleanup` must close every instance still open.
   */
  reopen?: () => Promise<EventStore>;
  cleanup: () => Promise<void>;
}

export interface EventStoreContractOptions {
  /**
   * Whether an event id already stored in ANOTHER stream is refused. True for the SQL adapters;
   * EventStoreDB only refuses an id already in the same stream.
   */
  uniqueEventIdsAcrossStreams?: boolean;
  /** jest timeout of each test; default 60 000 ms */
  testTimeoutMs?: number;
  /** false for an adapter that documents it cannot make an append conditional on the case head (EventStoreDB) */
  caseHeadEnforced?: boolean;
}

const WAIT_MS = 20_000;

function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'lianban.contract.happened.v1',
    caseId: `case-${randomUUID()}`,
    causationId: null,
    region: 'cq',
    agencyId: null,
    actor: { id: 'user-1', role: 'clerk' },
    occurredAt: new Date().toISOString(),
    hlc: `${Date.now().toString().padStart(15, '0')}-0000-node`,
    data: { n: 1 },
    ...overrides,
  };
}

function streamName(prefix = 'contract'): string {
  return `${prefix}-${randomUUID()}`;
}

/** The writer's view of a stored event, to compare with what was appended. */
function asWritten(e: StoredEvent): NewEvent {
  return {
    id: e.id,
    type: e.type,
    caseId: e.caseId,
    causationId: e.causationId,
    region: e.region,
    agencyId: e.agencyId,
    actor: e.actor,
    occurredAt: e.occurredAt,
    hlc: e.hlc,
    data: e.data,
  };
}

function normalised(e: NewEvent): NewEvent {
  return { ...e, agencyId: e.agencyId ?? null };
}

function expectStrictlyIncreasing(positions: number[]): void {
  for (let i = 1; i < positions.length; i++) {
    if (!(positions[i] > positions[i - 1])) {
      throw new Error(`positions not strictly increasing at index ${i}: ${positions[i - 1]} then ${positions[i]}`);
    }
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function expectConflict(promise: Promise<unknown>, streamId: string): Promise<StreamConflictError> {
  const error = await promise.then(
    () => {
      throw new Error(`append to ${streamId} succeeded; a StreamConflictError was expected`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StreamConflictError);
  expect((error as StreamConflictError).streamId).toBe(streamId);
  return error as StreamConflictError;
}

async function expectRejected(promise: Promise<unknown>): Promise<EventRejectedError> {
  const error = await promise.then(
    () => {
      throw new Error('append succeeded; an EventRejectedError was expected');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EventRejectedError);
  return error as EventRejectedError;
}

/** Appends with the read-decide-append loop a real command handler runs, retrying conflicts. */
async function appendWithRetry(store: EventStore, streamId: string, events: () => NewEvent[]): Promise<NewEvent[]> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const current = await store.readStream(streamId);
    const expected: ExpectedRevision = current.length === 0 ? 'no-stream' : current[current.length - 1].revision;
    const batch = events();
    try {
      await store.append(streamId, batch, expected);
      return batch;
    } catch (error) {
      if (!(error instanceof StreamConflictError)) throw error;
    }
  }
  throw new Error(`could not append to ${streamId} after 200 conflicts`);
}

export function runEventStoreContract(
  name: string,
  open: () => Promise<EventStoreUnderTest>,
  options: EventStoreContractOptions = {},
): void {
  const uniqueAcrossStreams = options.uniqueEventIdsAcrossStreams ?? true;

  describe(`EventStore contract: ${name}`, () => {
    jest.setTimeout(options.testTimeoutMs ?? 60_000);
    let subject: EventStoreUnderTest;
    let store: EventStore;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });

    afterEach(async () => {
      await subject?.cleanup();
    });

    function requireReopen(): () => Promise<EventStore> {
      if (!subject.reopen) throw new Error(`the ${name} harness must provide reopen() for this test`);
      return subject.reopen;
    }

    describe('append conditional on the case head (decisions that read the whole case)', () => {
      it('refuses an append when another stream of the case moved since the decision read it, and lets exactly one of two racing deciders win', async () => {
        if (options.caseHeadEnforced === false) {
          // the adapter documents that it cannot enforce this; prove at least that it accepts the option
          const caseId = `case-${randomUUID()}`;
          await store.append(streamName('case'), [newEvent({ caseId })], 'no-stream', { caseHead: { caseId, position: 0 } });
          expect((await store.readByCase(caseId)).length).toBe(1);
          return;
        }
        const caseId = `case-${randomUUID()}`;
        const caseStream = streamName('case');
        await store.append(caseStream, [newEvent({ caseId })], 'no-stream');
        const head = (await store.readByCase(caseId)).at(-1)!.position;
        // two decisions on the same state, each appending to its own stream of the case
        const a = streamName('task');
        const b = streamName('task');
        const results = await Promise.allSettled([
          store.append(a, [newEvent({ caseId })], 'no-stream', { caseHead: { caseId, position: head } }),
          store.append(b, [newEvent({ caseId })], 'no-stream', { caseHead: { caseId, position: head } }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(refused.reason).toBeInstanceOf(CaseConflictError);
        expect(refused.reason).toBeInstanceOf(StreamConflictError);
        expect(await store.readByCase(caseId)).toHaveLength(2);
        // decided on the current head, it goes through; a case never seen has head 0
        const now = (await store.readByCase(caseId)).at(-1)!.position;
        await store.append(caseStream, [newEvent({ caseId })], 0, { caseHead: { caseId, position: now } });
        const fresh = `case-${randomUUID()}`;
        await store.append(streamName('case'), [newEvent({ caseId: fresh })], 'no-stream', { caseHead: { caseId: fresh, position: 0 } });
        await expect(store.append(streamName('case'), [newEvent({ caseId: fresh })], 'no-stream', { caseHead: { caseId: fresh, position: 0 } }))
          .rejects.toBeInstanceOf(CaseConflictError);
      });
    });

    describe('appendMany: several streams in one atomic write (where the adapter has it)', () => {
      it('writes every part or none, and checks the case head before any part is written', async () => {
        if (!store.appendMany) return;
        const caseId = `case-${randomUUID()}`;
        const caseStream = streamName('case');
        const counter = streamName('counter');
        await store.append(counter, [newEvent()], 'no-stream');
        // the second part is of the same case: the head is the case's before this write, not after its first part
        const [a, b] = await store.appendMany(
          [{ streamId: caseStream, events: [newEvent({ caseId }), newEvent({ caseId })], expected: 'no-stream' }, { streamId: counter, events: [newEvent({ caseId })], expected: 0 }],
          { caseHead: { caseId, position: 0 } },
        );
        expect(a.nextExpectedRevision).toBe(1);
        expect(b.nextExpectedRevision).toBe(1);
        expect(b.lastPosition).toBeGreaterThan(a.lastPosition);
        expect((await store.readByCase(caseId)).map((e) => e.streamId)).toEqual([caseStream, caseStream, counter]);

        // a refused part refuses the whole write, whichever part it is
        const other = `case-${randomUUID()}`;
        const otherStream = streamName('case');
        await expectConflict(store.appendMany([
          { streamId: otherStream, events: [newEvent({ caseId: other })], expected: 'no-stream' },
          { streamId: counter, events: [newEvent({ caseId: other })], expected: 0 },
        ]), counter);
        await expect(store.appendMany([
          { streamId: otherStream, events: [newEvent({ caseId: other })], expected: 'no-stream' },
          { streamId: counter, events: [newEvent({ caseId: other })], expected: 1 },
        ], { caseHead: { caseId: other, position: 5 } })).rejects.toBeInstanceOf(CaseConflictError);
        expect(await store.readByCase(other)).toEqual([]);
        expect(await store.readStream(counter)).toHaveLength(2);

        // refused alone in a group commit: the others of the same moment are written
        const results = await Promise.allSettled([1, 1, 2].map((expected, i) => store.appendMany!([
          { streamId: streamName('case'), events: [newEvent({ caseId: other })], expected: 'no-stream' },
          { streamId: counter, events: [newEvent({ caseId: other })], expected },
        ])));
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect((await store.readStream(counter)).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
        expect(await store.readByCase(other)).toHaveLength(4);
      });
    });

    describe('append and read', () => {
      it('stores every envelope field and gives it back with revision, position and recordedAt', async () => {
        const streamId = streamName();
        const caseId = `case-${randomUUID()}`;
        const events = [
          newEvent({
            caseId,
            causationId: randomUUID(),
            agencyId: '500112-rsj',
            data: { nested: { list: [1, 'two', null, true, 2.5] }, empty: {}, zero: 0 },
          }),
          newEvent({ caseId, region: 'sc', data: 'a plain string body' }),
          newEvent({ caseId, data: [{ a: 1 }, { b: [2] }] }),
        ];
        const result = await store.append(streamId, events, 'no-stream');
        expect(result.nextExpectedRevision).toBe(2);

        const read = await store.readStream(streamId);
        expect(read.map(asWritten)).toEqual(events.map(normalised));
        expect(read.map((e) => e.streamId)).toEqual([streamId, streamId, streamId]);
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
        expectStrictlyIncreasing(read.map((e) => e.position));
        expect(result.lastPosition).toBe(read[2].position);
        for (const e of read) {
          expect(Number.isSafeInteger(e.position) && e.position > 0).toBe(true);
          expect(new Date(e.recordedAt).toISOString()).toBe(e.recordedAt);
        }
      });

      it('reads an unknown stream as empty and honours fromRevision', async () => {
        expect(await store.readStream(streamName('missing'))).toEqual([]);
        const streamId = streamName();
        const events = Array.from({ length: 5 }, () => newEvent());
        await store.append(streamId, events, 'no-stream');
        const tail = await store.readStream(streamId, { fromRevision: 3 });
        expect(tail.map((e) => e.id)).toEqual([events[3].id, events[4].id]);
        expect(tail.map((e) => e.revision)).toEqual([3, 4]);
        expect(await store.readStream(streamId, { fromRevision: 5 })).toEqual([]);
      });

      it("applies 'no-stream', numeric and 'any' expectations", async () => {
        const a = streamName();
        await store.append(a, [newEvent()], 'no-stream');
        const again = await expectConflict(store.append(a, [newEvent()], 'no-stream'), a);
        expect(again.expected).toBe('no-stream');
        expect(again.actual).toBe(0);

        const b = streamName();
        const missing = await expectConflict(store.append(b, [newEvent()], 0), b);
        expect(missing.actual).toBe('no-stream');
        expect(await store.readStream(b)).toEqual([]);

        const stale = await expectConflict(store.append(a, [newEvent()], 5), a);
        expect(stale.actual).toBe(0);
        expect((await store.append(a, [newEvent(), newEvent()], 0)).nextExpectedRevision).toBe(2);
        const behind = await expectConflict(store.append(a, [newEvent()], 1), a);
        expect(behind.actual).toBe(2);

        const c = streamName();
        expect((await store.append(c, [newEvent()], 'any')).nextExpectedRevision).toBe(0);
        expect((await store.append(c, [newEvent()], 'any')).nextExpectedRevision).toBe(1);
        expect((await store.readStream(a)).length).toBe(3);
      });

      it('lets exactly one of several writers with the same expected revision win', async () => {
        for (let round = 0; round < 10; round++) {
          const streamId = streamName();
          const first = newEvent();
          await store.append(streamId, [first], 'no-stream');
          const candidates = Array.from({ length: 4 }, () => [newEvent(), newEvent()]);
          const outcomes = await Promise.allSettled(candidates.map((events) => store.append(streamId, events, 0)));
          const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
          expect(winners).toHaveLength(1);
          for (const o of outcomes) {
            if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(StreamConflictError);
          }
          const stored = await store.readStream(streamId);
          expect(stored.map((e) => e.id)).toEqual([first.id, ...candidates[winners[0]].map((e) => e.id)]);
        }
        // racing creators of a new stream
        const created = streamName();
        const creators = Array.from({ length: 4 }, () => newEvent());
        const outcomes = await Promise.allSettled(creators.map((e) => store.append(created, [e], 'no-stream')));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(created)).toHaveLength(1);
      });

      it('refuses an event id that is already stored as a conflict, never storing it twice', async () => {
        const streamId = streamName();
        const e1 = newEvent();
        await store.append(streamId, [e1], 'no-stream');
        // a retried append whose acknowledgement was lost
        await expectConflict(store.append(streamId, [e1], 'no-stream'), streamId);
        // the right revision does not make a replayed id acceptable
        await expectConflict(store.append(streamId, [e1], 0), streamId);
        const e2 = newEvent();
        await expectConflict(store.append(streamId, [e2, e1], 0), streamId);
        await expectConflict(store.append(streamId, [e1], 'any'), streamId);
        expect((await store.readStream(streamId)).map((e) => e.id)).toEqual([e1.id]);
        // e2 was not half-written by the refused append
        await store.append(streamId, [e2], 0);
        expect((await store.readStream(streamId)).map((e) => e.id)).toEqual([e1.id, e2.id]);

        if (uniqueAcrossStreams) {
          const other = streamName();
          await expectConflict(store.append(other, [e1], 'no-stream'), other);
          expect(await store.readStream(other)).toEqual([]);
        }
      });

      it('refuses malformed appends with EventRejectedError and stores nothing', async () => {
        const streamId = streamName();
        const e = newEvent();
        await expectRejected(store.append(streamId, [], 'no-stream'));
        await expectRejected(store.append(streamId, [e, { ...newEvent(), id: e.id }], 'no-stream'));
        await expectRejected(store.append(streamId, [{ ...newEvent(), id: 'not-a-uuid' }], 'no-stream'));
        await expectRejected(store.append(streamId, [{ ...newEvent(), type: '' }], 'no-stream'));
        await expectRejected(store.append(streamId, [{ ...newEvent(), data: undefined }], 'no-stream'));
        await expectRejected(store.append(streamId, [newEvent()], -1));
        await expectRejected(store.append(`$system-${randomUUID()}`, [newEvent()], 'no-stream'));
        expect(await store.readStream(streamId)).toEqual([]);
        await store.append(streamId, [e], 'no-stream');
        expect((await store.readStream(streamId)).map((x) => x.id)).toEqual([e.id]);
      });

      it('refuses an over-size event cleanly: nothing of the append is stored', async () => {
        const streamId = streamName();
        const caseId = `case-${randomUUID()}`;
        const head = await store.headPosition();
        const small = newEvent({ caseId });
        const huge = newEvent({ caseId, data: { blob: 'x'.repeat(MAX_EVENT_BYTES) } });
        await expectRejected(store.append(streamId, [small, huge], 'no-stream'));
        // the limit is on bytes, not characters: 3-byte characters under the limit in length
        const wide = newEvent({ caseId, data: { text: '汉'.repeat(Math.ceil(MAX_EVENT_BYTES / 3) + 10) } });
        await expectRejected(store.append(streamId, [wide], 'no-stream'));
        expect(await store.readStream(streamId)).toEqual([]);
        expect(await store.readByCase(caseId)).toEqual([]);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(head);
        const ours = (await store.readAll({ after: head })).filter((e) => e.caseId === caseId);
        expect(ours).toEqual([]);

        const nearLimit = newEvent({ caseId, data: { blob: 'y'.repeat(MAX_EVENT_BYTES - 4096) } });
        await store.append(streamId, [small, nearLimit], 'no-stream');
        const stored = await store.readStream(streamId);
        expect(stored.map(asWritten)).toEqual([small, nearLimit].map(normalised));
      });

      it('keeps unicode and emoji intact in every string field', async () => {
        const streamId = `案件-信访-😀-${randomUUID()}`;
        const caseId = `案-${randomUUID()}-🧧`;
        const event = newEvent({
          type: 'lianban.案件.登记了😀.v1',
          caseId,
          causationId: `原因-🙂-${randomUUID()}`,
          agencyId: '500112-人社局-👩‍💼',
          actor: { id: '用户-👨‍👩‍👧-张三', role: '登记员✍️' },
          occurredAt: '2025-03-01T08:00:00.000+08:00',
          hlc: '0001741000000000-0001-节点🕐',
          data: {
            title: '关于小区噪音的投诉 📢',
            rtl: 'مرحبا بالعالم',
            combining: 'e\u0301 n\u0303',
            zwj: '👩🏽‍🚒🏳️‍🌈',
            astral: '𠜎𠜱𠝹',
            escapes: 'quote " backslash \\ tab \t newline \n bell \u0007',
            '键🔑': { 值: ['①', '²', 'Ⅻ'] },
          },
        });
        const head = await store.headPosition();
        const subscriberId = `sub-${randomUUID()}`;
        await store.saveCheckpoint(subscriberId, head);
        await store.append(streamId, [event], 'no-stream');

        const expected = normalised(event);
        const [fromStream] = await store.readStream(streamId);
        expect(asWritten(fromStream)).toEqual(expected);
        expect(fromStream.streamId).toBe(streamId);
        expect((await store.readByCase(caseId)).map(asWritten)).toEqual([expected]);
        const fromAll = (await store.readAll({ after: head })).find((e) => e.id === event.id);
        expect(fromAll && asWritten(fromAll)).toEqual(expected);

        const delivered: StoredEvent[] = [];
        const sub = store.subscribe({
          subscriberId,
          pollIntervalMs: 20,
          handler: async (batch) => {
            delivered.push(...batch);
          },
        });
        try {
          await waitFor(() => delivered.some((e) => e.id === event.id), 'the unicode event to be delivered');
        } finally {
          await sub.stop();
        }
        const got = delivered.find((e) => e.id === event.id)!;
        expect(asWritten(got)).toEqual(expected);
        expect(got.streamId).toBe(streamId);
      });

      it('holds a 10,000-event stream', async () => {
        const streamId = streamName('long');
        const ids: string[] = [];
        let expected: ExpectedRevision = 'no-stream';
        for (let chunk = 0; chunk < 10; chunk++) {
          const events = Array.from({ length: 1000 }, (_, i) => newEvent({ data: { i: chunk * 1000 + i } }));
          ids.push(...events.map((e) => e.id));
          const result: { nextExpectedRevision: number } = await store.append(streamId, events, expected);
          expected = result.nextExpectedRevision;
        }
        expect(expected).toBe(9_999);
        const all = await store.readStream(streamId);
        expect(all).toHaveLength(10_000);
        expect(all.map((e) => e.id)).toEqual(ids);
        expect(all.every((e, i) => e.revision === i && (e.data as { i: number }).i === i)).toBe(true);
        expectStrictlyIncreasing(all.map((e) => e.position));
        const tail = await store.readStream(streamId, { fromRevision: 9_990 });
        expect(tail.map((e) => e.revision)).toEqual(Array.from({ length: 10 }, (_, i) => 9_990 + i));
        await expectConflict(store.append(streamId, [newEvent()], 9_998), streamId);
        expect((await store.append(streamId, [newEvent()], 9_999)).nextExpectedRevision).toBe(10_000);
      });
    });

    describe('global order', () => {
      it('gives strictly increasing positions in revision order, and headPosition follows', async () => {
        const head = await store.headPosition();
        const streams = [streamName(), streamName(), streamName()];
        const results: Array<{ streamId: string; ids: string[]; lastPosition: number }> = [];
        for (let i = 0; i < 6; i++) {
          const streamId = streams[i % 3];
          const events = [newEvent(), newEvent()];
          const current = await store.readStream(streamId);
          const r = await store.append(streamId, events, current.length ? current.length - 1 : 'no-stream');
          results.push({ streamId, ids: events.map((e) => e.id), lastPosition: r.lastPosition });
        }
        const concurrent = await Promise.all(
          Array.from({ length: 6 }, async () => {
            const streamId = streamName();
            const events = [newEvent(), newEvent(), newEvent()];
            const r = await store.append(streamId, events, 'no-stream');
            return { streamId, ids: events.map((e) => e.id), lastPosition: r.lastPosition };
          }),
        );
        results.push(...concurrent);

        const ourIds = new Set(results.flatMap((r) => r.ids));
        const after = (await store.readAll({ after: head, limit: 10_000 })).filter((e) => ourIds.has(e.id));
        expect(after).toHaveLength(ourIds.size);
        expectStrictlyIncreasing(after.map((e) => e.position));
        for (const r of results) {
          const mine = after.filter((e) => e.streamId === r.streamId && r.ids.includes(e.id));
          expect(mine.map((e) => e.id)).toEqual(r.ids);
          expectStrictlyIncreasing(mine.map((e) => e.revision));
          expect(mine[mine.length - 1].position).toBe(r.lastPosition);
        }
        const maxOurs = Math.max(...results.map((r) => r.lastPosition));
        expect(await store.headPosition()).toBeGreaterThanOrEqual(maxOurs);
        expect(maxOurs).toBeGreaterThan(head);
      });

      it('pages through readAll in global order', async () => {
        const head = await store.headPosition();
        const streams = [streamName(), streamName(), streamName()];
        const appended: string[] = [];
        for (let i = 0; i < 10; i++) {
          const streamId = streams[i % 3];
          const events = Array.from({ length: (i % 3) + 1 }, () => newEvent());
          await store.append(streamId, events, 'any');
          appended.push(...events.map((e) => e.id));
        }
        const ours = new Set(appended);
        const paged: StoredEvent[] = [];
        let after = head;
        for (;;) {
          const page = await store.readAll({ after, limit: 7 });
          expect(page.length).toBeLessThanOrEqual(7);
          if (page.length === 0) break;
          expect(page[0].position).toBeGreaterThan(after);
          paged.push(...page);
          after = page[page.length - 1].position;
        }
        expectStrictlyIncreasing(paged.map((e) => e.position));
        expect(paged.filter((e) => ours.has(e.id)).map((e) => e.id)).toEqual(appended);

        const streamed: StoredEvent[] = [];
        for await (const e of readAllStream(store, { after: head, pageSize: 4 })) streamed.push(e);
        expect(streamed.filter((e) => ours.has(e.id)).map((e) => e.id)).toEqual(appended);
        expectStrictlyIncreasing(streamed.map((e) => e.position));

        const cut = paged.find((e) => e.id === appended[5])!.position;
        const bounded: string[] = [];
        for await (const e of readAllStream(store, { after: head, until: cut, pageSize: 3 })) bounded.push(e.id);
        expect(bounded.filter((id) => ours.has(id))).toEqual(appended.slice(0, 6));
      });

      it('answers readAllLean (the store\'s own, or readAll\'s) with readAll\'s events, in the lean fields', async () => {
        const head = await store.headPosition();
        const streamId = streamName();
        await store.append(streamId, Array.from({ length: 12 }, (_, i) => newEvent({ agencyId: i % 2 ? 'a-1' : null, data: { i } })), 'no-stream');
        const lean = ({ position, type, caseId, region, agencyId, occurredAt, data }: LeanEvent) => ({ position, type, caseId, region, agencyId, occurredAt, data });
        for (const [after, limit] of [[head, 5], [head + 3, 20], [head, 1000]]) {
          const want = (await store.readAll({ after, limit })).map(lean);
          expect((await readAllLean(store, { after, limit })).map(lean)).toEqual(want);
        }
      });

      it('returns at most 1000 events from readAll by default', async () => {
        const head = await store.headPosition();
        const streamId = streamName();
        await store.append(streamId, Array.from({ length: 600 }, () => newEvent()), 'no-stream');
        await store.append(streamId, Array.from({ length: 600 }, () => newEvent()), 599);
        const page = await store.readAll({ after: head });
        expect(page).toHaveLength(1000);
        expectStrictlyIncreasing(page.map((e) => e.position));
        expect(page[0].position).toBeGreaterThan(head);
      });

      it('reads every event of a case across several streams, in global order', async () => {
        const caseA = `case-${randomUUID()}`;
        const caseB = `case-${randomUUID()}`;
        const streams = [`case-${caseA}`, `task-${caseA}-500112-rsj`, `task-${caseA}-500112-gaj`];
        const ofA: string[] = [];
        for (let i = 0; i < 9; i++) {
          const a = newEvent({ caseId: caseA });
          const b = newEvent({ caseId: caseB });
          // one stream also carries another case's event, which must not leak in
          await store.append(streams[i % 3], i % 3 === 1 ? [a, b] : [a], 'any');
          ofA.push(a.id);
        }
        await store.append(streamName(), [newEvent({ caseId: caseB })], 'no-stream');
        const read = await store.readByCase(caseA);
        expect(read.map((e) => e.id)).toEqual(ofA);
        expect(new Set(read.map((e) => e.streamId))).toEqual(new Set(streams));
        expectStrictlyIncreasing(read.map((e) => e.position));
        expect(read.every((e) => e.caseId === caseA)).toBe(true);
        expect(await store.readByCase(`case-${randomUUID()}`)).toEqual([]);
      });
    });

    describe('checkpoints and subscriptions', () => {
      it('stores checkpoints durably', async () => {
        const id = `relay-${randomUUID()}`;
        expect(await store.loadCheckpoint(id)).toBe(0);
        await store.saveCheckpoint(id, 42);
        expect(await store.loadCheckpoint(id)).toBe(42);
        await store.saveCheckpoint(id, 7);
        expect(await store.loadCheckpoint(id)).toBe(7);
        await store.close();
        const reopened = await requireReopen()();
        expect(await reopened.loadCheckpoint(id)).toBe(7);
      });

      it('delivers stored then live events in global order and saves the checkpoint after the handler', async () => {
        const head = await store.headPosition();
        const subscriberId = `sub-${randomUUID()}`;
        await store.saveCheckpoint(subscriberId, head);
        const caseId = `case-${randomUUID()}`;
        const before = Array.from({ length: 5 }, () => newEvent({ caseId }));
        await store.append(streamName(), before.slice(0, 2), 'no-stream');
        await store.append(streamName(), before.slice(2), 'no-stream');

        const delivered: StoredEvent[] = [];
        let largestBatch = 0;
        const sub = store.subscribe({
          subscriberId,
          batchSize: 3,
          pollIntervalMs: 20,
          handler: async (batch) => {
            largestBatch = Math.max(largestBatch, batch.length);
            delivered.push(...batch);
          },
        });
        try {
          const ours = () => delivered.filter((e) => e.caseId === caseId);
          await waitFor(() => ours().length === 5, 'the stored events');
          const live = Array.from({ length: 4 }, () => newEvent({ caseId }));
          await store.append(streamName(), live.slice(0, 1), 'no-stream');
          await store.append(streamName(), live.slice(1), 'no-stream');
          await waitFor(() => ours().length === 9, 'the live events');
          expect(ours().map((e) => e.id)).toEqual([...before, ...live].map((e) => e.id));
          expectStrictlyIncreasing(delivered.map((e) => e.position));
          expect(delivered.every((e) => e.position > head)).toBe(true);
          expect(largestBatch).toBeLessThanOrEqual(3);
          const last = ours()[8].position;
          await waitFor(async () => (await store.loadCheckpoint(subscriberId)) >= last, 'the checkpoint');
        } finally {
          await sub.stop();
        }
      });

      it('resumes after a restart from the stored checkpoint and delivers nothing twice', async () => {
        const reopen = requireReopen();
        const head = await store.headPosition();
        const subscriberId = `sub-${randomUUID()}`;
        await store.saveCheckpoint(subscriberId, head);
        const caseId = `case-${randomUUID()}`;
        const seen = new Map<string, number>();
        const record = async (batch: StoredEvent[]) => {
          for (const e of batch) if (e.caseId === caseId) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
        };

        const first = Array.from({ length: 4 }, () => newEvent({ caseId }));
        await store.append(streamName(), first, 'no-stream');
        const sub1 = store.subscribe({ subscriberId, pollIntervalMs: 20, handler: record });
        await waitFor(() => first.every((e) => seen.has(e.id)), 'the first events');
        await sub1.stop();
        const lastFirst = (await store.readByCase(caseId)).at(-1)!.position;
        expect(await store.loadCheckpoint(subscriberId)).toBeGreaterThanOrEqual(lastFirst);

        // written while no subscriber runs, then the process "restarts"
        const whileDown = Array.from({ length: 3 }, () => newEvent({ caseId }));
        await store.append(streamName(), whileDown, 'no-stream');
        await store.close();

        const restarted = await reopen();
        const afterRestart = Array.from({ length: 3 }, () => newEvent({ caseId }));
        await restarted.append(streamName(), afterRestart, 'no-stream');
        const seenBeforeRestart = new Map(seen);
        const sub2 = restarted.subscribe({ subscriberId, pollIntervalMs: 20, handler: record });
        try {
          await waitFor(
            () => [...whileDown, ...afterRestart].every((e) => seen.has(e.id)),
            'the events written around the restart',
          );
        } finally {
          await sub2.stop();
        }
        for (const e of first) expect(seen.get(e.id)).toBe(seenBeforeRestart.get(e.id));
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
        expect(seen.size).toBe(10);
      });

      it('redelivers a batch whose handler failed and does not move the checkpoint past it', async () => {
        const head = await store.headPosition();
        const subscriberId = `sub-${randomUUID()}`;
        await store.saveCheckpoint(subscriberId, head);
        const caseId = `case-${randomUUID()}`;
        const events = Array.from({ length: 3 }, () => newEvent({ caseId }));
        await store.append(streamName(), events, 'no-stream');

        const calls: Array<{ ids: string[]; ok: boolean }> = [];
        let failuresLeft = 2;
        let checkpointWhileFailing: number | null = null;
        const sub = store.subscribe({
          subscriberId,
          pollIntervalMs: 10,
          handler: async (batch) => {
            const ids = batch.filter((e) => e.caseId === caseId).map((e) => e.id);
            if (ids.length > 0 && failuresLeft > 0) {
              failuresLeft -= 1;
              calls.push({ ids, ok: false });
              checkpointWhileFailing = await store.loadCheckpoint(subscriberId);
              throw new Error('handler failure (intended by the test)');
            }
            if (ids.length > 0) calls.push({ ids, ok: true });
          },
        });
        try {
          await waitFor(
            () => events.every((e) => calls.some((c) => c.ok && c.ids.includes(e.id))),
            'a successful delivery after the failures',
          );
        } finally {
          await sub.stop();
        }
        expect(calls.filter((c) => !c.ok)).toHaveLength(2);
        const firstFailed = calls[0].ids;
        const firstOk = calls.find((c) => c.ok)!.ids;
        expect(firstOk.slice(0, firstFailed.length)).toEqual(firstFailed);
        expect(checkpointWhileFailing).toBeLessThan(
          (await store.readByCase(caseId)).find((e) => e.id === firstFailed[0])!.position,
        );
        const okIds = calls.filter((c) => c.ok).flatMap((c) => c.ids);
        expect(new Set(okIds).size).toBe(okIds.length);
        expect(await store.loadCheckpoint(subscriberId)).toBe((await store.readByCase(caseId)).at(-1)!.position);
      });

      it('stop() waits for the handler in flight and nothing is delivered afterwards', async () => {
        const head = await store.headPosition();
        const subscriberId = `sub-${randomUUID()}`;
        await store.saveCheckpoint(subscriberId, head);
        const caseId = `case-${randomUUID()}`;
        await store.append(streamName(), [newEvent({ caseId })], 'no-stream');

        const order: string[] = [];
        const release = deferred();
        let calls = 0;
        const sub = store.subscribe({
          subscriberId,
          pollIntervalMs: 10,
          handler: async (batch) => {
            if (!batch.some((e) => e.caseId === caseId)) return;
            calls += 1;
            order.push('handler started');
            await release.promise;
            order.push('handler finished');
          },
        });
        await waitFor(() => calls === 1, 'the handler to start');
        const stopped = sub.stop().then(() => order.push('stop resolved'));
        // let the store run whatever it would run before the handler is released
        for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
        order.push('releasing');
        release.resolve();
        await stopped;
        expect(order).toEqual(['handler started', 'releasing', 'handler finished', 'stop resolved']);

        // an event appended now reaches a fresh subscriber but never the stopped one
        const later = newEvent({ caseId });
        await store.append(streamName(), [later], 'no-stream');
        const witness: string[] = [];
        const otherId = `sub-${randomUUID()}`;
        await store.saveCheckpoint(otherId, head);
        const other = store.subscribe({
          subscriberId: otherId,
          pollIntervalMs: 10,
          handler: async (batch) => {
            witness.push(...batch.map((e) => e.id));
          },
        });
        try {
          await waitFor(() => witness.includes(later.id), 'the witness subscriber');
        } finally {
          await other.stop();
        }
        expect(calls).toBe(1);
      });

      it('delivers every event exactly once, in global order, while many writers append to many streams', async () => {
        const head = await store.headPosition();
        const subscriberId = `sub-${randomUUID()}`;
        await store.saveCheckpoint(subscriberId, head);
        const caseId = `case-${randomUUID()}`;
        const delivered: StoredEvent[] = [];
        const sub = store.subscribe({
          subscriberId,
          batchSize: 17,
          pollIntervalMs: 20,
          handler: async (batch) => {
            delivered.push(...batch);
          },
        });
        // a second instance on the same storage: writers in "another process"
        const second = subject.reopen ? await subject.reopen() : store;
        const streams = Array.from({ length: 6 }, () => streamName('busy'));
        const acknowledged: string[] = [];
        try {
          await Promise.all(
            Array.from({ length: 8 }, async (_, writer) => {
              const via = writer % 2 === 0 ? store : second;
              for (let command = 0; command < 12; command++) {
                const streamId = streams[(writer * 7 + command * 5) % streams.length];
                const appended = await appendWithRetry(via, streamId, () =>
                  Array.from({ length: 1 + ((writer + command) % 3) }, () =>
                    newEvent({ caseId, data: { writer, command } }),
                  ),
                );
                acknowledged.push(...appended.map((e) => e.id));
              }
            }),
          );
          await waitFor(
            () => {
              const got = new Set(delivered.map((e) => e.id));
              return acknowledged.every((id) => got.has(id));
            },
            'every acknowledged event to be delivered',
          );
        } finally {
          await sub.stop();
        }
        const ours = delivered.filter((e) => e.caseId === caseId);
        expect(ours).toHaveLength(acknowledged.length);
        expect(new Set(ours.map((e) => e.id)).size).toBe(acknowledged.length);
        expectStrictlyIncreasing(delivered.map((e) => e.position));
        for (const streamId of streams) {
          const stored = await store.readStream(streamId);
          expect(stored.map((e) => e.revision)).toEqual(stored.map((_, i) => i));
          const inDelivery = ours.filter((e) => e.streamId === streamId).map((e) => e.id);
          expect(inDelivery).toEqual(stored.map((e) => e.id));
        }
      });
    });
  });
}
