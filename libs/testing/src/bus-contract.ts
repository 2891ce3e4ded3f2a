/**
 * The MessageBus contract (DESIGN 5 and 8): what every adapter must do, run against each of
 * them — the in-process bus in the unit tier, the Kafka bus against a real broker in the
 * integration tier. Every test uses its own topics and groups (random suffix) so runs against
 * a shared broker never see each other's messages.
 */
import { randomUUID } from 'crypto';
import {
  BusClosedError,
  ConsumerHandle,
  InvalidMessageError,
  ConsumerOptions,
  IncomingMessage,
  MessageBus,
  OutgoingMessage,
  partitionForKey,
  UnknownTopicError,
} from '@lianban/messaging';

/** Every topic and group this suite creates starts with this, so a cleanup can find them. */
export const BUS_CONTRACT_PREFIX = `bus-contract.${randomUUID().slice(0, 8)}.`;

export interface BusContractOptions {
  /** per test; a Kafka run needs room for group joins and rebalances (default 20 s) */
  timeoutMs?: number;
}

export interface OpenedBus {
  bus: MessageBus;
  cleanup: () => Promise<void>;
}

interface Body {
  key: string;
  seq: number;
  id: string;
}

function message(key: string, seq: number, headers?: Record<string, string>): OutgoingMessage {
  const body: Body = { key, seq, id: `${key}#${seq}` };
  return { key, value: Buffer.from(JSON.stringify(body)), headers };
}

function body(m: IncomingMessage): Body {
  return JSON.parse(m.value.toString('utf8')) as Body;
}

const ids = (messages: IncomingMessage[]) => messages.map((m) => body(m).id);

/** messages for `keys` × `perKey`, interleaved across keys the way a busy relay would send them */
function interleaved(keys: string[], perKey: number, firstSeq = 0): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (let seq = firstSeq; seq < firstSeq + perKey; seq++) {
    for (const key of keys) out.push(message(key, seq));
  }
  return out;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Records what a handler received and lets a test wait for a condition on it. */
class Recorder {
  readonly messages: IncomingMessage[] = [];
  private readonly waiters: Array<{ until: (m: IncomingMessage[]) => boolean; resolve: () => void }> = [];

  constructor(private readonly waitMs: number) {}

  readonly handler = async (m: IncomingMessage): Promise<void> => {
    this.record(m);
  };

