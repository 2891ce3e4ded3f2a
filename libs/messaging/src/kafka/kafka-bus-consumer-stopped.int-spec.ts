import { KafkaBus, type ConsumerHandle, type IncomingMessage, type SubscriptionStatus } from '@lianban/messaging';
import type { DedicatedBroker } from '@lianban/testing/kafka-broker';
import { startBrokerBehindProxy, type KafkaProxy } from '@lianban/testing/kafka-proxy';

/**
 * Found by F2 (broker outage): nothing watched a kafkajs consumer after start-up, so one kafkajs
 * gave up on (its CRASH event with `restart: false`) stopped consuming without anyone knowing.
 *
 * A broker of this test's own behind a proxy that cuts every connection and refuses new ones: the
 * consumers' fetches fail until kafkajs' retries run out and it crashes them with a retriable
 * error. One bus leaves the restart to kafkajs (the default: it rides the outage out); the other
 * answers kafkajs' `restartOnFailure` with false, which is kafkajs' own path to a consumer it will
 * not restart. Both outcomes must show in the subscription's status and in health(), and the one
 * that stopped for good must be reported once to `onStopped`.
 */
const TIMEOUT = 180_000;
const quiet = { warn: () => undefined, error: () => undefined };

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('KafkaBus: a consumer kafkajs gives up on', () => {
  let broker: DedicatedBroker;
  let proxy: KafkaProxy;
  const buses: KafkaBus[] = [];

  beforeAll(async () => {
    ({ broker, proxy } = await startBrokerBehindProxy());
  }, TIMEOUT);

  afterAll(async () => {
    proxy?.heal();
    await Promise.allSettled(buses.map((b) => b.close()));
    await proxy?.close();
    await broker?.close();
  }, TIMEOUT);

  it('reports it stopped with its error, calls onStopped once, while a restarting one comes back', async () => {
    const topic = 'consumer-stopped';
    const open = (clientId: string, restartOnFailure?: () => Promise<boolean>) => {
      const bus = new KafkaBus({ brokers: [broker.brokers], clientId, logger: quiet, restartOnFailure });
      buses.push(bus);
      return bus;
    };
    const riding = open('rides-it-out');
    const givingUp = open('gives-up', async () => false);
    await riding.createTopics([{ topic, partitions: 1 }]);

    const received: IncomingMessage[] = [];
    const stoppedWith: unknown[] = [];
    const ridingHandle = await riding.subscribe({ groupId: 'rides-it-out', topics: [topic], handler: async (m) => void received.push(m) });
    const givingUpHandle = await givingUp.subscribe({
      groupId: 'gives-up', topics: [topic], handler: async () => undefined, onStopped: (error) => stoppedWith.push(error),
    });
    const state = (h: ConsumerHandle) => h.status().state;
    expect(ridingHandle.status()).toMatchObject({ groupId: 'rides-it-out', topics: [topic], state: 'running' });
    expect((await givingUp.health()).subscriptions).toEqual([givingUpHandle.status()]);
    expect(givingUpHandle.status()).toMatchObject({ groupId: 'gives-up', topics: [topic], state: 'running' });
    expect(givingUpHandle.status().error).toBeUndefined();

    proxy.cut();
    await until('kafkajs to give up on the consumer whose restartOnFailure says no', () => state(givingUpHandle) === 'stopped');
    const stopped: SubscriptionStatus = givingUpHandle.status();
    expect(stopped.error).toEqual(expect.any(String));
    expect(stoppedWith).toHaveLength(1);
    expect(stoppedWith[0]).toBeInstanceOf(Error);
    const during = await givingUp.health();
    expect(during.ok).toBe(false);
    expect(during.subscriptions).toEqual([stopped]);
    // the other one crashed as well, and kafkajs is restarting it
    await until('kafkajs to restart the default consumer', () => state(ridingHandle) === 'restarting');
    expect(ridingHandle.status().error).toEqual(expect.any(String));

    proxy.heal();
    await until('the default consumer to rejoin its group', () => state(ridingHandle) === 'running');
    expect(ridingHandle.status().error).toBeUndefined();
    await riding.publish(topic, [{ key: 'k', value: Buffer.from('after the outage') }]);
    await until('the message published after the outage to be consumed', () => received.length === 1);
    // the broker is back, and the consumer that stopped for good stays stopped: nothing but a new consumer (a new process) brings it back
    const after = await givingUp.health();
    expect(after.ok).toBe(true);
    expect(after.subscriptions).toEqual([stopped]);
    expect(stoppedWith).toHaveLength(1);

    // stop() of a stopped consumer resolves, and it is no longer reported
    await givingUpHandle.stop();
    expect((await givingUp.health()).subscriptions).toEqual([]);
  }, TIMEOUT);
});
