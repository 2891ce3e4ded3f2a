import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Principal } from '@lianban/auth';
import { caseEventsTopic, consumerGroup, deadLetterTopic, inboundTopic, otherRegion, outboundTopic, type Region, type StoredEvent } from '@lianban/contracts';
import { PostgresEventStore } from '@lianban/eventstore';
import { bridgeProcess, expectCausal, shortType as short, type BridgeProcess, type CausalEntry } from '@lianban/testing/cross-region';
import { deleteTopics, KAFKA_BROKERS, PEOPLE, startDistributedRun, type DistributedRun } from '@lianban/testing/distributed';
import { eventually, expectOk as ok, inboxItem } from '@lianban/testing/standalone';

/**
 * Issue 6's last done criterion (DESIGN 6): Chongqing and Sichuan as two distributed deployments,
 * every service its own OS process, over the real broker, sc's clock ten minutes behind and then
 * ten minutes ahead of cq's.
 *
 * - cq: intake, coordinator (outbox relay + cross-region link), 500109-slj's agency service, history;
 * - sc: coordinator (relay + link), 511623-sw's agency service, history. sc's intake is left out:
 *   nothing in this story is registered in Sichuan, so it would only cost start-up time;
 * - the replication bridge (dist/scripts/cross-region/bridge.js), standing in for MirrorMaker 2.
 *
 * Each region has its own PostgreSQL database and its own identity provider; both share this
 * run's topic prefix on the one broker, as docs/cross-region.md describes for tests.
 *
 * The 高竹新区 water case, with 邻水县水务局 leading this time, so that the reply which causes
 * cq's "case answered" is written in Sichuan: registered and assigned in cq; sc accepts, acts
 * and replies once cq's co-handler opinion has crossed over; cq's coordinator answers the case.
 */
const TIMEOUT = 240_000;
const TEN_MINUTES = 10 * 60_000;
const REGIONS: Region[] = ['cq', 'sc'];
const SW = '511623-sw';
const SLJ = '500109-slj';

const CQ_PEOPLE = {
  clerk: PEOPLE.clerk, coordinator: PEOPLE.coordinator, analyst: PEOPLE.analyst,
  slj: { sub: `caseworker@${SLJ}`, role: 'caseworker', agency: SLJ, region: 'cq' },
} satisfies Record<string, Principal>;
/** sc's analysts see the cases of their own region; a cq case is read in sc by the agency that has a part in it */
const SC_PEOPLE = {
  sw: { sub: `caseworker@${SW}`, role: 'caseworker', agency: SW, region: 'sc' },
} satisfies Record<string, Principal>;

/** the events of the story (the two tasks' interleave with each other); each region's timeline must hold exactly these */
const STORY = [
  'case.registered', 'case.classified', 'case.agencies-assigned', 'task.accepted', 'task.action-recorded',
  'task.accepted', 'task.action-recorded', 'task.opinion-submitted', 'task.reply-issued', 'task.completion-report-filed', 'case.answered',
];

async function storedCase(run: DistributedRun, caseId: string): Promise<{ events: StoredEvent[]; head: number }> {
  const store = await PostgresEventStore.connect(run.database.url);
  try {
    return { events: await store.readByCase(caseId), head: await store.headPosition() };
  } finally {
    await store.close();
  }
}

