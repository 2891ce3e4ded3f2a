import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import {
  agencyTopic, caseEventsTopic, consumerGroup, deadLetterTopic, decodeEventMessage, type StoredEvent, type TopicNaming,
} from '@lianban/contracts';
import { CaseEventTypes as C, foldCaseFile, TaskEventTypes as T, type CaseFile } from '@lianban/domain';
import { PostgresEventStore } from '@lianban/eventstore';
import { agenciesNamedBy, agencyTopicMessage, derivedEventId, isAgencyFacing } from '@lianban/platform';
import { PEOPLE, startDistributedRun, type DistributedRun, type ServiceName } from '@lianban/testing/distributed';
import { startDedicatedBroker, type DedicatedBroker } from '@lianban/testing/kafka-broker';
import { Api, eventually, inboxItem, type ApiResponse } from '@lianban/testing/standalone';
import { readTopic } from '@lianban/testing/topic-reader';
import { CO, LEAD, WAGE_ARREARS_PETITION } from '../distributed/wage-arrears-flow';
import { expectedInbox, foldAll, storeViolations } from './support';

/**
 * F2 broker outage (issue 10): the distributed mode (intake, coordinator with the outbox relay,
 * two agency processes, history; PostgreSQL + Kafka) runs on a broker of this test's own, which
 * is SIGKILLed mid-flow, kept away for 10 s and restarted on the same data. Commands go on
 * during the outage: the store is the outbox, so every service still acknowledges them; the
 * relay and the consumers must ride the outage out by themselves (no process is restarted).
 * Afterwards, asserted on state:
 *   - nothing lost: every command answered 2xx is stored; every stored event is on
 *     `<region>.case-events`; every consumer group has committed up to the end of its topic;
 *     nothing went to a dead-letter topic;
 *   - nothing applied twice: each agency's inbox applied every event of its cases exactly once
 *     (applied ids = the case's agency-facing events, the event count, the case file = a fresh
 *     fold of those events as the agency topic carries them); one "case answered" per reply;
 *   - the broker is not what a service needs to serve: during the outage every /health answers
 *     200 `degraded`, and each agency reports its consumer running or restarting;
 *   - everyone resumes: every service reports the broker healthy again and its consumers running
 *     (`/health`, `lianban_bus_consumer_up`), cases registered during
 *     and after the outage reach the inboxes and are worked there, and replies issued during and
 *     after it are answered by the coordinator; history's timelines equal the store.
 */
const TIMEOUT = 300_000;
const OUTAGE_MS = 10_000;
/** clients registering, classifying and assigning new cases during the outage */
const INTAKE_CLIENTS = 2;
/** cases assigned before the outage and worked through by their agencies during it */
const CASES_IN_FLIGHT = 4;
const RSJ: ServiceName = `agency:${LEAD}`;
const XFB: ServiceName = `agency:${CO}`;
const AGENCIES = [LEAD, CO];
const SERVICES: ServiceName[] = ['coordinator', 'intake', RSJ, XFB, 'history'];
const CONSUMERS = ['coordinator', ...AGENCIES.map((a) => `agency.${a}`)];

