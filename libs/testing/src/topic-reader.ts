import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export interface ReadMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning with a throwaway consumer group (plain kafkajs, not the
 * project's bus: the test looks at what is on the wire) until `until` holds. The bound only
 * turns a hang into a failure that says what did arrive.
 */
export async function readTopic(brokers: string, topic: string, until: (messages: ReadMessage[]) => boolean, what: string, timeoutMs = 60_000): Promise<ReadMessage[]> {
  const kafka = new Kafka({ clientId: 'e2e-reader', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `e2e-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`gave up waiting for ${what} on ${topic}; read ${messages.length}: ${messages.map((m) => m.headers.ce_type).join(', ')}`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ topic: t, partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) {
            const last = Array.isArray(v) ? v[v.length - 1] : v;
            if (last !== undefined) headers[k] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
          }
          messages.push({ topic: t, partition, offset: message.offset, key: message.key?.toString('utf8') ?? '', value: message.value ?? Buffer.alloc(0), headers });
          if (until(messages)) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
