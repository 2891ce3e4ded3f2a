import * as net from 'node:net';
import { startDedicatedBroker, type DedicatedBroker } from './kafka-broker';
import { freePort } from './process';

/**
 * A TCP proxy in front of a real broker (which advertises the proxy's port, so every client
 * connection goes through it) that can lose one answer: the broker receives a Produce request,
 * writes the batch and answers, and the client never hears it — the connection is cut at that
 * moment, and the proxy refuses connections until heal(). This is what a broker that dies right
 * after appending, or a network that drops at the wrong instant, does to a producer; made
 * deterministic, as killing a broker at a random moment is not.
 *
 * Kafka's framing is a 4-byte size then the body; a request body begins with api key (int16),
 * api version (int16) and correlation id (int32), a response body with the correlation id.
 */
export interface KafkaProxy {
  port: number;
  /** arms the loss; resolves once the answer to a Produce request has been swallowed */
  loseNextProduceAnswer(): Promise<void>;
  /** cuts every connection and refuses new ones until heal(): the broker is unreachable */
  cut(): void;
  /** accepts connections again */
  heal(): void;
  close(): Promise<void>;
}

const PRODUCE = 0;

export async function startKafkaProxy(port: number, target: { host: string; port: number }): Promise<KafkaProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let refusing = false;
  let armed: (() => void) | null = null;

  const cutAll = () => {
    for (const p of pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    pairs.clear();
  };

  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target);
    const pair = { client, upstream };
    pairs.add(pair);
    const produceRequests = new Set<number>();
    let requests = Buffer.alloc(0);
    let answers = Buffer.alloc(0);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);

    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      requests = Buffer.concat([requests, chunk]);
      while (requests.length >= 4 && requests.length >= 4 + requests.readInt32BE(0)) {
        if (requests.readInt16BE(4) === PRODUCE) produceRequests.add(requests.readInt32BE(8));
        requests = requests.subarray(4 + requests.readInt32BE(0));
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      answers = Buffer.concat([answers, chunk]);
      while (answers.length >= 4 && answers.length >= 4 + answers.readInt32BE(0)) {
        const size = answers.readInt32BE(0);
        const frame = answers.subarray(0, 4 + size);
        answers = answers.subarray(4 + size);
        const correlationId = frame.readInt32BE(4);
        if (armed && produceRequests.has(correlationId)) {
          const done = armed;
          armed = null;
          refusing = true;
          cutAll();
          done();
          return;
        }
        produceRequests.delete(correlationId);
        client.write(frame);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    port,
    loseNextProduceAnswer: () => new Promise<void>((resolve) => (armed = resolve)),
    cut: () => {
      refusing = true;
      cutAll();
    },
    heal: () => {
      refusing = false;
    },
    close: async () => {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** a broker of the caller's own that tells clients the proxy's address, so every connection to it goes through the proxy */
export async function startBrokerBehindProxy(): Promise<{ broker: DedicatedBroker; proxy: KafkaProxy }> {
  const proxyPort = await freePort();
  const broker = await startDedicatedBroker({ advertisedPort: proxyPort });
  const proxy = await startKafkaProxy(proxyPort, { host: '127.0.0.1', port: broker.port });
  return { broker, proxy };
}
