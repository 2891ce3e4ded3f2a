import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { StoredEvent } from '@lianban/contracts';
import {
  caseDecider, CaseEventTypes as C, fold, foldCaseFile, taskDecider, TaskEventTypes as T,
  type CaseCommand, type DomainEvent, type TaskCommand,
} from '@lianban/domain';
import { Api, eventually, startStandalone, type ApiResponse, type RunningApp } from '@lianban/testing/standalone';
import { faultSeed, prng, readStoreFile, storeViolations } from './support';

/**
 * F4 contention (issue 10): 100 conflicting commands on one case, all in flight at once —
 * acceptances, handling actions, opinions and the lead's reply from four agencies, while the
 * coordinator's process manager answers the case as soon as a reply is stored. Each is answered 201 or 409 (never anything else), every 201 is
 * stored exactly once and nothing else is, and the stored case is a valid serial history: there
 * is an order of the stored commands, keeping each stream's order and each event after its
 * cause, in which the deciders accept every command one after the other and produce exactly
 * the stored events — and the case as the app folds it (store order) is the case that order
 * produces.
 */

const T0 = Date.parse('2024-04-01T01:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const LEAD = '500112-zjw';
const CO = ['500112-rsj', '500112-xfb', '500112-slj'];
const RELEASED = '500112-slj';

interface Cmd {
  name: string;
  who: string;
  path: string;
  body: unknown;
}

function commands(caseId: string): Cmd[] {
  const task = (a: string, what: string) => `/v1/cases/${caseId}/tasks/${a}/${what}`;
  const out: Cmd[] = [];
  const times = (n: number, make: (i: number) => Cmd) => Array.from({ length: n }, (_, i) => out.push(make(i)));
  for (const a of [LEAD, ...CO]) times(5, () => ({ name: 'accept', who: a, path: task(a, 'acceptance'), body: {} }));
  for (const a of [LEAD, ...CO]) times(10, (i) => ({ name: 'action', who: a, path: task(a, 'actions'), body: { kind: 'investigation', note: `${a} 第${i + 1}次核查` } }));
  for (const a of CO) times(8, (i) => ({ name: 'opinion', who: a, path: task(a, 'opinion'), body: { text: `${a} 意见 ${i + 1}` } }));
  times(16, (i) => ({ name: 'reply', who: LEAD, path: `/v1/cases/${caseId}/reply`, body: { outcome: 'support', text: `答复 ${i + 1}` } }));
  // the bureau's release of a co-handler races the co-handler's own opinion in its own test below
  return out;
}

/** The command a stored event answers, rebuilt from the event (what the client sent is all in it). */
function commandOf(e: StoredEvent, next: StoredEvent | undefined): { stream: 'task'; agencyId: string; command: TaskCommand } | { stream: 'case'; command: CaseCommand } | null {
  const d = e.data as Record<string, any>;
  const when = e.occurredAt;
  switch (e.type) {
    case T.TaskAccepted: return { stream: 'task', agencyId: e.agencyId!, command: { kind: 'AcceptTask', at: when } };
    case T.HandlingActionRecorded: return { stream: 'task', agencyId: e.agencyId!, command: { kind: 'RecordHandlingAction', at: when, action: d.kind, note: d.note } };
    case T.OpinionSubmitted: return { stream: 'task', agencyId: e.agencyId!, command: { kind: 'SubmitOpinion', at: when, text: d.text } };
    case T.ReplyIssued: {
      const report = next?.type === T.CompletionReportFiled && next.streamId === e.streamId ? (next.data as { text: string }).text : null;
      return { stream: 'task', agencyId: e.agencyId!, command: { kind: 'IssueReply', at: when, outcome: d.outcome, text: d.text, completionReport: report } };
    }
    case C.CoHandlerReleased: return { stream: 'case', command: { kind: 'ReleaseCoHandler', at: when, agencyId: d.agencyId, reason: d.reason } };
    case C.CaseAnswered:
      return { stream: 'case', command: { kind: 'RecordCaseAnswered', at: when, leadAgencyId: d.leadAgencyId, outcome: d.outcome, text: d.text, replyEventId: d.replyEventId, repliedAt: d.repliedAt } };
    default: return null;
  }
}

/** Re-decides one stored command on a history; the events it would produce, or the refusal. */
function redecide(history: StoredEvent[], e: StoredEvent, next: StoredEvent | undefined): DomainEvent[] | Error {
  const c = commandOf(e, next);
  if (!c) return new Error(`no command rebuilds ${e.type}`);
  try {
    if (c.stream === 'task') {
      const d = taskDecider(c.agencyId);
      return d.decide(c.command, fold(d, history));
    }
    return caseDecider.decide(c.command, fold(caseDecider, history));
  } catch (err) {
    return err as Error;
  }
}

/** A stored command (its event, plus the completion report filed with a reply) as one unit of the serial order. */
interface Unit {
  events: StoredEvent[];
}

/**
 * Searches a serial order of the units: each stream's own order kept, each unit after the event
 * that caused it, and every unit re-decided on the history before it to exactly its stored
 * events. Prefers store order, so a store-order history is found first. Returns the order, or
 * null when there is none.
 */
function serialOrder(setup: StoredEvent[], units: Unit[], accept: (order: StoredEvent[]) => boolean): StoredEvent[] | null {
  const byStream = new Map<string, Unit[]>();
  for (const u of units) {
    const list = byStream.get(u.events[0].streamId) ?? [];
    list.push(u);
    byStream.set(u.events[0].streamId, list);
  }
  const streams = [...byStream.keys()];
  // depth-first, store order first: a store-order history is found at once; the budget bounds the search otherwise
  let budget = 20_000;
  const search = (index: number[], history: StoredEvent[]): StoredEvent[] | null => {
    if (index.every((i, s) => i === byStream.get(streams[s])!.length)) return accept(history) ? history : null;
    if (--budget < 0) return null;
    const ids = new Set(history.map((e) => e.id));
    const candidates = streams
      .map((s, k) => ({ k, unit: byStream.get(s)![index[k]] }))
      .filter((c) => c.unit && (!c.unit.events[0].causationId || !units.some((u) => u.events.some((e) => e.id === c.unit.events[0].causationId)) || ids.has(c.unit.events[0].causationId)))
      .sort((a, b) => a.unit.events[0].position - b.unit.events[0].position);
    for (const { k, unit } of candidates) {
      const decided = redecide(history, unit.events[0], unit.events[1]);
      if (decided instanceof Error) continue;
      const same = decided.length === unit.events.length && decided.every((d, i) => d.type === unit.events[i].type && isDeepStrictEqual(d.data, unit.events[i].data)
        && (d.causedBy === undefined || d.causedBy === unit.events[i].causationId));
      if (!same) continue;
      const found = search(index.map((x, s) => (s === k ? x + 1 : x)), [...history, ...unit.events]);
      if (found) return found;
    }
    return null;
  };
  return search(streams.map(() => 0), setup);
}

describe('F4: 100 concurrent conflicting commands on one case', () => {
  let running: RunningApp;
  let api: Api;
  const seed = faultSeed();

  beforeAll(async () => {
    running = await startStandalone();
    api = new Api(running.url);
    process.stdout.write(`\nF4 contention test: FAULT_SEED=${seed} (command order)\n`);
  });
  afterAll(() => running.close());

  it('answers each 201 or 409 and leaves a case that a serial order of its commands produces', async () => {
    const token: Record<string, string> = {
      clerk: await api.token('clerk', '500112-xfb'),
      coordinator: await api.token('coordinator', '500112-xfb'),
      analyst: await api.token('analyst'),
    };
    for (const a of [LEAD, ...CO]) token[a] = await api.token('caseworker', a);
    const reg = await api.as(token.clerk).at(at(0)).post('/v1/petitions', {
      channel: 'visit', regionCode: '500112', demandClass: 'claim', petitioner: { name: '张某', phone: '13600000000' },
      subject: '河道采砂致房屋开裂', content: '采砂船夜间作业，沿岸房屋开裂。',
    });
    expect(reg.status).toBe(201);
    const caseId: string = reg.body.caseId;
    const coord = api.as(token.coordinator);
    expect((await coord.at(at(1)).post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '水利', route: 'petition' })).status).toBe(201);
    expect((await coord.at(at(2)).post(`/v1/cases/${caseId}/assignments`, {
      mode: 'forward', agencies: [{ agencyId: LEAD, role: 'lead' }, ...CO.map((agencyId) => ({ agencyId, role: 'co' }))],
    })).status).toBe(201);
    const setupHead: number = (await api.get('/health')).body.store.head;

    // all 100 at once, in an order drawn from the seed, all at the same moment of the case's clock
    const random = prng(seed);
    const cmds = commands(caseId).map((c) => ({ c, r: random() })).sort((a, b) => a.r - b.r).map((x) => x.c);
    expect(cmds).toHaveLength(100);
    const answers: ApiResponse[] = await Promise.all(cmds.map((c) => api.as(token[c.who]).at(at(10)).post(c.path, c.body)));

    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const codes: Record<string, number> = {};
    answers.filter((r) => r.status === 409).forEach((r) => {
      expect(typeof r.body?.error?.code).toBe('string');
      codes[r.body.error.code] = (codes[r.body.error.code] ?? 0) + 1;
    });
    const ok = cmds.filter((_, i) => statuses[i] === 201);
    process.stdout.write(`F4: ${ok.length} × 201 (${[...new Set(ok.map((c) => c.name))].map((n) => `${n} ${ok.filter((c) => c.name === n).length}`).join(', ')}), 409 codes ${JSON.stringify(codes)}\n`);

    // a reply that got through is turned into "case answered" by the coordinator's process manager
    if (ok.some((c) => c.name === 'reply')) {
      await eventually(async () => (await api.as(token.analyst).get(`/v1/cases/${caseId}`)).body.answer, 'the case to be answered');
    }

    const stored = readStoreFile(path.join(running.dataDir, 'events.sqlite'));
    expect(storeViolations(stored)).toEqual([]);
    const all = stored.filter((e) => e.caseId === caseId && !e.streamId.startsWith('casenumber-'));
    const setup = all.filter((e) => e.position <= setupHead);
    const contended = all.filter((e) => e.position > setupHead);
    expect(setup.map((e) => e.type)).toEqual([C.PetitionRegistered, C.PetitionClassified, C.AgenciesAssigned]);

    // every 201 is stored exactly once, and every stored command event was answered 201
    const ackedIds = answers.filter((r) => r.status === 201 && r.body.eventId).map((r) => r.body.eventId as string);
    const storedTaskIds = contended.filter((e) => e.streamId.startsWith('task-') && e.type !== T.CompletionReportFiled).map((e) => e.id);
    expect([...storedTaskIds].sort()).toEqual([...ackedIds].sort());
    expect(contended.filter((e) => e.type === C.CoHandlerReleased)).toHaveLength(ok.filter((c) => c.name === 'release').length);
    expect(contended.filter((e) => e.type === C.CaseAnswered)).toHaveLength(ok.some((c) => c.name === 'reply') ? 1 : 0);
    // and the rules held whatever the interleaving: one acceptance per agency, one opinion per co-handler, one reply
    for (const a of [LEAD, ...CO]) expect(contended.filter((e) => e.agencyId === a && e.type === T.TaskAccepted).length).toBeLessThanOrEqual(1);
    for (const a of CO) expect(contended.filter((e) => e.agencyId === a && e.type === T.OpinionSubmitted).length).toBeLessThanOrEqual(1);
    expect(contended.filter((e) => e.type === T.ReplyIssued).length).toBeLessThanOrEqual(1);

    // a valid serial history, whose case is the case the app folds from the store
    const units: Unit[] = [];
    for (const e of contended) {
      if (e.type === T.CompletionReportFiled) units[units.length - 1].events.push(e);
      else units.push({ events: [e] });
    }
    const asStored = foldCaseFile(all);
    const order = serialOrder(setup, units, (history) => isDeepStrictEqual(foldCaseFile(history), asStored));
    if (!order) {
      const firstRefused = contended.map((e, i) => ({ e, r: redecide(all.slice(0, setup.length + i), e, contended[i + 1]) })).find((x) => x.r instanceof Error);
      throw new Error(`no serial order of the ${units.length} stored commands produces the stored case; in store order ${firstRefused ? `${firstRefused.e.type} of ${firstRefused.e.agencyId} is refused: ${(firstRefused.r as Error).message}` : 'every command is accepted but the folded case differs'}`);
    }
    // the API shows the same case
    const view = await api.as(token.analyst).get(`/v1/cases/${caseId}`);
    expect(view.body.step).toBe(asStored!.step);
    expect(view.body.tasks.map((t: { agencyId: string; status: string }) => [t.agencyId, t.status])).toEqual(asStored!.tasks.map((t) => [t.agencyId, t.status]));
  }, 60_000);

  /**
   * Write skew across the streams of one case: a release of co-handler X (case stream) and X's
   * opinion (X's task stream), decided on the same state, must never both be acknowledged — no
   * serial order gives that (opinion → release ends `released`; release → opinion refuses the
   * opinion, TASK_RELEASED). The runner makes every append conditional on the case's head
   * position (AppendOptions.caseHead), so the second decision is re-made on the new state.
   * (This test was `it.failing` until that fix: it caught the defect 9 times in 10.)
   */
  it('a co-handler released while it submits its opinion: never both acknowledged', async () => {
    const token: Record<string, string> = {
      clerk: await api.token('clerk', '500112-xfb'),
      coordinator: await api.token('coordinator', '500112-xfb'),
      [RELEASED]: await api.token('caseworker', RELEASED),
    };
    const both: string[] = [];
    for (let k = 0; k < 20; k++) {
      const reg = await api.as(token.clerk).at(at(0)).post('/v1/petitions', {
        channel: 'visit', regionCode: '500112', petitioner: { name: '王某', phone: `1370000${String(k).padStart(4, '0')}` }, subject: `堤坝渗水${k}`, content: '汛期堤坝渗水。',
      });
      const caseId: string = reg.body.caseId;
      const coord = api.as(token.coordinator);
      await coord.at(at(1)).post(`/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '水利', route: 'petition' });
      await coord.at(at(2)).post(`/v1/cases/${caseId}/assignments`, { mode: 'forward', agencies: [{ agencyId: LEAD, role: 'lead' }, { agencyId: RELEASED, role: 'co' }] });
      expect((await api.as(token[RELEASED]).at(at(3)).post(`/v1/cases/${caseId}/tasks/${RELEASED}/acceptance`, {})).status).toBe(201);
      const [release, opinion] = await Promise.all([
        coord.at(at(4)).post(`/v1/cases/${caseId}/tasks/${RELEASED}/release`, { reason: '非本单位职责' }),
        api.as(token[RELEASED]).at(at(4)).post(`/v1/cases/${caseId}/tasks/${RELEASED}/opinion`, { text: '意见' }),
      ]);
      if (release.status === 201 && opinion.status === 201) both.push(caseId);
    }
    expect(both).toEqual([]);
  }, 60_000);
});
