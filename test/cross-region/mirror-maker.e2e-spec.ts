import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { encodeEventMessage, type StoredEvent } from '@lianban/contracts';
import { CROSS_REGION_PARTITIONS } from '@lianban/platform';
import { AsyncApiValidator } from '@lianban/testing/asyncapi';
import { startJointRegions, type JointRegions } from '@lianban/testing/cross-region';
import { startDedicatedBroker, type DedicatedBroker } from '@lianban/testing/kafka-broker';
import {
  ensureMirrorMakerJars, MM2_PROPERTIES, propertyKeys, startMirrorMaker, withOverrides, type MirrorMaker,
} from '@lianban/testing/mirror-maker';
import { readTopic, type ReadMessage } from '@lianban/testing/topic-reader';
import { expectCausal, runJointCase, type Entry } from './joint-case';

/**
 * Production's topology (docs/cross-region.md): cq and sc each on a Kafka cluster of its own,
 * MirrorMaker 2 in dedicated mode between them running the committed docker/mm2/mm2.properties,
 * where only the clusters' addresses and the replication factors (one broker per cluster here)
 * are changed. The regions' links write their outbound topics and import from their inbound ones
 * exactly as in production; nothing else copies between the clusters.
 */
jest.setTimeout(120_000);

/** what a one-broker cluster cannot honour; everything else runs as committed */
const SINGLE_BROKER = Object.fromEntries([
  'replication.factor', 'offset-syncs.topic.replication.factor', 'heartbeats.topic.replication.factor', 'checkpoints.topic.replication.factor',
  'config.storage.replication.factor', 'offset.storage.replication.factor', 'status.storage.replication.factor',
].map((k) => [k, '1']));

async function createTopics(cluster: DedicatedBroker, topics: string[]): Promise<void> {
  const admin = new Kafka({ brokers: [cluster.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: CROSS_REGION_PARTITIONS })) });
  } finally {
    await admin.disconnect();
  }
}