type Phase = 'before' | 'outage' | 'after';
interface Acked {
  phase: Phase;
  what: string;
  caseId: string;
  eventType: string;
  eventId?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('F2: the broker killed for 10 s mid-flow, then restarted', () => {
  let broker: DedicatedBroker;
  let run: DistributedRun;
  let admin: Admin;
  let naming: TopicNaming;
  const acked: Acked[] = [];
  const refused: string[] = [];
  let nextPetitioner = 1;

  const began = Date.now();
  /** progress on stdout, so a slow or failed run shows where it was (never asserted on) */
  const mark = (what: string) => process.stdout.write(`F2 +${((Date.now() - began) / 1000).toFixed(1)} s: ${what}\n`);

  beforeAll(async () => {
    broker = await startDedicatedBroker();
    mark(`dedicated broker on ${broker.brokers}`);
    run = await startDistributedRun({ brokers: broker.brokers });
    naming = { prefix: run.prefix, region: 'cq' };
    try {
      // the coordinator first: its relay creates the region's topics
      await run.start('coordinator');
      await Promise.all(SERVICES.slice(1).map((s) => run.start(s)));
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${run.output()}`);
    }
    mark('five services up');
    admin = new Kafka({ clientId: 'f2-observer', brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  }, TIMEOUT);

  afterAll(async () => {
    await admin?.disconnect().catch(() => undefined);
    // a run that failed during the outage: the services shut down against a broker that answers
    if (broker && run && broker.pid() === null) await broker.restart().catch(() => undefined);
    await run?.close().catch(() => undefined);
    await broker?.close();
  }, TIMEOUT);

  const clerk = () => run.api('intake', PEOPLE.clerk);
  const coordinator = () => run.api('coordinator', PEOPLE.coordinator);
  const agency = (id: string) => run.api(`agency:${id}`, id === LEAD ? PEOPLE.rsj : PEOPLE.xfb);

  /** sends one command; a 2xx is recorded as acknowledged, anything else as refused */
  async function send(phase: Phase, what: string, caseId: string, eventType: string, call: Promise<ApiResponse>): Promise<ApiResponse | null> {
    let r: ApiResponse;
    try {
      r = await call;
    } catch (e) {
      refused.push(`${phase} ${what} ${caseId}: ${(e as Error).message}`);
      return null;
    }
    if (r.status < 200 || r.status >= 300) {
      refused.push(`${phase} ${what} ${caseId}: ${r.status} ${JSON.stringify(r.body)}`);
      return null;
    }
    acked.push({ phase, what, caseId: r.body?.caseId ?? caseId, eventType, eventId: r.body?.eventId });
    return r;
  }

  /** registration, classification and assignment to 人社局 (lead) and 信访办 (co) */
  async function openCase(phase: Phase): Promise<string | null> {
    // a petitioner of their own each: the same person's same matter would be linked to the open case as a repeat (Art. 19)
    const n = nextPetitioner++;
    const petition = {
      ...WAGE_ARREARS_PETITION, petitioner: { name: `王某${n}`, phone: `139${String(n).padStart(8, '0')}` }, subject: `${WAGE_ARREARS_PETITION.subject}（${n}号）`,
    };
    const reg = await send(phase, 'register', '', C.PetitionRegistered, clerk().post('/v1/petitions', petition));
    if (!reg) return null;
    if (reg.status !== 201) {
      refused.push(`${phase} register ${n}: ${reg.status} ${JSON.stringify(reg.body)}`);
      return null;
    }
    const caseId: string = reg.body.caseId;
    const classified = await send(phase, 'classify', caseId, C.PetitionClassified,
      coordinator().post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '劳动保障/拖欠工资', route: 'petition' }));
    if (!classified) return null;
    const assigned = await send(phase, 'assign', caseId, C.AgenciesAssigned, coordinator().post(`/v1/cases/${caseId}/assignments`, {
      mode: 'assign', agencies: [{ agencyId: LEAD, role: 'lead' }, { agencyId: CO, role: 'co' }],
    }));
    return assigned ? caseId : null;
  }

  /** both acceptances, an action each, the co-handler's opinion, the lead's reply with its 办结报告 */
  async function workCase(phase: Phase, caseId: string, pause = 0): Promise<void> {
    const task = (a: string, what: string) => `/v1/cases/${caseId}/tasks/${a}/${what}`;
    const steps: [string, string, string, unknown][] = [
      ['accept', LEAD, T.TaskAccepted, task(LEAD, 'acceptance')],
      ['accept', CO, T.TaskAccepted, task(CO, 'acceptance')],
      ['action', LEAD, T.HandlingActionRecorded, task(LEAD, 'actions')],
      ['action', CO, T.HandlingActionRecorded, task(CO, 'actions')],
      ['opinion', CO, T.OpinionSubmitted, task(CO, 'opinion')],
      ['reply', LEAD, T.ReplyIssued, `/v1/cases/${caseId}/reply`],
    ];
    const bodies: Record<string, unknown> = {
      accept: {},
      action: { kind: 'inspection', note: '赴分公司调查核实欠薪人数与金额' },
      opinion: { text: '同意主办单位处理意见' },
      reply: { outcome: 'support', text: '所欠工资已足额支付。', completionReport: '经劳动保障监察，所欠工资已足额支付，经回访信访人确认到账。' },
    };
    for (const [what, a, eventType, url] of steps) {
      if (!(await send(phase, `${what} ${a}`, caseId, eventType, agency(a).post(url as string, bodies[what])))) return;
      if (pause) await sleep(pause);
    }
  }

  async function storedEvents(): Promise<StoredEvent[]> {
    const store = await PostgresEventStore.connect(run.database.url);
    try {
      return await store.readAll({ limit: 100_000 });
    } finally {
      await store.close();
    }
  }

  async function health(service: ServiceName): Promise<ApiResponse> {
    return new Api(run.services.get(service)!.url).get('/health');
  }

  async function relayPosition(): Promise<number> {
    const r = await run.api('coordinator').get('/metrics');
    const line = String(r.body).split('\n').find((l) => l.startsWith('lianban_relay_position '));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }

  /** partitions of a consumer group's topic whose committed offset is behind the end */
  async function lagging(consumer: string, topic: string): Promise<string[]> {
    const [committed] = await admin.fetchOffsets({ groupId: consumerGroup(naming, consumer), topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return ends
      .filter((end) => committed.partitions.find((p) => p.partition === end.partition)?.offset !== end.high && end.high !== '0')
      .map((end) => `${consumer} ${topic}[${end.partition}] committed ${committed.partitions.find((p) => p.partition === end.partition)?.offset} of ${end.high}`);
  }

  function topicOf(consumer: string): string {
    return consumer === 'coordinator' ? caseEventsTopic(naming) : agencyTopic(naming, consumer.slice('agency.'.length));
  }

  /** an agency's inbox as its SQLite file holds it (read-only: the process is running) */
  function inboxFile(agencyId: string): { applied: { event_id: string; case_id: string; redeliveries: number }[]; cases: Map<string, { file: CaseFile; events: number }> } {
    const db = new Database(path.join(run.dataDirs.get(`agency:${agencyId}`)!, `agency-inbox-${agencyId}.sqlite`), { readonly: true, fileMustExist: true });
    try {
      const applied = db.prepare('SELECT event_id, case_id, redeliveries FROM inbox_applied ORDER BY position').all() as { event_id: string; case_id: string; redeliveries: number }[];
      const rows = db.prepare('SELECT case_id, file, events FROM inbox_cases').all() as { case_id: string; file: string; events: number }[];
      return { applied, cases: new Map(rows.map((r) => [r.case_id, { file: JSON.parse(r.file) as CaseFile, events: r.events }])) };
    } finally {
      db.close();
    }
  }

  /** what an agency must have been sent: every agency-facing event of every case that names it, by case, in store order */
  function owedTo(agencyId: string, events: StoredEvent[]): Map<string, StoredEvent[]> {
    const byCase = new Map<string, StoredEvent[]>();
    for (const e of events.filter(isAgencyFacing)) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
    return new Map([...byCase].filter(([, list]) => list.some((e) => agenciesNamedBy(e).includes(agencyId))));
  }

  /** on failure, every process's output and the broker's log go to test/artifacts/ (too long for the message) */
  async function keepingOutput(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (e) {
      const dir = path.resolve(__dirname, '../artifacts');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `f2-${run.prefix}log`);
      const brokerLog = path.join(broker.home, 'broker.log');
      fs.writeFileSync(file, `${run.output()}\n---- broker.log ----\n${fs.existsSync(brokerLog) ? fs.readFileSync(brokerLog, 'utf8') : '(none)'}`);
      (e as Error).message += `\n(the processes' output and the broker's log: ${file})`;
      throw e;
    }
  }

  it('acknowledges every command during the outage, loses nothing, applies nothing twice, and every consumer resumes', () => keepingOutput(async () => {
    const running = (s: ServiceName) => {
      const child = run.services.get(s)?.child;
      return child && child.exitCode === null && child.signalCode === null ? child.pid : null;
    };
    const pids = new Map(SERVICES.map((s) => [s, running(s)]));

    // ---- before: cases assigned and listed in both inboxes
    const inFlight = (await Promise.all(Array.from({ length: CASES_IN_FLIGHT }, () => openCase('before')))).filter((c): c is string => c !== null);
    expect(refused).toEqual([]);
    for (const caseId of inFlight) for (const a of AGENCIES) await inboxItem(agency(a), caseId, `${a}'s inbox to list ${caseId} before the outage`);

    // ---- the outage: load starts, the broker is killed once commands are flowing, load goes on for 10 s
    let outageOver = false;
    const outageCases: string[] = [];
    const intakeClients = Array.from({ length: INTAKE_CLIENTS }, async () => {
      while (!outageOver) {
        const caseId = await openCase('outage');
        if (caseId) outageCases.push(caseId);
        await sleep(1000);
      }
    });
    const agencyWork = inFlight.map((caseId) => workCase('outage', caseId, 700));
    await eventually(async () => acked.filter((a) => a.phase === 'outage').length >= 3, 'the first commands of the load', 30_000);
    const killedPid = broker.pid();
    await broker.stop('SIGKILL');
    mark(`broker killed after ${acked.filter((a) => a.phase === 'outage').length} commands of the load`);
    const ackedAtKill = acked.filter((a) => a.phase === 'outage').length;
    // while the broker is away every service says so, and stays in rotation: each still does its
    // job through the store (200 degraded, never 503); each agency reports its consumer, running
    // or being restarted by kafkajs, never stopped
    const during = await Promise.all(SERVICES.map(async (service) => {
      const r = await health(service);
      return { service, status: r.status, health: r.body.status, bus: r.body.bus.ok };
    }));
    expect(during).toEqual(SERVICES.map((service) => ({ service, status: 200, health: 'degraded', bus: false })));
    for (const a of AGENCIES) {
      expect((await health(`agency:${a}`)).body.bus.subscriptions).toEqual([expect.objectContaining({
        groupId: consumerGroup(naming, `agency.${a}`), topics: [agencyTopic(naming, a)], state: expect.stringMatching(/^(running|restarting)$/),
      })]);
    }
    await sleep(OUTAGE_MS);
    outageOver = true;
    await Promise.all([...intakeClients, ...agencyWork]);
    const ackedDuring = acked.filter((a) => a.phase === 'outage').length - ackedAtKill;
    expect(refused).toEqual([]);
    // the load really did run while the broker was away
    expect(ackedDuring).toBeGreaterThan(0);
    mark(`${ackedDuring} commands acknowledged while the broker was away; restarting it`);
    await broker.restart();
    mark('broker back');
    expect(broker.pid()).not.toBe(killedPid);

    // ---- after: every service sees the broker again, no process had to be restarted
    for (const s of SERVICES) {
      await eventually(async () => {
        const r = await health(s);
        return r.status === 200 && r.body.status === 'ok' && r.body.bus.ok === true;
      }, `${s} to report the broker healthy again and its consumers running`, 60_000);
    }
    for (const c of CONSUMERS) {
      const scrape = String((await run.api(c === 'coordinator' ? 'coordinator' : `agency:${c.slice('agency.'.length)}`).get('/metrics')).body);
      expect(scrape).toContain(`lianban_bus_consumer_up{group="${consumerGroup(naming, c)}",topic="${topicOf(c)}"} 1`);
    }
    // cases registered during the outage reach both inboxes and are worked there; new cases run end to end
    mark('every service reports the broker healthy');
    const afterCases = (await Promise.all([0, 1].map(() => openCase('after')))).filter((c): c is string => c !== null);
    expect(afterCases).toHaveLength(2);
    for (const caseId of [...outageCases, ...afterCases]) {
      for (const a of AGENCIES) await inboxItem(agency(a), caseId, `${a}'s inbox to list ${caseId} after the outage`);
    }
    mark(`the ${outageCases.length} cases registered during the outage are in both inboxes`);
    await Promise.all(outageCases.map(async (caseId) => {
      for (const a of AGENCIES) await send('after', `accept ${a}`, caseId, T.TaskAccepted, agency(a).post(`/v1/cases/${caseId}/tasks/${a}/acceptance`, {}));
    }));
    await Promise.all(afterCases.map((caseId) => workCase('after', caseId)));
    expect(refused).toEqual([]);

    // ---- quiescence: the relay has published the whole store, every reply is answered, every group is at the end
    const answered = (events: StoredEvent[]) => new Set(events.filter((e) => e.type === C.CaseAnswered).map((e) => e.caseId));
    let events: StoredEvent[] = [];
    await eventually(async () => {
      events = await storedEvents();
      const replies = events.filter((e) => e.type === T.ReplyIssued);
      if (replies.length !== inFlight.length + afterCases.length || replies.some((e) => !answered(events).has(e.caseId))) return false;
      if ((await relayPosition()) !== events[events.length - 1].position) return false;
      for (const c of CONSUMERS) if ((await lagging(c, topicOf(c))).length > 0) return false;
      return true;
    }, 'every reply answered, the relay at the head of the store, every consumer group at the end of its topic', 120_000);
    mark('quiescent: every reply answered, relay and consumer groups at the end');
    events = await storedEvents();

    // nothing lost in the store
    expect(storeViolations(events)).toEqual([]);
    const byId = new Map(events.map((e) => [e.id, e]));
    const missing = acked.filter((a) => {
      if (a.eventType === C.PetitionRegistered) return events.filter((e) => e.type === C.PetitionRegistered && e.caseId === a.caseId).length !== 1;
      if (a.eventId) return byId.get(a.eventId)?.type !== a.eventType;
      return !events.some((e) => e.caseId === a.caseId && e.type === a.eventType);
    });
    expect(missing).toEqual([]);

    // nothing lost on the wire: every stored event is on <region>.case-events; nothing dead-lettered
    const stored = new Set(events.map((e) => e.id));
    const wire = await readTopic(broker.brokers, caseEventsTopic(naming), (m) => { const seen = new Set(m.map((x) => x.headers.ce_id)); return [...stored].every((id) => seen.has(id)); }, 'every stored event');
    expect(wire.filter((m) => !stored.has(m.headers.ce_id))).toEqual([]);
    for (const c of CONSUMERS) {
      expect({ c, groupLag: await lagging(c, topicOf(c)) }).toEqual({ c, groupLag: [] });
      const dlq = await admin.fetchTopicOffsets(deadLetterTopic(naming, c));
      expect({ c, deadLetters: dlq.map((p) => p.high) }).toEqual({ c, deadLetters: dlq.map(() => '0') });
    }

    // the coordinator answered each reply exactly once, under the id derived from the reply
    for (const reply of events.filter((e) => e.type === T.ReplyIssued)) {
      expect(events.filter((e) => e.type === C.CaseAnswered && e.caseId === reply.caseId).map((e) => e.id))
        .toEqual([derivedEventId('coordinator.case-answered', reply.id)]);
    }

    // each agency applied each of its events exactly once; its case files are a fresh fold
    const files = foldAll(events);
    const redeliveries: Record<string, number> = {};
    for (const a of AGENCIES) {
      const owed = owedTo(a, events);
      const inbox = inboxFile(a);
      expect(new Set(inbox.applied.map((x) => x.event_id)).size).toBe(inbox.applied.length);
      expect([...inbox.cases.keys()].sort()).toEqual([...owed.keys()].sort());
      for (const [caseId, list] of owed) {
        expect({ a, caseId, applied: inbox.applied.filter((x) => x.case_id === caseId).map((x) => x.event_id) }).toEqual({ a, caseId, applied: list.map((e) => e.id) });
        const row = inbox.cases.get(caseId)!;
        expect({ a, caseId, events: row.events }).toEqual({ a, caseId, events: list.length });
        const asSent = list.map((e) => decodeEventMessage(agencyTopicMessage(e)));
        expect(row.file).toEqual(foldCaseFile(asSent));
      }
      redeliveries[a] = inbox.applied.reduce((n, x) => n + x.redeliveries, 0);
      // and the inbox it serves lists what a fresh replay says
      const served = ((await agency(a).get('/v1/inbox?status=all')).body as { caseId: string; status: string; caseStep: string }[])
        .map((i) => [i.caseId, i.status, i.caseStep] as [string, string, string])
        .sort((x, y) => x[0].localeCompare(y[0]));
      expect(served).toEqual(expectedInbox(files, a));
    }

    // history's timelines are the store's, case by case
    const history = run.api('history', PEOPLE.analyst);
    for (const caseId of files.keys()) {
      const r = await history.get(`/v1/cases/${caseId}/timeline`);
      expect(r.status).toBe(200);
      expect((r.body.entries as { eventId: string }[]).map((e) => e.eventId).sort())
        .toEqual(events.filter((e) => e.caseId === caseId && isAgencyFacing(e)).map((e) => e.id).sort());
    }

    // no process died or was restarted to get here
    expect(SERVICES.map((s) => ({ s, pid: running(s) }))).toEqual(SERVICES.map((s) => ({ s, pid: pids.get(s) })));

    process.stdout.write(`F2: ${acked.length} commands acknowledged (${ackedDuring} while the broker was down), ${files.size} cases, ` +
      `${events.length} events; ${wire.length} messages on case-events for ${stored.size} events; inbox redeliveries ${JSON.stringify(redeliveries)}\n`);
  }), TIMEOUT);
});
