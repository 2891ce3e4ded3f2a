import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseEventsTopic, DEAD_LETTER_HEADERS, deadLetterTopic, encodeEventMessage, type StoredEvent } from '@lianban/contracts';
import { DomainError } from '@lianban/domain';
import { SqliteEventStore } from '@lianban/eventstore';
import { KafkaBus } from '@lianban/messaging';
import { assertBrokerReachable, deleteTopics, KAFKA_BROKERS } from '@lianban/testing/distributed';
import { createTestIssuer } from '@lianban/testing/jwt';
import { readTopic } from '@lianban/testing/topic-reader';
import { loadConfig } from '../config';
import { EventFeed } from '../event-feed';
import { HlcService } from '../hlc.service';
import { Metrics } from '../metrics';
import { CONSUMER_MAX_RETRIES, EventConsumers } from './event-consumers';

/**
 * A consumer on the real broker (never skipped: no broker is a failure): one consumer group per
 * service, the HLC advanced by what it consumes, a rule's refusal passed over, and a message it
 * cannot process retried with backoff, then parked on `<region>.dlq.<consumer>` with the error,
 * while the partition moves on.
 */
const quiet = { warn: () => undefined, error: () => undefined };
const TIMEOUT = 90_000;

function event(caseId: string, n: number, hlc: string): StoredEvent {
  return {
    id: randomUUID(), type: 'lianban.task.action-recorded.v1', caseId, causationId: `request:${n}`, region: 'cq', agencyId: '500109-rsj',
    actor: { id: 'u', role: 'caseworker' }, occurredAt: '2026-01-05T02:00:00.000Z', hlc, data: { kind: 'other', note: `#${n}` },
    streamId: `task-${caseId}-500109-rsj`, revision: n, position: n + 1, recordedAt: '2026-01-05T02:00:00.000Z',
  };
}

describe('EventConsumers on Kafka', () => {
  const prefix = `it-consumers-${randomUUID().slice(0, 8)}.`;
  let dir: string;
  let store: SqliteEventStore;
  let bus: KafkaBus;
  let consumers: EventConsumers;
  let hlc: HlcService;
  const seen: string[] = [];

  beforeAll(async () => {
    await assertBrokerReachable();
    dir = mkdtempSync(join(tmpdir(), 'lianban-consumers-'));
    store = SqliteEventStore.open(join(dir, 'events.sqlite'), { logger: quiet });
    bus = new KafkaBus({ brokers: KAFKA_BROKERS.split(','), clientId: 'it-consumers', logger: quiet });
    const config = loadConfig({ BUS: 'kafka', KAFKA_BROKERS, ...createTestIssuer({ dir }).env, KAFKA_TOPIC_PREFIX: prefix, DATA_DIR: dir });
    hlc = new HlcService(store);
    await hlc.onModuleInit();
    consumers = new EventConsumers(config, bus, new EventFeed(store), hlc, new Metrics());
  }, TIMEOUT);

  afterAll(async () => {
    await consumers?.onApplicationShutdown();
    await bus?.close();
    await store?.close();
    await deleteTopics(prefix).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TIMEOUT);

  it('dead-letters what it cannot process after its retries, with the error, and goes on with the partition', async () => {
    const caseId = randomUUID();
    const naming = { prefix, region: 'cq' as const };
    const refused = event(caseId, 1, '001767578400000.00000');
    const failing = event(caseId, 2, '001767578400000.00001');
    const good = event(caseId, 3, '009999999999999.00007');
    let attempts = 0;
    consumers.register({
      consumer: 'probe', source: { topic: 'case-events' }, reaction: 'record',
      react: async (e) => {
        if (e.id === refused.id) throw new DomainError('SOME_RULE', 'a rule said no');
        if (e.id === failing.id) {
          attempts++;
          throw new Error('downstream keeps failing');
        }
        seen.push(e.id);
        return 'applied';
      },
    });
    await consumers.onApplicationBootstrap();

    // a message that is not a CloudEvent and one whose reaction keeps failing, before a good one, all on one key (one partition)
    const poison = { key: caseId, value: Buffer.from('{"not":"a cloudevent"'), headers: { ce_id: 'poison', ce_type: 'lianban.unknown.v1' } };
    await bus.publish(caseEventsTopic(naming), [encodeEventMessage(refused), poison, encodeEventMessage(failing), encodeEventMessage(good)]);

    const [dead, deadFailing] = await readTopic(KAFKA_BROKERS, deadLetterTopic(naming, 'probe'), (m) => m.length >= 2, 'the dead letters', 60_000);
    expect(dead.key).toBe(caseId);
    expect(dead.value.toString()).toBe(poison.value.toString());
    expect(dead.headers).toMatchObject({
      ce_id: 'poison', ce_type: 'lianban.unknown.v1',
      [DEAD_LETTER_HEADERS.consumer]: 'probe', [DEAD_LETTER_HEADERS.topic]: caseEventsTopic(naming), [DEAD_LETTER_HEADERS.partition]: expect.stringMatching(/^\d+$/),
      [DEAD_LETTER_HEADERS.offset]: expect.stringMatching(/^\d+$/),
    });
    expect(dead.headers[DEAD_LETTER_HEADERS.error]).toMatch(/EventMessageError: missing header ce_specversion/);

    expect(deadFailing.headers).toMatchObject({ ce_id: failing.id, [DEAD_LETTER_HEADERS.error]: 'Error: downstream keeps failing' });
    expect(attempts).toBe(CONSUMER_MAX_RETRIES + 1);

    for (let i = 0; i < 400 && !seen.includes(good.id); i++) await new Promise((r) => setTimeout(r, 50));
    // the refused one is an answer, not a failure: passed over, not dead-lettered, not retried into the DLQ
    expect(seen).toEqual([good.id]);
    // the clock moved past what was consumed: anything stamped now sorts after it
    expect(hlc.stamp('2026-01-05T02:00:00.000Z') > good.hlc).toBe(true);
  }, TIMEOUT);
});