describe('MirrorMaker 2 between two regions\' clusters, as docker/mm2/mm2.properties configures it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-mm2-'));
  const clusters: DedicatedBroker[] = [];
  let cq: DedicatedBroker;
  let sc: DedicatedBroker;
  let mm2: MirrorMaker | undefined;
  let regions: JointRegions | undefined;
  let config = '';
  const cases: { caseId: string; cqTimeline: Entry[]; scTimeline: Entry[] }[] = [];

  beforeAll(async () => {
    const mirrorMakerLib = await ensureMirrorMakerJars();
    // each region's cluster, on a home and ports of its own; one that started is closed even if the other did not
    const starts = await Promise.allSettled([startDedicatedBroker({ label: 'lianban-mm2-cq-' }), startDedicatedBroker({ label: 'lianban-mm2-sc-' })]);
    for (const b of starts) if (b.status === 'fulfilled') clusters.push(b.value);
    for (const b of starts) if (b.status === 'rejected') throw b.reason;
    [cq, sc] = clusters;
    // the topics the regions' links would create, made first so that MirrorMaker finds them at its start
    // (it looks again only every refresh.topics.interval.seconds) while the regions start beside it
    await Promise.all([createTopics(cq, ['cq.outbound.sc', 'cq.inbound.sc']), createTopics(sc, ['sc.outbound.cq', 'sc.inbound.cq'])]);
    config = withOverrides(fs.readFileSync(MM2_PROPERTIES, 'utf8'), { 'cq.bootstrap.servers': cq.brokers, 'sc.bootstrap.servers': sc.brokers, ...SINGLE_BROKER });
    const started = await Promise.allSettled([
      startJointRegions({ clusters: { cq: [cq.brokers], sc: [sc.brokers] }, skewMs: { sc: -10 * 60_000 } }),
      startMirrorMaker(config, path.join(dir, 'mm2'), mirrorMakerLib, ['cq->sc', 'sc->cq']),
    ]);
    if (started[0].status === 'fulfilled') regions = started[0].value;
    if (started[1].status === 'fulfilled') mm2 = started[1].value;
    for (const s of started) if (s.status === 'rejected') throw s.reason;
  }, 180_000);

  afterAll(async () => {
    await regions?.close();
    await mm2?.stop();
    await Promise.allSettled(clusters.map((c) => c.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs the committed file with nothing changed but the addresses and the replication factors', () => {
    const committed = propertyKeys(fs.readFileSync(MM2_PROPERTIES, 'utf8'));
    const ran = propertyKeys(config);
    expect([...ran.keys()]).toEqual([...committed.keys()]);
    const changed = [...ran].filter(([k, v]) => committed.get(k) !== v).map(([k]) => k).sort();
    expect(changed).toEqual(['cq.bootstrap.servers', 'sc.bootstrap.servers', ...Object.keys(SINGLE_BROKER)].sort());
  });

  it('carries two joint cases both ways: both regions hold the identical, causally ordered timeline', async () => {
    // two at once: two keys whose messages interleave on the topics
    const runs = await Promise.all([runJointCase(regions!), runJointCase(regions!)]);
    for (const { caseId, cqTimeline, scTimeline, want, short } of runs) {
      expect(scTimeline).toEqual(cqTimeline);
      expect(cqTimeline.map(short).sort()).toEqual([...want].sort());
      expectCausal(cqTimeline);
      expect(cqTimeline.filter((e) => e.region === 'sc').map(short)).toEqual(['task.accepted', 'task.opinion-submitted']);
      cases.push({ caseId, cqTimeline, scTimeline });
    }
  });

  it.each([
    ['cq', 'sc'],
    ['sc', 'cq'],
  ] as const)('copies %s.outbound.%s into the other cluster\'s inbound topic message for message, and each matches docs/asyncapi.yaml', async (from, to) => {
    expect(cases).toHaveLength(2);
    const source = from === 'cq' ? cq : sc;
    const target = to === 'cq' ? cq : sc;
    const written = new Set(cases.flatMap((c) => c.cqTimeline.filter((e) => e.region === from).map((e) => e.eventId)));
    const ids = (ms: ReadMessage[]) => new Set(ms.map((m) => m.headers.ce_id));
    const outbound = await readTopic(source.brokers, `${from}.outbound.${to}`, (ms) => [...written].every((id) => ids(ms).has(id)), `every event ${from} wrote`);
    const inbound = await readTopic(target.brokers, `${to}.inbound.${from}`, (ms) => ms.length >= outbound.length, `${outbound.length} copies`);

    const wire = (m: ReadMessage) => ({ key: m.key, headers: m.headers, value: m.value.toString('base64') });
    const byPartition = (ms: ReadMessage[]) => {
      const out = new Map<number, ReturnType<typeof wire>[]>();
      for (const m of [...ms].sort((a, b) => Number(a.offset) - Number(b.offset))) out.set(m.partition, [...(out.get(m.partition) ?? []), wire(m)]);
      return Object.fromEntries([...out].sort(([a], [b]) => a - b));
    };
    // same partition, same order, same bytes: key, value and every header
    expect(byPartition(inbound)).toEqual(byPartition(outbound));
    // per case, the copies arrive in the order the home region stored them
    for (const { caseId, cqTimeline } of cases) {
      const stored = cqTimeline.filter((e) => e.region === from).map((e) => e.eventId);
      expect(inbound.filter((m) => m.key === caseId).map((m) => m.headers.ce_id).filter((id) => stored.includes(id))).toEqual(
        outbound.filter((m) => m.key === caseId).map((m) => m.headers.ce_id).filter((id) => stored.includes(id)),
      );
      expect(new Set(inbound.filter((m) => m.key === caseId).map((m) => m.headers.ce_id))).toEqual(new Set(stored));
    }
    expect(inbound.every((m) => m.headers.ce_region === from)).toBe(true);

    const validator = new AsyncApiValidator();
    for (const m of outbound) expect({ id: m.headers.ce_id, errors: validator.check('outbound', m).errors }).toEqual({ id: m.headers.ce_id, errors: [] });
    for (const m of inbound) expect({ id: m.headers.ce_id, errors: validator.check('inbound', m).errors }).toEqual({ id: m.headers.ce_id, errors: [] });

    // the identity policy's remote topic: MirrorMaker creates it in the target, the transform sends everything past it
    const admin = new Kafka({ brokers: [target.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const remote = await admin.fetchTopicOffsets(`${from}.outbound.${to}`);
      expect(remote.map((p) => p.high)).toEqual(remote.map(() => '0'));
    } finally {
      await admin.disconnect();
    }
  });

  it('delivers a copy the importer cannot store to sc.dlq.inbound, as a documented DeadLetter', async () => {
    // a revision that skips ahead on a stream sc does not hold: a gap, which the importer must not paper over
    const caseId = randomUUID();
    const gap: StoredEvent = {
      id: randomUUID(), type: 'lianban.case.classified.v1', caseId, causationId: null, region: 'cq', agencyId: '500109-xfb',
      actor: { id: 'coordinator@500109-xfb', role: 'coordinator' }, occurredAt: '2026-03-02T02:00:00.000Z', hlc: '001772416800000.00000',
      streamId: `case-${caseId}`, revision: 3, position: 999_999, recordedAt: '2026-03-02T02:00:00.010Z',
      data: { demandClass: 'suggestion', category: '水利/供水', route: 'petition' },
    };
    const producer = new Kafka({ brokers: [cq.brokers], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      const m = encodeEventMessage(gap);
      await producer.send({ topic: 'cq.outbound.sc', messages: [{ key: m.key, value: m.value, headers: m.headers }] });
    } finally {
      await producer.disconnect();
    }
    const [parked] = (await readTopic(sc.brokers, 'sc.dlq.inbound', (ms) => ms.some((x) => x.headers.ce_id === gap.id), 'the gap\'s dead letter')).filter((x) => x.headers.ce_id === gap.id);
    expect(parked.key).toBe(caseId);
    expect(parked.headers).toMatchObject({ lianban_consumer: 'inbound', lianban_topic: 'sc.inbound.cq', ce_region: 'cq', ce_revision: '3' });
    expect(parked.headers.lianban_error).toMatch(/^ReplicaError: .*revision 3 of case-.*holds it up to -1/);
    expect(new AsyncApiValidator().check('deadLetters', parked).errors).toEqual([]);
  });

  it('logged no error in MirrorMaker', () => {
    expect(mm2!.log().split('\n').filter((l) => / (ERROR|FATAL) /.test(l))).toEqual([]);
    // not vacuous: the log is MirrorMaker's, and it says what it replicated
    expect(mm2!.log()).toMatch(/replicating \d+ topic-partitions cq->sc: \[.*cq\.outbound\.sc-0/);
  });
});
