import { Kafka as CloudEventsKafka } from 'cloudevents';
import type { StoredEvent } from '@lianban/contracts';
import { PostgresEventStore } from '@lianban/eventstore';
import { AsyncApiValidator } from '@lianban/testing/asyncapi';
import { KAFKA_BROKERS, PEOPLE, startDistributedRun, type DistributedRun } from '@lianban/testing/distributed';
import { Api, inboxItem, startStandalone, type RunningApp } from '@lianban/testing/standalone';
import { readTopic, type ReadMessage } from '@lianban/testing/topic-reader';
import { CO, LEAD, runWageArrears, timelineShape, WAGE_ARREARS_PETITION, type FlowClients, type TimelineEntry } from './wage-arrears-flow';

/**
 * Issue 4, done criteria: intake, coordinator, two agency processes and history as separate OS
 * processes on BUS=kafka (the real broker), EVENTSTORE=postgres (a fresh
 * database) and AUTH_MODE=jwt; the wage-arrears case driven over HTTP against the service each
 * person would use; history's timeline holds the same events in the same order as the
 * standalone app produces for the same commands. Then what crossed Kafka is read off the topics
 * with the CloudEvents SDK and checked against docs/asyncapi.yaml.
 *
 * The agencies are 北碚区人社局 and 北碚区信访办 (500109-rsj, 500109-xfb): the 500112 ids
 * are the demo's 渝北区 agencies, abolished in November 2025, and commands here are decided now.
 */
const TIMEOUT = 240_000;

const short = (type: string) => type.replace(/^lianban\./, '').replace(/\.v\d+$/, '');