/** how the coordinator's case-answered reaction ended for the events it was handed (its /metrics) */
async function answersTried(run: DistributedRun): Promise<{ applied: number; refused: number }> {
  const text = String((await run.api('coordinator').get('/metrics')).body);
  const count = (outcome: string) => {
    const line = text.split('\n').find((l) => l.startsWith('lianban_consumed_events_total{') && l.includes('reaction="case-answered"') && l.includes(`outcome="${outcome}"`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  return { applied: count('applied'), refused: count('refused') };
}

/** what is on the broker: the sum of a topic's end offsets, and how far a group has committed on it */
class Offsets {
  private readonly admin = new Kafka({ clientId: 'e2e-offsets', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  connect = () => this.admin.connect();
  close = () => this.admin.disconnect();

  async end(topic: string): Promise<number> {
    return (await this.admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  }

  async committed(groupId: string, topic: string): Promise<number> {
    const [offsets] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }

  /** as if the groups had never committed: their next members read their topics from the start again */
  async forget(groupIds: string[]): Promise<void> {
    await this.admin.deleteGroups(groupIds);
  }
}

describe.each([
  ['10 minutes behind', -TEN_MINUTES],
  ['10 minutes ahead of', TEN_MINUTES],
])("a joint case, each region's services its own processes over the real broker, sc's clock %s cq's", (_label, skew) => {
  const prefix = `e2e-xrp-${randomUUID().slice(0, 8)}.`;
  let cq: DistributedRun;
  let sc: DistributedRun;
  let bridge: BridgeProcess;
  const offsets = new Offsets();
  let caseId: string;
  const output = () => [cq?.output(), sc?.output(), bridge?.output()].filter(Boolean).join('\n');

  beforeAll(async () => {
    const runs = await Promise.allSettled([
      startDistributedRun({ region: 'cq', crossRegion: true, prefix }),
      startDistributedRun({ region: 'sc', crossRegion: true, prefix, env: { LIANBAN_TEST_CLOCK_SKEW_MS: String(skew) } }),
    ]);
    // kept even when the other failed, so afterAll drops its database
    if (runs[0].status === 'fulfilled') cq = runs[0].value;
    if (runs[1].status === 'fulfilled') sc = runs[1].value;
    for (const r of runs) if (r.status === 'rejected') throw r.reason;
    bridge = bridgeProcess(KAFKA_BROKERS, prefix);
    await offsets.connect();
    try {
      // the coordinators first: their relays and links create the topics the others subscribe to
      await Promise.all([cq.start('coordinator'), sc.start('coordinator'), bridge.start()]);
      await Promise.all([cq.start('intake'), cq.start(`agency:${SLJ}`), cq.start('history'), sc.start(`agency:${SW}`), sc.start('history')]);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${output()}`);
    }
  }, TIMEOUT);

  afterAll(async () => {
    await offsets.close().catch(() => undefined);
    await Promise.allSettled([bridge?.stop(), cq?.close(), sc?.close()]);
    await deleteTopics(prefix).catch(() => undefined);
  }, TIMEOUT);

  const timeline = async (run: DistributedRun, principal: Principal): Promise<CausalEntry[]> => {
    let last: unknown;
    try {
      return await eventually(async () => {
        const r = await run.api('history', principal).get(`/v1/cases/${caseId}/timeline`);
        last = r.status === 200 ? r.body.entries.map(short) : r;
        return r.status === 200 && r.body.entries.length === STORY.length ? r.body.entries as CausalEntry[] : null;
      }, `${principal.region} history to hold the whole case for ${principal.sub}`, 60_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}; it last answered ${JSON.stringify(last)}`);
    }
  };

  it('gives both regions the identical, causally ordered timeline; the case is answered in cq', async () => {
    const petitioner = { name: '高某某', phone: `1380000${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}` };
    try {
      const reg = await ok('registration', cq.api('intake', CQ_PEOPLE.clerk).post('/v1/petitions', {
        channel: 'visit', regionCode: '500109', demandClass: 'suggestion', petitioner,
        subject: '高竹新区企业枯水期缺水', content: '卫星水库有水，但跨省不能供水，请求川渝联合规划供水。',
      }));
      caseId = reg.caseId;
      const coordinator = cq.api('coordinator', CQ_PEOPLE.coordinator);
      await ok('classification', coordinator.post(`/v1/cases/${caseId}/classification`, { demandClass: 'suggestion', category: '水利/供水', route: 'petition' }));
      await ok('assignment', coordinator.post(`/v1/cases/${caseId}/assignments`, {
        mode: 'assign', agencies: [{ agencyId: SW, role: 'lead' }, { agencyId: SLJ, role: 'co' }],
      }));

      // sc's agency service learns of its task from sc's own topic, fed by sc's copy of the case
      const sw = sc.api(`agency:${SW}`, SC_PEOPLE.sw);
      await inboxItem(sw, caseId, "511623-sw's inbox in sc to list the case");
      await ok('sw acceptance', sw.post(`/v1/cases/${caseId}/tasks/${SW}/acceptance`, {}));
      await ok('sw action', sw.post(`/v1/cases/${caseId}/tasks/${SW}/actions`, { kind: 'site-visit', note: '赴高竹新区企业现场核实枯水期缺水情况' }));

      const slj = cq.api(`agency:${SLJ}`, CQ_PEOPLE.slj);
      await inboxItem(slj, caseId, "500109-slj's inbox in cq to list the case");
      await ok('slj acceptance', slj.post(`/v1/cases/${caseId}/tasks/${SLJ}/acceptance`, {}));
      await ok('slj action', slj.post(`/v1/cases/${caseId}/tasks/${SLJ}/actions`, { kind: 'meeting', note: '与邻水县水务局召开卫星水库跨省供水协调会' }));
      await ok('slj opinion', slj.post(`/v1/cases/${caseId}/tasks/${SLJ}/opinion`, { text: '同意卫星水库向高竹新区供水，渝北侧配套建设管网' }));

      // the lead's reply waits for cq's opinion to arrive in sc's store; until then it is refused by the rule
      await eventually(async () => {
        const r = await sw.post(`/v1/cases/${caseId}/reply`, {
          outcome: 'support', text: '川渝联合规划，卫星水库向高竹新区供水', completionReport: '已通水，企业用水恢复正常',
        });
        if (r.status === 409 && r.body.error?.code === 'CO_HANDLER_OPINIONS_PENDING') return null;
        if (r.status !== 201) throw new Error(`sw reply: ${r.status} ${JSON.stringify(r.body)}`);
        return r;
      }, "the lead's reply once cq's opinion has crossed over", 60_000);

      // cq's coordinator answers the case on sc's reply, copied into cq's store
      await eventually(async () => {
        const r = await cq.api('intake').as(reg.petitionerToken).get(`/v1/petitions/${caseId}`);
        return r.status === 200 && r.body.step === 'answered';
      }, 'the case to be answered in cq', 60_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${output()}`);
    }

    const cqTimeline = await timeline(cq, CQ_PEOPLE.analyst);
    const scTimeline = await timeline(sc, SC_PEOPLE.sw);
    expect(scTimeline).toEqual(cqTimeline);
    expect(cqTimeline.map(short).sort()).toEqual([...STORY].sort());
    expectCausal(cqTimeline);

    const at = (type: string, region?: string) => cqTimeline.findIndex((e) => short(e) === type && (region === undefined || e.region === region));
    const event = (type: string, region?: string) => cqTimeline[at(type, region)];
    // each region stamps what it wrote: sc its lead task, cq the case and its co-handler task
    expect(cqTimeline.filter((e) => e.region === 'sc').map(short)).toEqual(['task.accepted', 'task.action-recorded', 'task.reply-issued', 'task.completion-report-filed']);
    expect(cqTimeline.filter((e) => e.streamId === `task-${caseId}-${SW}`).every((e) => e.region === 'sc')).toBe(true);
    // both acceptances after the assignment that caused them, whichever way sc's clock is off
    for (const region of REGIONS) {
      expect(at('task.accepted', region)).toBeGreaterThan(at('case.agencies-assigned'));
      expect(event('task.accepted', region).causationId).toBe(event('case.agencies-assigned').eventId);
    }
    // sc's clock really was off: ahead, its events are dated ten minutes after cq's; behind, its
    // acceptance would predate the assignment, so it is dated at the assignment instead (docs/cross-region.md)
    const sinceAssignment = Date.parse(event('task.accepted', 'sc').at) - Date.parse(event('case.agencies-assigned').at);
    if (skew > 0) expect(sinceAssignment).toBeGreaterThan(skew / 2);
    else expect(event('task.accepted', 'sc').at).toBe(event('case.agencies-assigned').at);
    // sc's reply after its acceptance, and after cq's opinion, on which it was decided (no id links them)
    expect(at('task.reply-issued')).toBeGreaterThan(at('task.accepted', 'sc'));
    expect(at('task.reply-issued')).toBeGreaterThan(at('task.opinion-submitted'));
    // cq's answer is caused by sc's reply and comes after every event of both tasks
    expect(event('case.answered').causationId).toBe(event('task.reply-issued').eventId);
    expect(at('case.answered')).toBe(cqTimeline.length - 1);
    // the answer is cq's to write: sc's coordinator, which is handed the reply too, leaves it alone rather than being refused
    for (const region of REGIONS) {
      const topic = caseEventsTopic({ prefix, region });
      const group = consumerGroup({ prefix, region }, 'coordinator');
      await eventually(async () => (await offsets.committed(group, topic)) === (await offsets.end(topic)), `${region}'s coordinator to have taken every event`, 60_000);
    }
    expect(await answersTried(cq)).toEqual({ applied: 1, refused: 0 });
    expect(await answersTried(sc)).toEqual({ applied: 0, refused: 0 });
  }, TIMEOUT);

  it('changes nothing when the bridge copies everything it copied twice more', async () => {
    expect(caseId).toBeDefined();
    // into each region: the peer's outbound topic, the bridge's copy of it, and the importer taking the copy
    const flows = REGIONS.map((region) => ({
      sent: outboundTopic({ prefix, region: otherRegion(region) }, region),
      inbound: inboundTopic({ prefix, region }, otherRegion(region)),
      importer: consumerGroup({ prefix, region }, 'inbound'),
      dlq: deadLetterTopic({ prefix, region }, 'inbound'),
    }));
    const copied = async (rounds: number) => {
      for (const f of flows) {
        const arrived = await offsets.end(f.inbound);
        if (arrived !== rounds * (await offsets.end(f.sent)) || (await offsets.committed(f.importer, f.inbound)) !== arrived) return false;
      }
      return true;
    };
    // not vacuous: both directions carried the case
    for (const f of flows) expect({ topic: f.sent, sent: await offsets.end(f.sent) > 0 }).toEqual({ topic: f.sent, sent: true });
    await eventually(() => copied(1), 'the bridge to have copied, and the importers to have taken, everything once', 60_000);
    const before = { cq: await storedCase(cq, caseId), sc: await storedCase(sc, caseId) };
    const timelines = { cq: await timeline(cq, CQ_PEOPLE.analyst), sc: await timeline(sc, SC_PEOPLE.sw) };
    expect(before.sc.events.map((e) => e.id)).toEqual(expect.arrayContaining(before.cq.events.filter((e) => e.type !== 'lianban.casenumber.allocated.v1').map((e) => e.id)));

    // MirrorMaker 2 restarted without its offsets: the same batch arrives again, twice
    try {
      for (const round of [2, 3]) {
        await bridge.stop();
        await offsets.forget(bridge.routes.map((r) => r.group));
        await bridge.start();
        await eventually(() => copied(round), `the bridge's copy number ${round} to have been taken by both importers`, 60_000);
      }
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${output()}`);
    }

    for (const { dlq } of flows) expect({ dlq, messages: await offsets.end(dlq) }).toEqual({ dlq, messages: 0 });
    expect({ cq: await storedCase(cq, caseId), sc: await storedCase(sc, caseId) }).toEqual(before);
    expect({ cq: await timeline(cq, CQ_PEOPLE.analyst), sc: await timeline(sc, SC_PEOPLE.sw) }).toEqual(timelines);
  }, TIMEOUT);
});
