import { KafkaBus } from '@lianban/messaging';
import type { DedicatedBroker } from '@lianban/testing/kafka-broker';
import { startBrokerBehindProxy, type KafkaProxy } from '@lianban/testing/kafka-proxy';
import { readTopic } from '@lianban/testing/topic-reader';

/**
 * Found by F2 (broker outage): a send the broker wrote but never answered left kafkajs' idempotent
 * producer behind the broker. kafkajs rolls the partition's sequence number back when a send
 * fails, so every later batch started at a sequence the broker had already passed and was refused
 * with OUT_OF_ORDER_SEQUENCE_NUMBER, forever: the outbox relay retried the same batch for as long
 * as the process lived and no event reached a consumer again.
 *
 * A broker of this test's own behind a proxy that swallows the answer to one Produce request and
 * then refuses connections: the send fails although the batch is written. Once the proxy heals,
 * the caller sends again (what the relay does, with whatever it has read since) and that must go
 * through: the bus starts a new producer after a failed send.
 */
const TIMEOUT = 180_000;
const quiet = { warn: () => undefined, error: () => undefined };
const message = (id: string) => ({ key: 'case-1', value: Buffer.from(id), headers: { id } });

describe('KafkaBus: a send the broker wrote but never answered', () => {
  let broker: DedicatedBroker;
  let proxy: KafkaProxy;
  let bus: KafkaBus;

  beforeAll(async () => {
    ({ broker, proxy } = await startBrokerBehindProxy());
  }, TIMEOUT);

  afterAll(async () => {
    await bus?.close();
    await proxy?.close();
    await broker?.close();
  }, TIMEOUT);

  it('sends again afterwards, the written batch and the new one both on the topic, in order', async () => {
    bus = new KafkaBus({ brokers: [broker.brokers], clientId: 'lost-answer', logger: quiet });
    const topic = 'lost-answer';
    await bus.createTopics([{ topic, partitions: 1 }]);
    await bus.publish(topic, [message('a1')]);

    const lost = proxy.loseNextProduceAnswer();
    const unanswered = bus.publish(topic, [message('b1'), message('b2')]).then(() => null, (e: Error) => e);
    await lost;
    // kafkajs retries against a proxy that refuses, then gives up: to the caller the batch is not sent
    expect(await unanswered).toBeInstanceOf(Error);
    proxy.heal();

    // the caller sends again with what it has now, as the outbox relay does after a failed batch
    await bus.publish(topic, [message('b1'), message('b2'), message('c1')]);
    await bus.publish(topic, [message('d1')]);

    const ids = ['a1', 'b1', 'b2', 'c1', 'd1'];
    const read = await readTopic(broker.brokers, topic, (m) => ids.every((id) => m.some((x) => x.headers.id === id)), 'every batch');
    // the unanswered batch was written: it is there twice, the first sendings in order
    expect(read.map((m) => m.headers.id)).toEqual(['a1', 'b1', 'b2', 'b1', 'b2', 'c1', 'd1']);
  }, TIMEOUT);
});
