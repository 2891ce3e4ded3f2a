import { randomUUID } from 'crypto';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { runMessageBusContract } from '@lianban/testing';
import { IncomingMessage, InProcessBus, partitionForKey } from '@lianban/messaging';
// kafkajs' own DefaultPartitioner hash (the Java client's murmur2), to prove the in-process
// bus puts a key on the partition Kafka would
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2: (key: Buffer) => number = require('kafkajs/src/producer/partitioners/default/murmur2');

const silent = { warn: () => undefined, error: () => undefined };

runMessageBusContract('in-process', async () => {
  const bus = new InProcessBus({ logger: silent });
  return { bus, cleanup: () => bus.close() };
});

describe('InProcessBus specifics', () => {
  it('maps keys to partitions exactly as Kafka\'s default partitioner does', () => {
    const keys = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', '渝北区', '案件-500112-2025-000123'];
    for (let i = 0; i < 500; i++) keys.push(randomUUID().slice(0, i % 37));
    for (const key of keys) {
      for (const partitions of [1, 3, 7, 50]) {
        const kafka = (kafkajsMurmur2(Buffer.from(key)) & 0x7fffffff) % partitions;
        expect({ key, partitions, p: partitionForKey(key, partitions) }).toEqual({ key, partitions, p: kafka });
      }
    }
  });

  it('publishes a batch all or nothing: one invalid message appends none', async () => {
    const bus = new InProcessBus({ logger: silent });
    await bus.createTopics([{ topic: 't', partitions: 1 }]);
    await expect(
      bus.publish('t', [
        { key: 'k', value: Buffer.from('ok') },
        { key: 'k', value: 'not a buffer' as unknown as Buffer },
      ]),
    ).rejects.toThrow(/value must be a Buffer/);
    await bus.publish('t', [{ key: 'k', value: Buffer.from('after') }]);
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      void bus.subscribe({
        groupId: 'g',
        topics: ['t'],
        handler: async (m) => {
          seen.push(m.value.toString());
          resolve();
        },
      });
    });
    await done;
    expect(seen).toEqual(['after']);
    await bus.close();
  });

  it('refuses topic names and partition counts Kafka would refuse', async () => {
    const bus = new InProcessBus({ logger: silent });
    await expect(bus.createTopics([{ topic: 'has space' }])).rejects.toThrow(/invalid topic name/);
    await expect(bus.createTopics([{ topic: '..' }])).rejects.toThrow(/invalid topic name/);
    await expect(bus.createTopics([{ topic: 'x'.repeat(250) }])).rejects.toThrow(/invalid topic name/);
    await expect(bus.createTopics([{ topic: 'ok', partitions: 0 }])).rejects.toThrow(/positive integer/);
    await bus.close();
  });

  it('isolates the log from publishers and handlers that mutate their buffers and headers', async () => {
    const bus = new InProcessBus({ logger: silent });
    await bus.createTopics([{ topic: 't', partitions: 1 }]);
    const value = Buffer.from('original');
    const headers = { h: 'original' };
    await bus.publish('t', [{ key: 'k', value, headers }]);
    value.write('MUTATED!');
    headers.h = 'mutated';

    const received: IncomingMessage[] = [];
    let attempt = 0;
    const done = new Promise<void>((resolve) => {
      void bus.subscribe({
        groupId: 'g',
        topics: ['t'],
        retryBackoffMs: 0,
        handler: async (m) => {
          received.push(m);
          if (attempt++ === 0) {
            m.value.write('HANDLER!');
            m.headers.h = 'handler';
            throw new Error('retry me');
          }
          resolve();
        },
      });
    });
    await done;
    expect(received).toHaveLength(2);
    expect(received[1].value.toString()).toBe('original');
    expect(received[1].headers).toEqual({ h: 'original' });
    await bus.close();
  });

  it('spreads partitions over three members and gives a departed member\'s partitions to the rest', async () => {
    const bus = new InProcessBus({ logger: silent });
    await bus.createTopics([{ topic: 't', partitions: 6 }]);
    const byMember: Array<Set<number>> = [new Set(), new Set(), new Set()];
    const total = { n: 0 };
    let onMessage = () => undefined as void;
    const handles = await Promise.all(
      byMember.map((seen) =>
        bus.subscribe({
          groupId: 'g',
          topics: ['t'],
          handler: async (m) => {
            seen.add(m.partition);
            total.n++;
            onMessage();
          },
        }),
      ),
    );
    const waitFor = (n: number) =>
      new Promise<void>((resolve) => {
        onMessage = () => (total.n >= n ? resolve() : undefined);
        onMessage();
      });
    const keys = Array.from({ length: 60 }, (_, i) => `case-${i}`);
    await bus.publish('t', keys.map((key) => ({ key, value: Buffer.from(key) })));
    await waitFor(60);
    expect(byMember.map((s) => s.size)).toEqual([2, 2, 2]);
    expect(new Set(byMember.flatMap((s) => [...s])).size).toBe(6);

    await handles[0].stop();
    for (const s of byMember) s.clear();
    await bus.publish('t', keys.map((key) => ({ key, value: Buffer.from(key) })));
    await waitFor(120);
    expect(byMember[0].size).toBe(0);
    expect(byMember[1].size + byMember[2].size).toBe(6);
    await bus.close();
  });

  it('close() stops every consumer and waits for in-flight handlers', async () => {
    const bus = new InProcessBus({ logger: silent });
    await bus.createTopics([{ topic: 't', partitions: 1 }]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let finished = false;
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async () => {
        started();
        await gate;
        finished = true;
      },
    });
    await bus.publish('t', [{ key: 'k', value: Buffer.from('x') }]);
    await running;
    const closing = bus.close();
    release();
    await closing;
    expect(finished).toBe(true);
    await expect(bus.subscribe({ groupId: 'g2', topics: ['t'], handler: async () => undefined })).rejects.toThrow(/closed/);
  });
});

