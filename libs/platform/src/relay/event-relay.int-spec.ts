import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agencyTopic, caseEventsTopic, decodeEventMessage, type NewEvent, type StoredEvent } from '@lianban/contracts';
import { CaseEventTypes, TaskEventTypes } from '@lianban/domain';
import { SqliteEventStore } from '@lianban/eventstore';
import { InProcessBus, type IncomingMessage, type MessageBus, type OutgoingMessage, type TopicMessages } from '@lianban/messaging';
import { WITHHELD } from './accuser-protection';
import { EventRelay } from './event-relay';

/**
 * The outbox relay over a real SQLite store and the in-process bus (Kafka's semantics in one
 * process): what it sends where, and that a failure or a crash neither loses a stored event
 * nor sends one that was not stored. Against the real broker it runs in test/distributed.
 */
const quiet = { warn: () => undefined, error: () => undefined };
const naming = { prefix: '', region: 'cq' as const };
const caseEvents = caseEventsTopic(naming);

let seq = 0;
function ev(caseId: string, type: string, data: unknown, extra: Partial<NewEvent> = {}): NewEvent {
  seq++;
  return {
    id: randomUUID(), type, caseId, causationId: `request:${seq}`, region: 'cq', agencyId: null, actor: { id: 'u', role: 'clerk' },
    occurredAt: new Date(Date.UTC(2026, 0, 5, 2, 0, seq)).toISOString(), hlc: `${String(1767578400000 + seq).padStart(15, '0')}.00000`, data, ...extra,
  };
}

const registered = (caseId: string) => ev(caseId, CaseEventTypes.PetitionRegistered, {
  caseNumber: 'CQ-2026-000001', channel: 'letter', petitioner: { petitionerId: 'p-1', sealed: 'U0VBTEVE', anonymous: false }, petitionerKeys: ['h1'],
  regionCode: '500109', subject: '欠薪', content: '…', demandClass: 'claim', matterOccurredAt: null, routeDueAt: '2026-01-20T15:59:59.999Z',
});
const assigned = (caseId: string, agencies: string[]) => ev(caseId, CaseEventTypes.AgenciesAssigned, {
  mode: 'assign', agencies: agencies.map((agencyId, i) => ({ agencyId, role: i === 0 ? 'lead' : 'co', acknowledgeDueAt: '2026-01-21T15:59:59.999Z' })),
}, { agencyId: '500109-xfb' });
const taskEvent = (caseId: string, agencyId: string, type: string, data: unknown) => ev(caseId, type, data, { agencyId });