describe('distributed mode: five processes over a real Kafka broker', () => {
  let run: DistributedRun;
  let standalone: RunningApp;
  let distributedCase: string;
  let stored: StoredEvent[];

  beforeAll(async () => {
    run = await startDistributedRun();
    try {
      // the coordinator first: it runs the relay, which creates the region's topics
      await run.start('coordinator');
      await Promise.all([run.start('intake'), run.start('agency:500109-rsj'), run.start('agency:500109-xfb'), run.start('history')]);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${run.output()}`);
    }
    standalone = await startStandalone();
  }, TIMEOUT);

  afterAll(async () => {
    await standalone?.close();
    await run?.close();
  }, TIMEOUT);

  it('has every process report its own store connection (postgres) and the broker on /health', async () => {
    for (const [name, service] of run.services) {
      const r = await new Api(service.url).get('/health');
      expect({ name, status: r.status }).toEqual({ name, status: 200 });
      expect(r.body).toMatchObject({ mode: 'distributed', store: { ok: true, kind: 'postgres' }, bus: { ok: true, kind: 'kafka' } });
      expect({ name, relay: r.body.relay }).toEqual({ name, relay: name === 'coordinator' });
    }
    const agency = await run.api('agency:500109-rsj').get('/health');
    expect(agency.body.consumers).toEqual([{
      consumer: 'agency.500109-rsj', group: `${run.prefix}cq.agency.500109-rsj`, topic: `${run.prefix}cq.agency.500109-rsj`, reactions: ['inbox'],
    }]);
    const coordinator = await run.api('coordinator').get('/health');
    expect(coordinator.body.consumers[0]).toMatchObject({ consumer: 'coordinator', group: `${run.prefix}cq.coordinator`, topic: `${run.prefix}cq.case-events` });
  }, TIMEOUT);

  it('refuses what exists only embedded: dev tokens, the clock header, unsigned calls', async () => {
    const intake = run.api('intake');
    expect((await intake.post('/v1/dev/tokens', { role: 'clerk' })).status).toBe(404);
    expect((await intake.as(run.issuer.sign(PEOPLE.clerk)).at('2021-05-04T10:00:00+08:00').post('/v1/petitions', WAGE_ARREARS_PETITION)).status).toBe(400);
    expect((await run.api('coordinator').get('/v1/inbox')).status).toBe(404);
    expect((await run.api('agency:500109-rsj').get('/v1/inbox')).status).toBe(401);
  }, TIMEOUT);

  it("runs the wage-arrears case across the processes, and history's timeline is the one the standalone app produces", async () => {
    const distributed: FlowClients = {
      intake: (as) => (as === 'clerk' ? run.api('intake', PEOPLE.clerk) : run.api('intake').as(as.token)),
      coordinator: () => run.api('coordinator', PEOPLE.coordinator),
      agency: (id) => run.api(`agency:${id}`, id === LEAD ? PEOPLE.rsj : PEOPLE.xfb),
      history: () => run.api('history', PEOPLE.analyst),
    };
    try {
      distributedCase = (await runWageArrears(distributed)).caseId;
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${run.output()}`);
    }

    const local = new Api(standalone.url);
    const tokens = {
      clerk: await local.token('clerk', '500109-xfb'), coordinator: await local.token('coordinator', '500109-xfb'),
      rsj: await local.token('caseworker', '500109-rsj'), xfb: await local.token('caseworker', '500109-xfb'), analyst: await local.token('analyst'),
    };
    const embedded: FlowClients = {
      intake: (as) => local.as(as === 'clerk' ? tokens.clerk : as.token),
      coordinator: () => local.as(tokens.coordinator),
      agency: (id) => local.as(id === LEAD ? tokens.rsj : tokens.xfb),
      history: () => local.as(tokens.analyst),
    };
    const standaloneCase = (await runWageArrears(embedded)).caseId;

    const timeline = async (api: Api, caseId: string): Promise<TimelineEntry[]> => {
      const r = await api.get(`/v1/cases/${caseId}/timeline`);
      expect(r.status).toBe(200);
      return r.body.entries;
    };
    const theirs = await timeline(embedded.history(), standaloneCase);
    const ours = await timeline(distributed.history(), distributedCase);

    expect(timelineShape(ours)).toEqual(timelineShape(theirs));
    // and that shape is the case as it happened, causes always before their effects
    expect(timelineShape(ours).map((e) => `${short(e.type)} ${e.agencyId ?? '-'} ${e.cause}`)).toEqual([
      'case.registered - request',
      'case.classified 500109-xfb request',
      'case.agencies-assigned 500109-xfb request',
      'task.accepted 500109-rsj #2',
      'task.accepted 500109-xfb #2',
      'task.action-recorded 500109-rsj request',
      'task.action-recorded 500109-rsj request',
      'task.action-recorded 500109-rsj request',
      'task.action-recorded 500109-xfb request',
      'task.action-recorded 500109-rsj request',
      'task.opinion-submitted 500109-xfb request',
      'task.reply-issued 500109-rsj request',
      'task.completion-report-filed 500109-rsj request',
      'case.answered - #11',
      'case.reply-rated - request',
    ]);
    const hlcs = ours.map((e) => e.hlc);
    expect([...hlcs].sort()).toEqual(hlcs);
    expect(new Set(hlcs).size).toBe(hlcs.length);

    const store = await PostgresEventStore.connect(run.database.url);
    try {
      stored = await store.readAll({ limit: 10_000 });
    } finally {
      await store.close();
    }
    expect(stored.filter((e) => e.caseId === distributedCase && e.type !== 'lianban.casenumber.allocated.v1').map((e) => e.id).sort())
      .toEqual(ours.map((e) => e.eventId).sort());
  }, TIMEOUT);

  it("serves each agency's inbox from its own topic, and only that agency's", async () => {
    expect(distributedCase).toBeDefined();
    const rsj = run.api('agency:500109-rsj', PEOPLE.rsj);
    const xfb = run.api('agency:500109-xfb', PEOPLE.xfb);
    // the answer reaches each agency's projection through its topic
    const lead = await inboxItem(rsj, distributedCase, 'the answered case in 人社局\'s inbox', 'all');
    expect(lead).toMatchObject({ role: 'lead', caseNumber: expect.stringMatching(/^CQ-\d{4}-\d{6}$/), subject: WAGE_ARREARS_PETITION.subject, status: 'replied' });
    const co = await inboxItem(xfb, distributedCase, 'the case in 信访办\'s inbox', 'all');
    expect(co).toMatchObject({ role: 'co', status: 'opinion-submitted' });
    expect((await rsj.get('/v1/inbox')).body.map((i: { caseId: string }) => i.caseId)).not.toContain(distributedCase);

    // an agency process holds one agency: another agency's inbox or task is not served there
    const wrongInbox = await run.api('agency:500109-rsj', PEOPLE.xfb).get('/v1/inbox');
    expect(wrongInbox.status).toBe(421);
    expect(wrongInbox.body.error.code).toBe('WRONG_AGENCY_SERVICE');
    const wrongTask = await run.api('agency:500109-rsj', PEOPLE.xfb).post(`/v1/cases/${distributedCase}/tasks/500109-xfb/actions`, { kind: 'other', note: 'x' });
    expect(wrongTask.status).toBe(421);
  }, TIMEOUT);

  it('publishes every stored event to <region>.case-events as a CloudEvent that matches docs/asyncapi.yaml, personal data removed', async () => {
    expect(stored?.length).toBeGreaterThan(0);
    const want = new Set(stored.map((e) => e.id));
    const messages = await readTopic(KAFKA_BROKERS, `${run.prefix}cq.case-events`, (m) => [...want].every((id) => m.some((x) => x.headers.ce_id === id)), 'every stored event');
    const validator = new AsyncApiValidator();
    for (const m of messages) {
      expect({ id: m.headers.ce_id, errors: validator.check('caseEvents', m).errors }).toEqual({ id: m.headers.ce_id, errors: [] });
      const ce = CloudEventsKafka.toEvent({ key: m.key, value: m.value, headers: m.headers } as never) as unknown as { validate(): boolean } & Record<string, unknown>;
      expect(ce.validate()).toBe(true);
      const source = stored.find((e) => e.id === ce.id)!;
      expect(ce).toMatchObject({
        specversion: '1.0', type: source.type, subject: source.caseId, time: source.occurredAt, source: `/lianban/cq/${source.streamId}`,
        streamid: source.streamId, revision: String(source.revision), position: String(source.position), hlc: source.hlc, region: 'cq',
      });
      expect(m.key).toBe(source.caseId);
    }
    // per key, in store order (a re-sent batch may repeat a message, never reorder the first sendings)
    const order = (ms: ReadMessage[]) => [...new Set(ms.filter((m) => m.key === distributedCase).map((m) => m.headers.ce_id))];
    expect(order(messages)).toEqual(stored.filter((e) => e.caseId === distributedCase).map((e) => e.id));

    const registration = messages.find((m) => m.headers.ce_type === 'lianban.case.registered.v1' && m.key === distributedCase)!;
    const body = JSON.parse(registration.value.toString('utf8'));
    expect(Object.keys(body.petitioner).sort()).toEqual(['anonymous', 'petitionerId']);
    expect(body).not.toHaveProperty('petitionerKeys');
    const storedRegistration = stored.find((e) => e.id === registration.headers.ce_id)!.data as { petitioner: { sealed: string } };
    const wire = messages.map((m) => m.value.toString('utf8')).join('\n');
    for (const secret of [storedRegistration.petitioner.sealed, WAGE_ARREARS_PETITION.petitioner.name, WAGE_ARREARS_PETITION.petitioner.phone, WAGE_ARREARS_PETITION.petitioner.idNumber]) {
      expect(wire).not.toContain(secret);
    }
  }, TIMEOUT);

  it("sends each agency the case's own streams on its topic, from the registration on, in store order", async () => {
    expect(stored?.length).toBeGreaterThan(0);
    const caseStory = stored.filter((e) => e.caseId === distributedCase && e.type !== 'lianban.casenumber.allocated.v1').map((e) => e.id);
    const validator = new AsyncApiValidator();
    for (const agency of ['500109-rsj', '500109-xfb']) {
      const messages = await readTopic(KAFKA_BROKERS, `${run.prefix}cq.agency.${agency}`, (m) => caseStory.every((id) => m.some((x) => x.headers.ce_id === id)), `${agency}'s events`);
      expect([...new Set(messages.map((m) => m.headers.ce_id))]).toEqual(caseStory);
      for (const m of messages) expect({ agency, id: m.headers.ce_id, errors: validator.check('agencyEvents', m).errors }).toEqual({ agency, id: m.headers.ce_id, errors: [] });
    }
  }, TIMEOUT);
});
