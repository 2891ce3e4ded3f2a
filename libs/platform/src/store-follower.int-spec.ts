import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent, StoredEvent } from '@lianban/contracts';
import { CaseEventTypes as C, foldCaseFile, TaskEventTypes as T } from '@lianban/domain';
import { readAllLean, SqliteEventStore } from '@lianban/eventstore';
import { CaseFileSet } from './case-files.fold';
import { StoreFollower } from './store-follower';

/** The in-memory views that follow the store (case files, petitioner index, coordination lists) see each event once, in order. */
const quiet = { warn: () => undefined };

let seq = 0;
function ev(caseId: string): NewEvent {
  seq++;
  return {
    id: randomUUID(), type: 'lianban.test.noted.v1', caseId, causationId: `request:${seq}`, region: 'cq', agencyId: null, actor: { id: 'u', role: 'clerk' },
    occurredAt: new Date(Date.UTC(2026, 0, 5, 2, 0, seq % 60)).toISOString(), hlc: `${String(1767578400000 + seq).padStart(15, '0')}.00000`, data: {},
  };
}

describe('StoreFollower over SQLite', () => {
  let dir: string;
  let store: SqliteEventStore;
  let seen: StoredEvent[];
  let follower: StoreFollower;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lianban-store-follower-'));
    store = SqliteEventStore.open(join(dir, 'events.sqlite'), { logger: quiet });
    seen = [];
    follower = new StoreFollower(store, (e) => seen.push(e));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies every event once, in order, across more than one batch', async () => {
    await store.append('case-a', Array.from({ length: 1500 }, () => ev('a')), 'no-stream');
    await follower.catchUp();
    expect(seen).toHaveLength(1500);
    expect(seen.map((e) => e.position)).toEqual([...seen.map((e) => e.position)].sort((x, y) => x - y));
  });

  it('applies nothing twice when catch-ups overlap, and a catch-up asked after an append sees it', async () => {
    await store.append('case-b', [ev('b'), ev('b')], 'no-stream');
    const first = follower.catchUp();
    await store.append('case-c', [ev('c')], 'no-stream');
    await Promise.all([first, follower.catchUp(), follower.catchUp()]);
    expect(seen.map((e) => e.caseId)).toEqual(['b', 'b', 'c']);
  });
});

describe('CaseFilesProjection\'s catch-up (StoreFollower over readAllLean into a CaseFileSet)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A case registered, assigned to two agencies, accepted and handled: its events as appended, stream by stream. */
  function caseEvents(caseId: string, n: number): { streamId: string; event: NewEvent }[] {
    const day = `2024-03-${String(4 + (n % 20)).padStart(2, '0')}`;
    const envelope = (type: string, time: string, data: unknown, agencyId: string | null = null): NewEvent => ({
      id: randomUUID(), type, caseId, causationId: `request:${randomUUID()}`, region: 'cq', agencyId, actor: { id: 'clerk', role: 'clerk' },
      occurredAt: `${day}T${time}.000Z`, hlc: `${String(1709514000000 + n).padStart(15, '0')}.00000`, data,
    });
    const due = '2024-03-21T15:59:59.999Z';
    const agencies = [`${n % 3}-sw`, `${n % 5}-zjw`];
    return [
      { streamId: `case-${caseId}`, event: envelope(C.PetitionRegistered, '01:00:00', {
        caseNumber: `CQ-${n}`, channel: 'online', petitioner: { petitionerId: `p-${n}`, sealed: 's', anonymous: false }, regionCode: '500112',
        subject: '物业纠纷', content: '外墙脱落', demandClass: null, matterOccurredAt: null, routeDueAt: '2024-03-19T15:59:59.999Z',
      }) },
      { streamId: `case-${caseId}`, event: envelope(C.AgenciesAssigned, '02:00:00', {
        mode: 'forward', agencies: agencies.map((agencyId, i) => ({ agencyId, role: i ? 'co' : 'lead', acknowledgeDueAt: due, returnDueAt: '2024-03-13T15:59:59.999Z' })),
      }) },
      ...agencies.map((agencyId) => ({ streamId: `task-${caseId}-${agencyId}`, event: envelope(T.TaskAccepted, '03:00:00', {
        acknowledgedInTime: true, acknowledgeDueAt: due, handleDueAt: '2024-05-06T15:59:59.999Z',
      }, agencyId) })),
      { streamId: `task-${caseId}-${agencies[0]}`, event: envelope(T.HandlingActionRecorded, '04:00:00', { kind: 'site-visit', note: '现场查看' }, agencies[0]) },
    ];
  }

  it('holds the same case files as a follower of readAll, from position 0 and while it follows live', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lianban-case-files-'));
    const file = join(dir, 'events.sqlite');
    const writer = SqliteEventStore.open(file, { logger: quiet });
    // cases interleaved step by step, as concurrent cases are stored; more than one batch of 1,000
    const appendCases = async (from: number, count: number) => {
      const cases = Array.from({ length: count }, (_, i) => caseEvents(`c-${from + i}`, from + i));
      for (let step = 0; step < cases[0].length; step++) {
        await Promise.all(cases.map((events) => {
          const { streamId, event } = events[step];
          return writer.append(streamId, [event], 'any');
        }));
      }
    };
    await appendCases(0, 300);
    const full = new CaseFileSet();
    const lean = new CaseFileSet();
    const fullStore = SqliteEventStore.open(file, { logger: quiet });
    const leanStore = SqliteEventStore.open(file, { logger: quiet });
    try {
      const fullFollower = new StoreFollower(fullStore, (e) => full.apply(e));
      const leanFollower = new StoreFollower(leanStore, (e) => lean.apply(e), readAllLean);
      await fullFollower.catchUp();
      await leanFollower.catchUp();
      expect(lean.size).toBe(300);
      expect([...lean.values()]).toEqual([...full.values()]);
      // then live, where a full reader of the same connection keeps the tail the lean follower reads from
      const caughtUp = await leanStore.headPosition();
      await appendCases(300, 40);
      await leanStore.readAll({ after: caughtUp, limit: 50 });
      await appendCases(340, 40);
      await fullFollower.catchUp();
      await leanFollower.catchUp();
      expect(lean.size).toBe(380);
      expect([...lean.values()]).toEqual([...full.values()]);
      expect(lean.get('c-7')).toEqual(foldCaseFile(caseEvents('c-7', 7).map(({ event }) => ({ ...event, caseId: 'c-7' }))));
    } finally {
      await Promise.all([writer.close(), fullStore.close(), leanStore.close()]);
    }
  });
});
