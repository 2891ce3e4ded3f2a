import { Socket } from 'net';
import { Kafka, logLevel } from 'kafkajs';
import { BUS_CONTRACT_PREFIX, runMessageBusContract } from '@lianban/testing';
import { KafkaBus, UnknownTopicError } from '@lianban/messaging';

// The real broker of scripts/kafka/start.sh. Not reachable is a failure, never a skip: a green
// run must mean the adapter was exercised against Kafka.
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const unreachable = `Kafka broker not reachable at ${brokers.join(',')}; start it with scripts/kafka/start.sh`;

function reachable(hostPort: string): Promise<boolean> {
  const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

const quiet = { warn: () => undefined, error: (m: string, meta?: unknown) => console.error(m, meta) };

async function openBus(): Promise<KafkaBus> {
  if (!(await reachable(brokers[0]))) throw new Error(unreachable);
  const bus = new KafkaBus({ brokers, clientId: 'bus-contract', logger: quiet });
  const health = await bus.health();
  if (!health.ok) {
    await bus.close();
    throw new Error(`${unreachable} (${health.detail})`);
  }
  return bus;
}

/** removes this run's topics so repeated runs do not fill the broker */
async function deleteContractTopics(): Promise<void> {
  const admin = new Kafka({ clientId: 'bus-contract-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(BUS_CONTRACT_PREFIX));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

let opened = 0;
runMessageBusContract(
  `kafka (${brokers.join(',')})`,
  async () => {
    const bus = await openBus();
    opened++;
    return {
      bus,
      cleanup: async () => {
        await bus.close();
        // the suite opens a second bus for one test; the topics go when the first one closes
        if (--opened === 0) await deleteContractTopics();
      },
    };
  },
  { timeoutMs: 60_000 },
);

describe('KafkaBus specifics', () => {
  it('reports an unreachable cluster as unhealthy within its timeout instead of hanging', async () => {
    // port 9 (discard) on loopback: nothing listens, the connection is refused at once
    const bus = new KafkaBus({ brokers: ['127.0.0.1:9'], healthTimeoutMs: 1500, logger: { warn: () => undefined, error: () => undefined } });
    const health = await bus.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/127\.0\.0\.1:9/);
    await bus.close();
  }, 30_000);

  it('refuses an unknown topic quickly even after the topic list was cached', async () => {
    const bus = await openBus();
    try {
      const topic = `${BUS_CONTRACT_PREFIX}known.${Date.now()}`;
      await bus.createTopics([{ topic, partitions: 1 }]);
      await bus.publish(topic, [{ key: 'k', value: Buffer.from('x') }]);
      await expect(bus.publish(`${topic}.typo`, [{ key: 'k', value: Buffer.from('x') }])).rejects.toBeInstanceOf(UnknownTopicError);
    } finally {
      await bus.close();
    }
  }, 60_000);
});