/** records every message of a topic, through a consumer group of the bus */
async function record(bus: MessageBus, topic: string): Promise<IncomingMessage[]> {
  const got: IncomingMessage[] = [];
  await bus.subscribe({ groupId: `test.${topic}.${randomUUID()}`, topics: [topic], handler: async (m) => void got.push(m) });
  return got;
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const ids = (messages: IncomingMessage[]) => messages.map((m) => m.headers.ce_id);
const firstSeen = (messages: IncomingMessage[]) => [...new Set(ids(messages))];

describe('EventRelay (sqlite store, in-process bus)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let bus: InProcessBus;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lianban-relay-'));
    store = SqliteEventStore.open(join(dir, 'events.sqlite'), { logger: quiet });
    bus = new InProcessBus({ logger: quiet });
  });
  afterEach(async () => {
    await bus.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function append(streamId: string, events: NewEvent[]): Promise<StoredEvent[]> {
    const before = await store.readStream(streamId);
    await store.append(streamId, events, before.length === 0 ? 'no-stream' : before.length - 1);
    const ids = new Set(events.map((e) => e.id));
    return (await store.readStream(streamId)).filter((e) => ids.has(e.id));
  }

  it('publishes every stored event to case-events, personal data removed, and each case to the agencies concerned', async () => {
    const caseId = randomUUID();
    const other = randomUUID();
    const [reg] = await append(`case-${caseId}`, [registered(caseId)]);
    const [number] = await append('casenumber-cq-2026', [ev(caseId, 'lianban.casenumber.allocated.v1', { year: 2026 })]);
    const [classified] = await append(`case-${caseId}`, [ev(caseId, CaseEventTypes.PetitionClassified, { demandClass: 'claim', category: 'x', route: 'petition' })]);
    const [otherReg] = await append(`case-${other}`, [registered(other)]);
    const [assignment] = await append(`case-${caseId}`, [assigned(caseId, ['500109-rsj', '500109-xfb'])]);
    const [accepted] = await append(`task-${caseId}-500109-rsj`, [taskEvent(caseId, '500109-rsj', TaskEventTypes.TaskAccepted, { acknowledgedInTime: true })]);

    const relay = new EventRelay(store, bus, { naming, agencies: ['500109-rsj', '500109-xfb', '500109-zjw'] });
    await relay.start();
    const all = await record(bus, caseEvents);
    const rsj = await record(bus, agencyTopic(naming, '500109-rsj'));
    const zjw = await record(bus, agencyTopic(naming, '500109-zjw'));
    await until('every stored event on case-events', () => all.length >= 6);

    expect(ids(all).sort()).toEqual([reg, number, classified, otherReg, assignment, accepted].map((e) => e.id).sort());
    // per key in store order; across keys (partitions) no order is promised
    expect(ids(all.filter((m) => m.key === caseId))).toEqual([reg, number, classified, assignment, accepted].map((e) => e.id));
    for (const m of all) expect(m.key).toBe(decodeEventMessage(m).caseId);
    const body = JSON.parse(all.find((m) => m.headers.ce_id === reg.id)!.value.toString('utf8'));
    expect(body.petitioner).toEqual({ petitionerId: 'p-1', anonymous: false });
    expect(body).not.toHaveProperty('petitionerKeys');
    expect(all.map((m) => m.value.toString()).join()).not.toContain('U0VBTEVE');
    // the stored event keeps its sealed identity: the relay only changes what travels
    expect(((await store.readStream(`case-${caseId}`))[0].data as { petitioner: { sealed: string } }).petitioner.sealed).toBe('U0VBTEVE');

    // newly assigned: the case so far (no case-number bookkeeping, no other case), then the assignment, then its task events
    await until("rsj's topic", () => rsj.length >= 4);
    expect(ids(rsj)).toEqual([reg, classified, assignment, accepted].map((e) => e.id));
    // agencies are not even given the petitioner's pseudonymous id (accuser protection)
    expect(JSON.parse(rsj[0].value.toString()).petitioner).toEqual({ petitionerId: WITHHELD, anonymous: false });

    // a third agency brought in later gets everything before it, and what follows
    const [zjwAssigned] = await append(`case-${caseId}`, [assigned(caseId, ['500109-zjw'])]);
    const [zjwAccepted] = await append(`task-${caseId}-500109-zjw`, [taskEvent(caseId, '500109-zjw', TaskEventTypes.TaskAccepted, { acknowledgedInTime: true })]);
    await until("zjw's topic", () => zjw.length >= 6);
    expect(ids(zjw)).toEqual([reg, classified, assignment, accepted, zjwAssigned, zjwAccepted].map((e) => e.id));
    await until('rsj to see the later events', () => rsj.length >= 6);
    expect(ids(rsj).slice(4)).toEqual([zjwAssigned.id, zjwAccepted.id]);
    await relay.stop();
    expect(await store.loadCheckpoint(relay.subscriberId)).toBe(zjwAccepted.position);
  });

  it('after a restart from its checkpoint (nothing held in memory) routes a case it meets mid-way as if it had never stopped', async () => {
    const caseId = randomUUID();
    const [reg, firstAssignment] = await append(`case-${caseId}`, [registered(caseId), assigned(caseId, ['500109-rsj'])]);
    const subscriberId = `relay.restart.${caseId}`;
    const first = new EventRelay(store, bus, { naming, agencies: ['500109-rsj', '500109-zjw'], subscriberId });
    await first.start();
    const rsj = await record(bus, agencyTopic(naming, '500109-rsj'));
    await until("rsj's topic", () => rsj.length >= 2);
    await first.stop();

    // in one batch of the next relay: an event of a concerned agency, a newcomer, and a new case
    const [accepted] = await append(`task-${caseId}-500109-rsj`, [taskEvent(caseId, '500109-rsj', TaskEventTypes.TaskAccepted, { acknowledgedInTime: true })]);
    const [zjwAssigned] = await append(`case-${caseId}`, [assigned(caseId, ['500109-zjw'])]);
    const other = randomUUID();
    const [otherReg, otherAssigned] = await append(`case-${other}`, [registered(other), assigned(other, ['500109-zjw'])]);
    const second = new EventRelay(store, bus, { naming, agencies: ['500109-rsj', '500109-zjw'], subscriberId });
    await second.start();
    const zjw = await record(bus, agencyTopic(naming, '500109-zjw'));
    await until("zjw's topic", () => zjw.length >= 6);
    await until("rsj's later events", () => rsj.length >= 4);
    await second.stop();
    expect(ids(rsj)).toEqual([reg, firstAssignment, accepted, zjwAssigned].map((e) => e.id));
    expect(ids(zjw.filter((m) => m.key === caseId))).toEqual([reg, firstAssignment, accepted, zjwAssigned].map((e) => e.id));
    expect(ids(zjw.filter((m) => m.key === other))).toEqual([otherReg, otherAssigned].map((e) => e.id));
  });

  it('creates the topic of an agency it was not told about before sending to it', async () => {
    const caseId = randomUUID();
    await append(`case-${caseId}`, [registered(caseId), assigned(caseId, ['511623-sw'])]);
    const relay = new EventRelay(store, bus, { naming, agencies: [] });
    await relay.start();
    const sw = await (async () => {
      for (let i = 0; i < 200; i++) {
        try {
          return await record(bus, agencyTopic(naming, '511623-sw'));
        } catch {
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      throw new Error('the agency topic was never created');
    })();
    await until('the case on the agency topic', () => sw.length >= 2);
    expect(sw.map((m) => m.headers.ce_type)).toEqual([CaseEventTypes.PetitionRegistered, CaseEventTypes.AgenciesAssigned]);
    await relay.stop();
  });

  it('keeps the checkpoint until a batch is published: a failed publish or a crash sends the batch again, never skips it', async () => {
    const caseId = randomUUID();
    const stored = await append(`case-${caseId}`, [registered(caseId), assigned(caseId, ['500109-rsj'])]);
    const flaky = new FlakyBus(bus);
    flaky.failing = true;
    const first = new EventRelay(store, flaky, { naming, agencies: ['500109-rsj'] });
    await first.start();
    await until('a refused publish', () => flaky.refused > 0);
    // case-events accepted the batch, the agency topic did not: the batch as a whole failed (and is retried)
    expect(flaky.published.get(caseEvents)!.length).toBeGreaterThanOrEqual(2);
    expect(await store.loadCheckpoint(first.subscriberId)).toBe(0);
    // the process dies here; nothing moved the checkpoint
    await first.stop();
    expect(await store.loadCheckpoint(first.subscriberId)).toBe(0);
    const sentBeforeCrash = flaky.published.get(caseEvents)!.length;

    flaky.failing = false;
    const second = new EventRelay(store, flaky, { naming, agencies: ['500109-rsj'] });
    await second.start();
    await until('the agency topic', () => (flaky.published.get(agencyTopic(naming, '500109-rsj'))?.length ?? 0) >= 2);
    await second.stop();
    expect(await store.loadCheckpoint(second.subscriberId)).toBe(stored[1].position);
    // at least once: case-events carried the whole batch once per attempt, in order each time; consumers drop repeats by id
    const sent = flaky.published.get(caseEvents)!.map((m) => m.headers!.ce_id);
    expect(sent.length).toBe(sentBeforeCrash + 2);
    for (let i = 0; i < sent.length; i += 2) expect(sent.slice(i, i + 2)).toEqual([stored[0].id, stored[1].id]);
    expect(firstSeen(await recordAll(bus, agencyTopic(naming, '500109-rsj'), 2))).toEqual(stored.map((e) => e.id));
  });

  it('sends nothing that is not stored: an append the store refused never reaches a topic', async () => {
    const caseId = randomUUID();
    const [reg] = await append(`case-${caseId}`, [registered(caseId)]);
    await expect(store.append(`case-${caseId}`, [ev(caseId, CaseEventTypes.PetitionClassified, {})], 'no-stream')).rejects.toThrow();
    const relay = new EventRelay(store, bus, { naming, agencies: [] });
    await relay.start();
    const all = await record(bus, caseEvents);
    await until('the stored event', () => all.length >= 1);
    await relay.stop();
    expect(ids(all)).toEqual([reg.id]);
  });

  it('splits a batch into publish calls under the size limit, all topics together, keeping the order', async () => {
    const caseId = randomUUID();
    const big = 'x'.repeat(3000);
    const stored = await append(`case-${caseId}`, Array.from({ length: 12 }, (_, i) => ev(caseId, CaseEventTypes.PetitionClassified, { category: `${i}${big}` })));
    const counting = new FlakyBus(bus);
    const relay = new EventRelay(store, counting, { naming, agencies: [], maxPublishBytes: 10_000 });
    await relay.start();
    await until('all published', () => (counting.published.get(caseEvents)?.length ?? 0) >= 12);
    await relay.stop();
    expect(counting.calls.filter((c) => c.topics.includes(caseEvents)).length).toBeGreaterThanOrEqual(4);
    for (const call of counting.calls) expect(call.bytes).toBeLessThanOrEqual(10_000);
    expect(counting.published.get(caseEvents)!.map((m) => m.headers!.ce_id)).toEqual(stored.map((e) => e.id));
  });
});

/** reads a topic from the start with a fresh group until `count` messages arrived */
async function recordAll(bus: MessageBus, topic: string, count: number): Promise<IncomingMessage[]> {
  const got = await record(bus, topic);
  await until(`${count} messages on ${topic}`, () => got.length >= count);
  return got;
}

/** passes through to a real bus, recording what it accepted; while `failing`, refuses agency topics */
class FlakyBus implements MessageBus {
  readonly kind = 'flaky';
  failing = false;
  refused = 0;
  readonly published = new Map<string, OutgoingMessage[]>();
  /** each publish call: the topics it carried and its bytes in all */
  readonly calls: { topics: string[]; bytes: number }[] = [];
  constructor(private readonly inner: MessageBus) {}
  createTopics: MessageBus['createTopics'] = (t) => this.inner.createTopics(t);
  subscribe: MessageBus['subscribe'] = (o) => this.inner.subscribe(o);
  health: MessageBus['health'] = () => this.inner.health();
  close: MessageBus['close'] = async () => undefined;
  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    return this.publishAll([{ topic, messages }]);
  }
  /** topic by topic, as a multi-topic produce request can fail on some partitions after others took their messages */
  async publishAll(batch: TopicMessages[]): Promise<void> {
    const size = (m: OutgoingMessage) => m.value.length + m.key.length + Object.entries(m.headers ?? {}).reduce((k, [a, b]) => k + a.length + Buffer.byteLength(b), 0);
    this.calls.push({ topics: batch.map((b) => b.topic), bytes: batch.reduce((n, b) => n + b.messages.reduce((x, m) => x + size(m), 0), 0) });
    for (const { topic, messages } of batch) {
      if (this.failing && topic.includes('.agency.')) {
        this.refused++;
        throw new Error('broker unavailable');
      }
      await this.inner.publish(topic, messages);
      this.published.set(topic, [...(this.published.get(topic) ?? []), ...messages]);
    }
  }
}
