/**
 * B5's measured process for the relay's throughput: the outbox relay publishing every event
 * already in a PostgreSQL store to Kafka, against a raw kafkajs producer sending the same
 * messages, taking turns in rounds. Prints one JSON line.
 *
 *   LIANBAN_DIST=<built dist> node <this file transpiled> <database url> <brokers> <topic prefix> <rounds>
 *
 * It runs as plain JavaScript against the built app (see bench/lib/common.ts `compiled`), so its
 * profile (BENCH_CPU_PROF) holds the relay and kafkajs, nothing of the bench.
 *
 * First a dry pass: the app's EventRelay over the store and a bus that only records, fed the
 * batches its subscription would read (200 events), gives every message the relay sends, and
 * where, per store batch. Then each round:
 *   relay      a fresh EventRelay (new checkpoint id) on the app's KafkaBus follows the store from
 *              position 0 until its last batch is published and checkpointed
 *   raw        a kafkajs producer with the bus's settings (idempotent, acks=-1, one request in
 *              flight, the Java partitioner) sends the same messages, one sendBatch per store
 *              batch for all its topics: the same batching opportunity, acknowledged batch by batch
 *   raw-per-topic  the same producer, one send per topic of each store batch, each awaited: what
 *              the relay did before it published a batch's topics in one call (publishAll)
 *   bus        the app's KafkaBus.publishAll with the same batches: the adapter without the relay
 * All of them write to the same topics (created once, before the rounds); each checks that the
 * topics grew by exactly the number of messages it sent.
 */
import * as path from 'node:path';
import { Kafka, logLevel, Partitioners, type Message, type Producer } from 'kafkajs';
import type * as Contracts from '@lianban/contracts';
import type * as EventStoreLib from '@lianban/eventstore';
import type * as Messaging from '@lianban/messaging';
import type * as Relay from '../../libs/platform/src/relay/event-relay';

const dist = process.env.LIANBAN_DIST!;
/* eslint-disable @typescript-eslint/no-require-imports */
const { agencyTopic, caseEventsTopic } = require(path.join(dist, 'libs/contracts/src')) as typeof Contracts;
const { PostgresEventStore } = require(path.join(dist, 'libs/eventstore/src')) as typeof EventStoreLib;
const { KafkaBus } = require(path.join(dist, 'libs/messaging/src')) as typeof Messaging;
const { EventRelay, AGENCY_TOPIC_PARTITIONS, CASE_EVENTS_PARTITIONS } = require(path.join(dist, 'libs/platform/src/relay/event-relay')) as typeof Relay;
/* eslint-enable @typescript-eslint/no-require-imports */

const [databaseUrl, brokersText, prefix, roundsText] = process.argv.slice(2);
const brokers = brokersText.split(',');
const rounds = Number(roundsText);
const BATCH = 200;
const naming = { prefix, region: 'cq' as const };
const quiet = { log: () => undefined, warn: (m: string) => process.stderr.write(`${m}\n`) };
const busLogger = { warn: (m: string) => process.stderr.write(`${m}\n`), error: (m: string) => process.stderr.write(`${m}\n`) };

interface Send {
  topic: string;
  messages: Messaging.OutgoingMessage[];
}

/** A bus that sends nothing: it records the relay's calls. */
class RecordingBus implements Messaging.MessageBus {
  readonly kind = 'recording';
  /** each call: its topics' messages */
  sends: Send[][] = [];
  async createTopics(): Promise<void> {}
  async publish(topic: string, messages: Messaging.OutgoingMessage[]): Promise<void> {
    this.sends.push([{ topic, messages }]);
  }
  async publishAll(batch: Messaging.TopicMessages[]): Promise<void> {
    this.sends.push(batch);
  }
  async subscribe(): Promise<Messaging.ConsumerHandle> {
    throw new Error('not a consumer');
  }
  async health() {
    return { ok: true, subscriptions: [] };
  }
  async close(): Promise<void> {}
}

