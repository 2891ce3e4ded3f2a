import { randomUUID } from 'crypto';
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
