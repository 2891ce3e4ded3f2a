import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { StoredEvent } from '@lianban/contracts';
import type { CaseFile } from '@lianban/domain';
import { PostgresEventStore } from '@lianban/eventstore';
import { derivedEventId } from '@lianban/platform';
import { PEOPLE, startDistributedRun, type DistributedRun, type ServiceName } from '@lianban/testing/distributed';
import { eventually, inboxItem } from '@lianban/testing/standalone';
import { LEAD, WAGE_ARREARS_PETITION } from './wage-arrears-flow';

/**
 * Issue 4, done criterion: a consumer killed between its effect and its offset commit, then
 * restarted, applies nothing twice — asserted on state. Each consumer is given the test-only
 * hook LIANBAN_TEST_CRASH_AFTER_EFFECT=<event type>: right after its transaction committed the
 * effect of such an event, before the message is acknowledged, it SIGKILLs its own process.
 * The restarted consumer (same group, same data) is handed the same message again.
 *
 * - the agency's inbox consumer (its own SQLite file: case row + applied ids in one transaction),
 *   killed after applying the lead's handling action;
 * - the coordinator's case-answered consumer (effect: an append to the shared store under an id
 *   derived from the reply's), killed after answering the case — which also kills the relay it
 *   hosts, so the answer it stored must still reach the topics after the restart.
 */
const TIMEOUT = 240_000;
const ACTION = 'lianban.task.action-recorded.v1';
const REPLY = 'lianban.task.reply-issued.v1';
const ANSWERED = 'lianban.case.answered.v1';
const RSJ: ServiceName = `agency:${LEAD}`;

interface InboxState {
  caseEvents: number;
  file: CaseFile;
  applied: { event_id: string; type: string; redeliveries: number }[];
}