describe('InProcessBus retention: memory is bounded, and nothing a known group has not committed is dropped', () => {
  const one = 't';
  const msg = (i: number, bytes = 8) => ({ key: 'k', value: Buffer.alloc(bytes, i % 256), headers: { i: String(i) } });
  const publishRange = (bus: InProcessBus, from: number, to: number, bytes?: number) =>
    bus.publish(one, Array.from({ length: to - from }, (_, j) => msg(from + j, bytes)));

  /** a consumer that counts, keeps each message's `i` header (not its value) and lets a test wait */
  function counter() {
    const seen: { offset: number; i: number }[] = [];
    let wake: (() => void) | null = null;
    return {
      seen,
      handler: async (m: IncomingMessage) => {
        seen.push({ offset: Number(m.offset), i: Number(m.headers.i) });
        wake?.();
      },
      until: (n: number) => new Promise<void>((resolve) => {
        const check = () => (seen.length >= n ? resolve() : undefined);
        wake = check;
        check();
      }),
    };
  }

  it('keeps the newest retainedMessages that every group committed; a stopped group that lags holds its backlog until it catches up', async () => {
    const bus = new InProcessBus({ logger: silent, retainedMessages: 5 });
    await bus.createTopics([{ topic: one, partitions: 1 }]);
    await publishRange(bus, 0, 3);
    const lagging = counter();
    const lagHandle = await bus.subscribe({ groupId: 'lagging', topics: [one], handler: lagging.handler });
    await lagging.until(3);
    await lagHandle.stop();

    const current = counter();
    await bus.subscribe({ groupId: 'current', topics: [one], handler: current.handler });
    await publishRange(bus, 3, 100);
    await current.until(100);
    // 'current' committed all 100, 'lagging' only 3: nothing above offset 3 may go
    expect(bus.topicOffsets(one)).toEqual([{ partition: 0, low: 3, high: 100 }]);

    // the lagging group comes back and gets every message after its commit, none lost
    const resumed = counter();
    await bus.subscribe({ groupId: 'lagging', topics: [one], handler: resumed.handler });
    await resumed.until(97);
    expect(resumed.seen.map((m) => m.i)).toEqual(Array.from({ length: 97 }, (_, j) => 3 + j));
    // now both committed everything: only the newest 5 are kept
    expect(bus.topicOffsets(one)).toEqual([{ partition: 0, low: 95, high: 100 }]);
    await bus.close();
  });

  it('a group that joins after trimming starts at the earliest message still held (Kafka\'s "earliest"), with the offsets unchanged', async () => {
    const bus = new InProcessBus({ logger: silent, retainedMessages: 4 });
    await bus.createTopics([{ topic: one, partitions: 1 }]);
    // nobody subscribes: a topic without groups keeps only its newest 4
    await publishRange(bus, 0, 50);
    expect(bus.topicOffsets(one)).toEqual([{ partition: 0, low: 46, high: 50 }]);
    const late = counter();
    await bus.subscribe({ groupId: 'late', topics: [one], handler: late.handler });
    await late.until(4);
    expect(late.seen).toEqual([46, 47, 48, 49].map((i) => ({ offset: i, i })));
    // while it is subscribed, what it has not committed stays, whatever the bound
    await bus.close();

    // a group that has not yet committed anything holds every message from where it joined
    const held = new InProcessBus({ logger: silent, retainedMessages: 0 });
    await held.createTopics([{ topic: one, partitions: 1 }]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = counter();
    await held.subscribe({ groupId: 'slow', topics: [one], handler: async (m) => { await gate; await slow.handler(m); } });
    await publishRange(held, 0, 20);
    expect(held.topicOffsets(one)).toEqual([{ partition: 0, low: 0, high: 20 }]);
    release();
    await slow.until(20);
    // the offset is committed after the handler resolved: one turn later
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(slow.seen.map((m) => m.i)).toEqual(Array.from({ length: 20 }, (_, j) => j));
    // retainedMessages 0: each message goes as soon as the last group commits it
    expect(held.topicOffsets(one)).toEqual([{ partition: 0, low: 20, high: 20 }]);
    // fromBeginning=false is pinned at the end of the partition, which retention did not move
    await publishRange(held, 20, 21);
    const latest = counter();
    await held.subscribe({ groupId: 'latest', topics: [one], fromBeginning: false, handler: latest.handler });
    await publishRange(held, 21, 22);
    await latest.until(1);
    expect(latest.seen).toEqual([{ offset: 21, i: 21 }]);
    await held.close();
  });

  it('gives the memory of dropped messages back (measured against a lagging group that holds the same amount)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const external = () => {
      gc();
      gc();
      return process.memoryUsage().arrayBuffers;
    };
    const MB = 1024 * 1024;
    // 64 messages of 1 MB each: far above the noise of a jest worker
    const run = async (lag: boolean) => {
      const bus = new InProcessBus({ logger: silent, retainedMessages: 2 });
      await bus.createTopics([{ topic: one, partitions: 1 }]);
      if (lag) await (await bus.subscribe({ groupId: 'gone', topics: [one], fromBeginning: false, handler: async () => undefined })).stop();
      const reader = counter();
      await bus.subscribe({ groupId: 'reader', topics: [one], handler: reader.handler });
      const before = external();
      for (let i = 0; i < 64; i++) await publishRange(bus, i, i + 1, MB);
      await reader.until(64);
      const held = external() - before;
      const offsets = bus.topicOffsets(one);
      await bus.close();
      return { held, offsets };
    };
    const trimmed = await run(false);
    const lagging = await run(true);
    expect(trimmed.offsets).toEqual([{ partition: 0, low: 62, high: 64 }]);
    expect(lagging.offsets).toEqual([{ partition: 0, low: 0, high: 64 }]);
    // the lagging group's 64 MB stay (that is the measurement working); the trimmed bus keeps ~2 MB
    expect(lagging.held).toBeGreaterThan(48 * MB);
    expect(trimmed.held).toBeLessThan(16 * MB);
  });

  it('keeps offsets and order right across many trims (the dropped front of the log is compacted in bulk)', async () => {
    const bus = new InProcessBus({ logger: silent, retainedMessages: 10 });
    await bus.createTopics([{ topic: one, partitions: 1 }]);
    const reader = counter();
    await bus.subscribe({ groupId: 'reader', topics: [one], handler: reader.handler });
    for (let i = 0; i < 5000; i += 250) await publishRange(bus, i, i + 250);
    await reader.until(5000);
    expect(reader.seen.every((m, j) => m.offset === j && m.i === j)).toBe(true);
    expect(bus.topicOffsets(one)).toEqual([{ partition: 0, low: 4990, high: 5000 }]);
    const late = counter();
    await bus.subscribe({ groupId: 'late', topics: [one], handler: late.handler });
    await late.until(10);
    expect(late.seen).toEqual(Array.from({ length: 10 }, (_, j) => ({ offset: 4990 + j, i: 4990 + j })));
    await bus.close();
  });

  it('refuses a negative or fractional retainedMessages', () => {
    expect(() => new InProcessBus({ logger: silent, retainedMessages: -1 })).toThrow(/retainedMessages/);
    expect(() => new InProcessBus({ logger: silent, retainedMessages: 1.5 })).toThrow(/retainedMessages/);
  });
});