  record(m: IncomingMessage): void {
    this.messages.push(m);
    for (const waiter of [...this.waiters]) {
      if (waiter.until(this.messages)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  ids(): string[] {
    return ids(this.messages);
  }

  /**
   * Waits until `until` holds. The bound only turns a hang into a failure that says what did
   * arrive; nothing is asserted about how long delivery takes.
   */
  waitFor(what: string, until: (m: IncomingMessage[]) => boolean): Promise<void> {
    if (until(this.messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        until,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`gave up waiting for ${what}; received ${this.messages.length}: ${this.ids().join(', ')}`));
      }, this.waitMs);
      this.waiters.push(waiter);
    });
  }

  waitForIds(expected: string[]): Promise<void> {
    const want = new Set(expected);
    return this.waitFor(`${want.size} messages`, (messages) => {
      const got = new Set(ids(messages));
      return [...want].every((id) => got.has(id));
    });
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

function seqsByKey(messages: IncomingMessage[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const m of messages) {
    const b = body(m);
    out.set(b.key, [...(out.get(b.key) ?? []), b.seq]);
  }
  return out;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

export function runMessageBusContract(
  name: string,
  open: () => Promise<OpenedBus>,
  options: BusContractOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 20_000;
  // leaves the test time to report what it was waiting for before jest's own timeout hits
  const waitMs = Math.floor(timeoutMs * 0.75);

  describe(`MessageBus contract: ${name}`, () => {
    let bus: MessageBus;
    let cleanup: (() => Promise<void>) | undefined;
    const handles: ConsumerHandle[] = [];

    const unique = (label: string) => `${BUS_CONTRACT_PREFIX}${label}.${randomUUID().slice(0, 8)}`;
    const recorder = () => new Recorder(waitMs);

    async function newTopic(label: string, partitions: number): Promise<string> {
      const topic = unique(label);
      await bus.createTopics([{ topic, partitions }]);
      return topic;
    }

    async function subscribe(opts: ConsumerOptions): Promise<ConsumerHandle> {
      const handle = await bus.subscribe(opts);
      handles.push(handle);
      return handle;
    }

    async function stop(handle: ConsumerHandle): Promise<void> {
      handles.splice(handles.indexOf(handle), 1);
      await handle.stop();
    }

    beforeAll(async () => {
      ({ bus, cleanup } = await open());
    }, timeoutMs);

    afterEach(async () => {
      await Promise.all(handles.splice(0).map((h) => h.stop()));
    }, timeoutMs);

    afterAll(async () => {
      await cleanup?.();
    }, timeoutMs);

    it('reports itself healthy', async () => {
      expect(await bus.health()).toMatchObject({ ok: true });
    });

    it('reports each subscription running from subscribe() until stop(), then no more', async () => {
      const topic = await newTopic('status', 2);
      const groupId = unique('g');
      const handle = await subscribe({ groupId, topics: [topic], handler: async () => undefined });
      const status = handle.status();
      expect(status).toMatchObject({ groupId, topics: [topic], state: 'running' });
      expect(status.error).toBeUndefined();
      expect((await bus.health()).subscriptions).toContainEqual(status);
      await stop(handle);
      expect(handle.status()).toMatchObject({ groupId, state: 'stopped' });
      expect((await bus.health()).subscriptions.filter((s) => s.groupId === groupId)).toEqual([]);
    });

    it('refuses to publish to or subscribe to a topic that was never created, and does not create it', async () => {
      const topic = unique('never-created');
      await expect(bus.publish(topic, [message('k', 0)])).rejects.toBeInstanceOf(UnknownTopicError);
      await expect(bus.publish(topic, [message('k', 1)])).rejects.toBeInstanceOf(UnknownTopicError);
      await expect(
        bus.subscribe({ groupId: unique('g'), topics: [topic], handler: async () => undefined }),
      ).rejects.toBeInstanceOf(UnknownTopicError);
    }, timeoutMs);

    it('creates topics idempotently and keeps the partition count of an existing topic', async () => {
      const topic = unique('idempotent');
      await bus.createTopics([{ topic, partitions: 2 }]);
      await bus.createTopics([{ topic, partitions: 5 }]);
      const keys = range(0, 30).map((i) => `case-${i}`);
      await bus.publish(topic, keys.map((k) => message(k, 0)));
      const rec = recorder();
      await subscribe({ groupId: unique('g'), topics: [topic], handler: rec.handler });
      await rec.waitForIds(keys.map((k) => `${k}#0`));
      expect(new Set(rec.messages.map((m) => m.partition))).toEqual(new Set([0, 1]));
    }, timeoutMs);

    it('delivers asynchronously, never inside the publisher\'s call stack', async () => {
      const topic = await newTopic('async', 1);
      const rec = recorder();
      let publishing = false;
      const seenWhilePublishing: boolean[] = [];
      await subscribe({
        groupId: unique('g'),
        topics: [topic],
        handler: async (m) => {
          seenWhilePublishing.push(publishing);
          rec.record(m);
        },
      });
      publishing = true;
      const published = bus.publish(topic, [message('k', 0)]);
      publishing = false;
      await published;
      await rec.waitForIds(['k#0']);
      expect(seenWhilePublishing).toEqual([false]);
    }, timeoutMs);

    it('keeps per-key order across many keys and partitions, each key on its Kafka (murmur2) partition', async () => {
      const partitions = 4;
      const topic = await newTopic('order', partitions);
      const keys = range(0, 12).map((i) => `case-${i}`);
      const all = interleaved(keys, 10);
      // several publish calls, each mixing keys, awaited in turn like the relay does
      for (const batch of chunks(all, 7)) await bus.publish(topic, batch);
      const rec = recorder();
      await subscribe({ groupId: unique('g'), topics: [topic], handler: rec.handler });
      await rec.waitForIds(ids2(all));

      expect(rec.messages).toHaveLength(all.length);
      for (const [key, seqs] of seqsByKey(rec.messages)) {
        expect({ key, seqs }).toEqual({ key, seqs: range(0, 10) });
      }
      for (const m of rec.messages) {
        expect({ key: m.key, partition: m.partition }).toEqual({ key: m.key, partition: partitionForKey(m.key, partitions) });
      }
      expect(new Set(rec.messages.map((m) => m.partition)).size).toBeGreaterThan(1);
      // offsets grow by one within a partition, in delivery order
      const byPartition = new Map<number, number[]>();
      for (const m of rec.messages) byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), Number(m.offset)]);
      for (const offsets of byPartition.values()) expect(offsets).toEqual(range(0, offsets.length));
    }, timeoutMs);

    it('refuses a malformed message (key not a string, value not a Buffer, a header not a string) and sends nothing of its call', async () => {
      // one partition: a message of a refused call would have come before the one sent after it
      const topic = await newTopic('malformed', 1);
      const malformed = [
        { ...message('case-1', 1), key: 7 },
        { ...message('case-1', 1), value: '{}' },
        message('case-1', 1, { ce_id: 'x', ce_revision: 3 as unknown as string }),
      ] as unknown as OutgoingMessage[];
      for (const bad of malformed) {
        await expect(bus.publishAll([{ topic, messages: [message('case-1', 0), bad] }])).rejects.toBeInstanceOf(InvalidMessageError);
      }
      await bus.publish(topic, [message('case-2', 0)]);
      const rec = recorder();
      await subscribe({ groupId: unique('g'), topics: [topic], handler: rec.handler });
      await rec.waitForIds(['case-2#0']);
      expect(rec.messages.map((m) => m.key)).toEqual(['case-2']);
    }, timeoutMs);

    it('publishAll: several topics in one call, each topic in the order given; an unknown topic sends nothing', async () => {
      const a = await newTopic('all-a', 3);
      const b = await newTopic('all-b', 2);
      const toA = interleaved(['case-1', 'case-2', 'case-3'], 5);
      const toB = interleaved(['case-1', 'case-4'], 4);
      // the relay's shape: its calls awaited in turn, each with every topic of a batch
      for (let i = 0; i < 3; i++) {
        await bus.publishAll([{ topic: a, messages: toA.slice(i * 5, i * 5 + 5) }, { topic: b, messages: toB.slice(i * 3, i * 3 + 3) }]);
      }
      await expect(bus.publishAll([{ topic: a, messages: [message('case-9', 0)] }, { topic: unique('never-created'), messages: [message('case-9', 1)] }]))
        .rejects.toBeInstanceOf(UnknownTopicError);
      const recA = recorder();
      const recB = recorder();
      await subscribe({ groupId: unique('g'), topics: [a], handler: recA.handler });
      await subscribe({ groupId: unique('g'), topics: [b], handler: recB.handler });
      await recA.waitForIds(ids2(toA));
      await recB.waitForIds(ids2(toB));
      for (const [rec, sent] of [[recA, toA], [recB, toB]] as const) {
        expect(rec.messages).toHaveLength(sent.length);
        for (const [key, seqs] of seqsByKey(rec.messages)) {
          expect({ key, seqs }).toEqual({ key, seqs: sent.filter((m) => m.key === key).map((_, i) => i) });
        }
      }
      expect(recA.messages.some((m) => m.key === 'case-9')).toBe(false);
    }, timeoutMs);

    it('gives every group every message, independently of the others', async () => {
      const topic = await newTopic('groups', 3);
      const all = interleaved(['a', 'b', 'c', 'd', 'e'], 4);
      const first = recorder();
      await subscribe({ groupId: unique('g1'), topics: [topic], handler: first.handler });
      await bus.publish(topic, all);
      await first.waitForIds(ids2(all));
      // a second group that arrives after the first has consumed (and committed) everything
      const second = recorder();
      await subscribe({ groupId: unique('g2'), topics: [topic], handler: second.handler });
      await second.waitForIds(ids2(all));
      expect(first.ids().sort()).toEqual(ids2(all).sort());
      expect(second.ids().sort()).toEqual(ids2(all).sort());
    }, timeoutMs);

    it('shares partitions among the members of a group and hands them over when one leaves', async () => {
      const topic = await newTopic('share', 4);
      const groupId = unique('g');
      // one recorder for the group (waits must see what either member got), plus each member's own
      const group = recorder();
      const one: IncomingMessage[] = [];
      const two: IncomingMessage[] = [];
      const member = (own: IncomingMessage[]) => async (m: IncomingMessage) => {
        own.push(m);
        group.record(m);
      };
      const handleOne = await subscribe({ groupId, topics: [topic], handler: member(one) });
      await subscribe({ groupId, topics: [topic], handler: member(two) });
      const keys = range(0, 20).map((i) => `case-${i}`);
      const before = interleaved(keys, 2);
      await bus.publish(topic, before);
      await group.waitForIds(ids2(before));

      expect(one.length).toBeGreaterThan(0);
      expect(two.length).toBeGreaterThan(0);
      const keysOf = (messages: IncomingMessage[]) => new Set(messages.map((m) => m.key));
      for (const key of keysOf(one)) expect({ key, alsoInTwo: keysOf(two).has(key) }).toEqual({ key, alsoInTwo: false });
      for (const messages of [one, two]) {
        for (const [key, seqs] of seqsByKey(messages)) expect({ key, seqs }).toEqual({ key, seqs: [0, 1] });
      }

      // the leaving member's committed partitions go to the other, which resumes after them:
      // the same keys again, so a redelivered old message would show up before the new ones
      await stop(handleOne);
      const receivedByOne = one.length;
      const twoBefore = two.length;
      const after = interleaved(keys, 2, 2);
      await bus.publish(topic, after);
      await group.waitForIds(ids2(after));
      expect(ids(two.slice(twoBefore)).sort()).toEqual(ids2(after).sort());
      expect(one.length).toBe(receivedByOne);
    }, timeoutMs);

    it('resumes a restarted consumer of the same group after its committed offset: nothing twice, nothing skipped', async () => {
      const topic = await newTopic('restart', 3);
      const groupId = unique('g');
      const keys = ['case-a', 'case-b', 'case-c', 'case-d', 'case-e', 'case-f'];
      const first = interleaved(keys, 3);
      await bus.publish(topic, first);
      const before = recorder();
      const handle = await subscribe({ groupId, topics: [topic], handler: before.handler });
      await before.waitForIds(ids2(first));
      await stop(handle);

      // same keys, so any redelivered old message would arrive before the new ones of its key
      const second = interleaved(keys, 3, 3);
      await bus.publish(topic, second);
      const after = recorder();
      await subscribe({ groupId, topics: [topic], handler: after.handler });
      await after.waitForIds(ids2(second));
      expect(after.ids().sort()).toEqual(ids2(second).sort());
      for (const [key, seqs] of seqsByKey(after.messages)) expect({ key, seqs }).toEqual({ key, seqs: [3, 4, 5] });
    }, timeoutMs);

    it('redelivers a message whose handler failed, before the next message of its key', async () => {
      const topic = await newTopic('retry', 2);
      const attempts = new Map<string, number>();
      const processed = recorder();
      const deadLettered: IncomingMessage[] = [];
      await subscribe({
        groupId: unique('g'),
        topics: [topic],
        maxRetries: 3,
        retryBackoffMs: 5,
        handler: async (m) => {
          const id = body(m).id;
          attempts.set(id, (attempts.get(id) ?? 0) + 1);
          if (id === 'a#1' && attempts.get(id) === 1) throw new Error('transient failure');
          processed.record(m);
        },
        onDeadLetter: async (m) => {
          deadLettered.push(m);
        },
      });
      const all = interleaved(['a', 'b'], 3);
      await bus.publish(topic, all);
      await processed.waitForIds(ids2(all));
      expect(attempts.get('a#1')).toBe(2);
      expect(seqsByKey(processed.messages).get('a')).toEqual([0, 1, 2]);
      expect(seqsByKey(processed.messages).get('b')).toEqual([0, 1, 2]);
      expect(deadLettered).toEqual([]);
    }, timeoutMs);

    it('after maxRetries hands the message to the dead-letter callback, commits it and moves on', async () => {
      const topic = await newTopic('dead-letter', 2);
      const groupId = unique('g');
      let poisonAttempts = 0;
      const processed = recorder();
      const deadLettered: Array<{ message: IncomingMessage; error: unknown }> = [];
      const handle = await subscribe({
        groupId,
        topics: [topic],
        maxRetries: 2,
        retryBackoffMs: 5,
        handler: async (m) => {
          if (body(m).id === 'p#0') {
            poisonAttempts++;
            throw new Error('poison message');
          }
          processed.record(m);
        },
        onDeadLetter: async (m, error) => {
          deadLettered.push({ message: m, error });
        },
      });
      const headers = { ce_id: randomUUID() };
      await bus.publish(topic, [message('p', 0, headers), message('p', 1), message('p', 2), message('q', 0)]);
      await processed.waitForIds(['p#1', 'p#2', 'q#0']);

      expect(poisonAttempts).toBe(3);
      expect(deadLettered).toHaveLength(1);
      expect(body(deadLettered[0].message).id).toBe('p#0');
      expect(deadLettered[0].message.headers).toEqual(headers);
      expect(deadLettered[0].message.topic).toBe(topic);
      expect(deadLettered[0].error).toBeInstanceOf(Error);
      expect((deadLettered[0].error as Error).message).toBe('poison message');
      expect(seqsByKey(processed.messages).get('p')).toEqual([1, 2]);

      // the dead-lettered message was committed: the group does not see it again
      await stop(handle);
      await bus.publish(topic, [message('p', 3)]);
      const after = recorder();
      await subscribe({ groupId, topics: [topic], handler: after.handler });
      await after.waitForIds(['p#3']);
      expect(after.ids()).toEqual(['p#3']);
    }, timeoutMs);

    it('does not commit a message whose handler never succeeded: stopping mid-retry leaves it for the next consumer', async () => {
      const topic = await newTopic('uncommitted', 1);
      const groupId = unique('g');
      let attempts = 0;
      const failing = recorder();
      const deadLettered: IncomingMessage[] = [];
      const handle = await subscribe({
        groupId,
        topics: [topic],
        maxRetries: 1000,
        retryBackoffMs: 20,
        handler: async (m) => {
          attempts++;
          failing.record(m);
          throw new Error('downstream unavailable');
        },
        onDeadLetter: async (m) => {
          deadLettered.push(m);
        },
      });
      await bus.publish(topic, [message('x', 0), message('x', 1)]);
      await failing.waitFor('a retry', (m) => m.length >= 2);
      await stop(handle);
      const attemptsAtStop = attempts;

      const after = recorder();
      await subscribe({ groupId, topics: [topic], handler: after.handler });
      await after.waitForIds(['x#0', 'x#1']);
      expect(after.ids()).toEqual(['x#0', 'x#1']);
      expect(failing.ids().every((id) => id === 'x#0')).toBe(true);
      expect(attempts).toBe(attemptsAtStop);
      expect(deadLettered).toEqual([]);
    }, timeoutMs);

    it('stop() waits for the in-flight handler, whose message is then committed', async () => {
      const topic = await newTopic('stop', 1);
      const groupId = unique('g');
      const started = deferred();
      const release = deferred();
      let finished = false;
      const handle = await subscribe({
        groupId,
        topics: [topic],
        handler: async () => {
          started.resolve();
          await release.promise;
          finished = true;
        },
      });
      await bus.publish(topic, [message('s', 0)]);
      await started.promise;
      let stopped = false;
      const stopping = stop(handle).then(() => {
        stopped = true;
      });
      for (let i = 0; i < 5; i++) await macrotask();
      expect(stopped).toBe(false);
      release.resolve();
      await stopping;
      expect(finished).toBe(true);

      await bus.publish(topic, [message('s', 1)]);
      const after = recorder();
      await subscribe({ groupId, topics: [topic], handler: after.handler });
      await after.waitForIds(['s#1']);
      expect(after.ids()).toEqual(['s#1']);
    }, timeoutMs);

    it('round-trips keys, headers and binary values byte for byte', async () => {
      const topic = await newTopic('binary', 2);
      const everyByte = Buffer.from(range(0, 256));
      const headers = {
        ce_specversion: '1.0',
        ce_id: randomUUID(),
        ce_type: 'lianban.case.registered.v1',
        ce_source: '/cq/intake',
        ce_subject: '渝北区人社局',
        'content-type': 'application/octet-stream',
        empty: '',
      };
      const rec = recorder();
      await subscribe({ groupId: unique('g'), topics: [topic], handler: rec.handler });
      await bus.publish(topic, [
        { key: '案件-渝-1', value: everyByte, headers },
        { key: '案件-渝-1', value: Buffer.alloc(0) },
      ]);
      await rec.waitFor('both messages', (m) => m.length >= 2);
      const [binary, empty] = rec.messages;
      expect(binary.key).toBe('案件-渝-1');
      expect(Buffer.isBuffer(binary.value)).toBe(true);
      expect(binary.value.equals(everyByte)).toBe(true);
      expect(binary.headers).toEqual(headers);
      expect(binary.topic).toBe(topic);
      expect(typeof binary.offset).toBe('string');
      expect(Buffer.isBuffer(empty.value)).toBe(true);
      expect(empty.value.length).toBe(0);
      expect(empty.headers).toEqual({});
    }, timeoutMs);

    it('fromBeginning: a new group starts at the beginning by default, at the end when false, and a committed offset beats both', async () => {
      const topic = await newTopic('from-beginning', 2);
      await bus.publish(topic, [message('k', 0)]);

      const latest = recorder();
      const latestGroup = unique('latest');
      const latestHandle = await subscribe({ groupId: latestGroup, topics: [topic], fromBeginning: false, handler: latest.handler });
      const earliest = recorder();
      await subscribe({ groupId: unique('earliest'), topics: [topic], handler: earliest.handler });
      await bus.publish(topic, [message('k', 1)]);
      await latest.waitForIds(['k#1']);
      await earliest.waitForIds(['k#0', 'k#1']);
      // same key, one partition: had k#0 been delivered to the "latest" group, it came first
      expect(latest.ids()).toEqual(['k#1']);
      expect(earliest.ids()).toEqual(['k#0', 'k#1']);

      await stop(latestHandle);
      await bus.publish(topic, [message('k', 2)]);
      const resumed = recorder();
      await subscribe({ groupId: latestGroup, topics: [topic], fromBeginning: false, handler: resumed.handler });
      await resumed.waitForIds(['k#2']);
      expect(resumed.ids()).toEqual(['k#2']);
    }, timeoutMs);

    it('refuses to publish once closed', async () => {
      const second = await open();
      try {
        const topic = unique('closed');
        await second.bus.createTopics([{ topic, partitions: 1 }]);
        await second.bus.close();
        await expect(second.bus.publish(topic, [message('k', 0)])).rejects.toBeInstanceOf(BusClosedError);
        expect(await second.bus.health()).toMatchObject({ ok: false });
      } finally {
        await second.cleanup();
      }
    }, timeoutMs);
  });
}

function ids2(messages: OutgoingMessage[]): string[] {
  return messages.map((m) => (JSON.parse(m.value.toString('utf8')) as Body).id);
}