describe('distributed mode: a consumer killed between its effect and its offset commit', () => {
  let run: DistributedRun;

  beforeAll(async () => {
    run = await startDistributedRun();
    try {
      await run.start('coordinator', { LIANBAN_TEST_CRASH_AFTER_EFFECT: REPLY });
      await Promise.all([run.start('intake'), run.start(RSJ, { LIANBAN_TEST_CRASH_AFTER_EFFECT: ACTION })]);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${run.output()}`);
    }
  }, TIMEOUT);

  afterAll(() => run?.close(), TIMEOUT);

  /** the agency's projection as its SQLite file holds it (read-only: the process may be running) */
  function inboxState(caseId: string): InboxState {
    const db = new Database(path.join(run.dataDirs.get(RSJ)!, `agency-inbox-${LEAD}.sqlite`), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT file, events FROM inbox_cases WHERE case_id = ?').get(caseId) as { file: string; events: number };
      const applied = db.prepare('SELECT event_id, type, redeliveries FROM inbox_applied WHERE case_id = ? ORDER BY position').all(caseId) as InboxState['applied'];
      return { caseEvents: row.events, file: JSON.parse(row.file) as CaseFile, applied };
    } finally {
      db.close();
    }
  }

  async function storedEvents(caseId: string): Promise<StoredEvent[]> {
    const store = await PostgresEventStore.connect(run.database.url);
    try {
      return await store.readByCase(caseId);
    } finally {
      await store.close();
    }
  }

  async function consumed(service: ServiceName, reaction: string, outcome: string): Promise<number> {
    const r = await run.api(service).get('/metrics');
    const line = String(r.body).split('\n').find((l) => l.startsWith('lianban_consumed_events_total{') && l.includes(`reaction="${reaction}"`) && l.includes(`outcome="${outcome}"`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }

  async function killedItself(service: ServiceName): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      run.exited(service),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${service} did not kill itself at the crash point\n${run.output()}`)), 60_000);
      }),
    ]).finally(() => clearTimeout(timer));
    expect({ service, signal: exit.signal }).toEqual({ service, signal: 'SIGKILL' });
  }

  it('applies nothing twice: not the agency inbox, not the case answer', async () => {
    const intake = run.api('intake', PEOPLE.clerk);
    const coordinator = run.api('coordinator', PEOPLE.coordinator);
    const reg = await intake.post('/v1/petitions', WAGE_ARREARS_PETITION);
    expect(reg.status).toBe(201);
    const caseId: string = reg.body.caseId;
    expect((await coordinator.post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '劳动保障/拖欠工资', route: 'petition' })).status).toBe(201);
    // 转送 (forward) to the lead alone: no co-handler opinion and no 办结报告 stand between the action and the reply
    expect((await coordinator.post(`/v1/cases/${caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: LEAD, role: 'lead' }] })).status).toBe(201);

    let rsj = run.api(RSJ, PEOPLE.rsj);
    await inboxItem(rsj, caseId, "人社局's inbox to list the case");
    expect((await rsj.post(`/v1/cases/${caseId}/tasks/${LEAD}/acceptance`, {})).status).toBe(201);

    // 1. the agency consumer dies right after its transaction applied the action
    const action = await rsj.post(`/v1/cases/${caseId}/tasks/${LEAD}/actions`, { kind: 'inspection', note: '赴分公司调查核实欠薪人数与金额' });
    expect(action.status).toBe(201);
    await killedItself(RSJ);
    const actionId: string = action.body.eventId;
    const atCrash = inboxState(caseId);
    expect(atCrash.applied.map((a) => a.event_id)).toContain(actionId);
    expect(atCrash.file.tasks[0].actions).toHaveLength(1);

    // restarted on the same file and group: the unacknowledged action comes again and changes nothing
    await run.start(RSJ);
    rsj = run.api(RSJ, PEOPLE.rsj);
    await eventually(async () => (await consumed(RSJ, 'inbox', 'duplicate')) >= 1, 'the restarted agency consumer to be handed the action again', 60_000);
    const afterRestart = inboxState(caseId);
    expect(afterRestart.applied.find((a) => a.event_id === actionId)!.redeliveries).toBeGreaterThanOrEqual(1);
    expect(afterRestart.caseEvents).toBe(atCrash.caseEvents);
    expect(afterRestart.file).toEqual(atCrash.file);
    expect(afterRestart.file.tasks[0].actions).toHaveLength(1);

    // 2. the coordinator dies right after it appended "case answered" for the lead's reply
    const reply = await rsj.post(`/v1/cases/${caseId}/reply`, { outcome: 'support', text: '所欠工资已足额支付。' });
    expect(reply.status).toBe(201);
    await killedItself('coordinator');
    const answerId = derivedEventId('coordinator.case-answered', reply.body.eventId);
    const answersAtCrash = (await storedEvents(caseId)).filter((e) => e.type === ANSWERED);
    expect(answersAtCrash.map((e) => e.id)).toEqual([answerId]);

    await run.start('coordinator');
    await eventually(async () => (await consumed('coordinator', 'case-answered', 'duplicate')) >= 1, 'the restarted coordinator to be handed the reply again', 60_000);
    const events = await storedEvents(caseId);
    expect(events.filter((e) => e.type === ANSWERED).map((e) => e.id)).toEqual([answerId]);
    expect(events.filter((e) => e.type === REPLY)).toHaveLength(1);

    // the relay died with the coordinator; restarted, it still sends the answer it had not sent
    const answered = await inboxItem(rsj, caseId, 'the answer to reach the agency', 'all').then(() =>
      eventually(async () => (inboxState(caseId).file.answer ? inboxState(caseId) : null), "the answer in 人社局's projection", 60_000));
    const story = events.filter((e) => e.type !== 'lianban.casenumber.allocated.v1');
    expect(answered.applied.map((a) => a.event_id)).toEqual(story.map((e) => e.id));
    expect(answered.caseEvents).toBe(story.length);
    expect(answered.file.eventCount).toBe(story.length);
    expect(answered.file.tasks[0].actions).toHaveLength(1);
  }, TIMEOUT);
});