interface VariantRun {
  variant: 'relay' | 'raw' | 'raw-per-topic' | 'bus';
  round: number;
  seconds: number;
  events: number;
  messages: number;
  /** what the topics grew by while it ran */
  written: number;
  /** the relay's seconds: awaiting publish calls, routing batches (case reads, encoding), the subscription (batch reads, checkpoints) */
  split?: { publish: number; route: number; subscription: number };
}

async function topicEnds(admin: ReturnType<Kafka['admin']>, topics: string[]): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      let sum = 0;
      for (const t of topics) for (const p of await admin.fetchTopicOffsets(t)) sum += Number(p.high);
      return sum;
    } catch (error) {
      // a KRaft broker's metadata may lag a topic's creation for a moment ("does not host this topic-partition")
      if (attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const toKafka = (m: Messaging.OutgoingMessage): Message => ({ key: m.key, value: m.value, headers: m.headers ?? {} });

async function main(): Promise<Record<string, unknown>> {
  const store = await PostgresEventStore.connect(databaseUrl, { logger: { warn: quiet.warn } });
  const kafka = new Kafka({ clientId: 'bench-b5-raw', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // the dry pass: the relay's messages, store batch by store batch
    const recorder = new RecordingBus();
    const dry = new EventRelay(store, recorder, { naming, agencies: [] });
    /** per store batch, its messages topic by topic (a topic's messages in one entry, in store order) */
    const batches: Send[][] = [];
    let relayCalls = 0;
    let events = 0;
    let last = 0;
    for (let after = 0; ; ) {
      const batch = await store.readAll({ after, limit: BATCH });
      if (batch.length === 0) break;
      recorder.sends = [];
      await dry.relay(batch);
      relayCalls += recorder.sends.length;
      const byTopic = new Map<string, Send>();
      for (const send of recorder.sends.flat()) {
        const entry = byTopic.get(send.topic);
        if (entry) entry.messages.push(...send.messages);
        else byTopic.set(send.topic, { topic: send.topic, messages: [...send.messages] });
      }
      batches.push([...byTopic.values()]);
      events += batch.length;
      after = last = batch[batch.length - 1].position;
    }
    const messages = batches.flat().reduce((n, s) => n + s.messages.length, 0);
    const bytes = batches.flat().reduce((n, s) => n + s.messages.reduce((b, m) => b + m.value.length, 0), 0);
    const caseEvents = caseEventsTopic(naming);
    const topics = [...new Set(batches.flat().map((s) => s.topic))];
    const agencies = topics.filter((t) => t !== caseEvents).map((t) => t.slice(agencyTopic(naming, '').length));
    const warmUp = `${prefix}bench-warm-up`;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        ...topics.map((topic) => ({ topic, numPartitions: topic === caseEvents ? CASE_EVENTS_PARTITIONS : AGENCY_TOPIC_PARTITIONS, replicationFactor: 1 })),
        { topic: warmUp, numPartitions: 1, replicationFactor: 1 },
      ],
    });

    const topicsPerBatch = batches.reduce((n, b) => n + b.length, 0) / Math.max(1, batches.length);
    const runs: VariantRun[] = [];
    const measured = async (variant: VariantRun['variant'], round: number, go: () => Promise<void>) => {
      const before = await topicEnds(admin, topics);
      const start = process.hrtime.bigint();
      await go();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const written = (await topicEnds(admin, topics)) - before;
      runs.push({ variant, round, seconds, events, messages, written });
      process.stderr.write(`  B5 ${variant} round ${round}: ${seconds.toFixed(2)} s, ${(messages / seconds).toFixed(0)} messages/s (${written} written)\n`);
    };

    const rawProducer = async (): Promise<Producer> => {
      // the KafkaBus producer's settings (libs/messaging/src/kafka/kafka-bus.ts)
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return producer;
    };

    const relayRound = async (round: number) => {
      // the bus's clients connect before the clock starts (a warm-up publish), as the raw producer's do
      const kafkaBus = new KafkaBus({ brokers, logger: busLogger, kafkaLogLevel: logLevel.NOTHING });
      await kafkaBus.publish(warmUp, [{ key: 'warm-up', value: Buffer.from('{}') }]);
      // where the relay's time goes: waiting on the broker, routing a batch (its case reads, the
      // encoding), and the rest (the subscription reading batches and saving checkpoints)
      const split = { publish: 0, handler: 0 };
      const timed = async (call: () => Promise<void>) => {
        const t = process.hrtime.bigint();
        try {
          await call();
        } finally {
          split.publish += Number(process.hrtime.bigint() - t) / 1e9;
        }
      };
      const bus: Messaging.MessageBus = {
        kind: kafkaBus.kind,
        createTopics: (t) => kafkaBus.createTopics(t),
        subscribe: (o) => kafkaBus.subscribe(o),
        health: () => kafkaBus.health(),
        close: () => kafkaBus.close(),
        publish: (topic, messages) => timed(() => kafkaBus.publish(topic, messages)),
        publishAll: (batch) => timed(() => kafkaBus.publishAll(batch)),
      };
      let done: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const relay = new EventRelay(store, bus, {
        naming, agencies, subscriberId: `bench.relay.${round}.${Date.now()}`, logger: quiet,
        onRelayed: (batch) => {
          if (batch[batch.length - 1].position >= last) done();
        },
      });
      const route = relay.relay.bind(relay);
      relay.relay = async (batch) => {
        const t = process.hrtime.bigint();
        try {
          await route(batch);
        } finally {
          split.handler += Number(process.hrtime.bigint() - t) / 1e9;
        }
      };
      // onRelayed runs before the batch's checkpoint is saved: stop() waits for that save as well
      await measured('relay', round, async () => {
        await relay.start();
        await finished;
        await relay.stop();
      });
      const total = runs[runs.length - 1].seconds;
      runs[runs.length - 1].split = { publish: split.publish, route: split.handler - split.publish, subscription: total - split.handler };
      await kafkaBus.close();
    };

    const rawRound = async (round: number, perTopic: boolean) => {
      const raw = await rawProducer();
      try {
        await measured(perTopic ? 'raw-per-topic' : 'raw', round, async () => {
          for (const batch of batches) {
            if (batch.length === 0) continue;
            if (perTopic) for (const s of batch) await raw.send({ topic: s.topic, acks: -1, messages: s.messages.map(toKafka) });
            else await raw.sendBatch({ acks: -1, topicMessages: batch.map((s) => ({ topic: s.topic, messages: s.messages.map(toKafka) })) });
          }
        });
      } finally {
        await raw.disconnect();
      }
    };

    const busRound = async (round: number) => {
      const kafkaBus = new KafkaBus({ brokers, logger: busLogger, kafkaLogLevel: logLevel.NOTHING });
      await kafkaBus.publish(warmUp, [{ key: 'warm-up', value: Buffer.from('{}') }]);
      try {
        await measured('bus', round, async () => {
          for (const batch of batches) if (batch.length > 0) await kafkaBus.publishAll(batch);
        });
      } finally {
        await kafkaBus.close();
      }
    };

    // the variants take turns, and who goes first rotates: whatever the broker still does after
    // one variant (flushing, rolling segments) falls on each of them alike
    const variants = [(r: number) => relayRound(r), (r: number) => rawRound(r, false), (r: number) => rawRound(r, true), (r: number) => busRound(r)];
    for (let round = 1; round <= rounds; round++) {
      for (let i = 0; i < variants.length; i++) await variants[(round - 1 + i) % variants.length](round);
    }
    return {
      events, messages, valueBytes: bytes, batches: batches.length, topics: topics.length,
      topicsPerBatch, relayCallsPerBatch: relayCalls / Math.max(1, batches.length), runs,
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
    await store.close();
  }
}

main().then(
  (r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  },
);
