import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '@lianban/contracts';
import { CaseEventTypes, foldCaseFile } from '@lianban/domain';
import { SqliteEventStore } from '@lianban/eventstore';
import { CaseReader } from './case-reader';

/**
 * The reader keeps a case's last read while the store says its head has not moved: over a real
 * SQLite store, what it answers is always what the store holds, however the case was written.
 */
const quiet = { warn: () => undefined };

let seq = 0;
function ev(caseId: string, type: string, data: unknown): NewEvent {
  seq++;
  return {
    id: randomUUID(), type, caseId, causationId: `request:${seq}`, region: 'cq', agencyId: null, actor: { id: 'u', role: 'clerk' },
    occurredAt: new Date(Date.UTC(2026, 0, 5, 2, 0, seq)).toISOString(), hlc: `${String(1767578400000 + seq).padStart(15, '0')}.00000`, data,
  };
}

const registered = (caseId: string) => ev(caseId, CaseEventTypes.PetitionRegistered, {
  caseNumber: 'CQ-2026-000001', channel: 'letter', petitioner: { petitionerId: 'p-1', sealed: 'U0VBTEVE', anonymous: false }, petitionerKeys: ['h1'],
  regionCode: '500109', subject: '欠薪', content: '…', demandClass: 'claim', matterOccurredAt: null, routeDueAt: '2026-01-20T15:59:59.999Z',
});
const classified = (caseId: string) => ev(caseId, CaseEventTypes.PetitionClassified, { demandClass: 'accusation', category: '劳动/欠薪', route: 'petition' });

describe('CaseReader over SQLite', () => {
  let dir: string;
  let store: SqliteEventStore;
  let reader: CaseReader;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lianban-case-reader-'));
    store = SqliteEventStore.open(join(dir, 'events.sqlite'), { logger: quiet });
    reader = new CaseReader(store);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the case from the store once while its head stays, and again as soon as it moves', async () => {
    const caseId = randomUUID();
    await store.append(`case-${caseId}`, [registered(caseId)], 'no-stream');
    const reads = jest.spyOn(store, 'readByCase');
    const first = await reader.file(caseId);
    const again = await reader.file(caseId);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(again!.file).toBe(first!.file);
    expect(await reader.eventsOr404(caseId)).toHaveLength(1);
    expect(reads).toHaveBeenCalledTimes(1);

    const newer = jest.spyOn(store, 'readByCaseAfter');
    await store.append(`case-${caseId}`, [classified(caseId)], 0);
    const moved = await reader.file(caseId);
    // only what was appended since is read, and the fold goes on from the kept file
    expect(reads).toHaveBeenCalledTimes(1);
    expect(newer).toHaveBeenCalledTimes(1);
    expect(moved!.events.map((e) => e.type)).toEqual([CaseEventTypes.PetitionRegistered, CaseEventTypes.PetitionClassified]);
    expect(moved!.file).toEqual(foldCaseFile(await store.readByCase(caseId)));
    expect(moved!.file.demandClass).toBe('accusation');
  });

  it('sees what another connection appended to the same file', async () => {
    const caseId = randomUUID();
    await store.append(`case-${caseId}`, [registered(caseId)], 'no-stream');
    expect((await reader.events(caseId)).length).toBe(1);
    const other = SqliteEventStore.open(join(dir, 'events.sqlite'), { logger: quiet });
    try {
      await other.append(`task-${caseId}-500109-rsj`, [ev(caseId, 'lianban.task.accepted.v1', {})], 'no-stream');
    } finally {
      await other.close();
    }
    expect((await reader.events(caseId)).map((e) => e.type)).toEqual([CaseEventTypes.PetitionRegistered, 'lianban.task.accepted.v1']);
  });

  it('answers a past moment from the same events, and nothing for a case never registered', async () => {
    const caseId = randomUUID();
    const reg = registered(caseId);
    await store.append(`case-${caseId}`, [reg], 'no-stream');
    await store.append(`case-${caseId}`, [classified(caseId)], 0);
    expect((await reader.file(caseId, reg.occurredAt))!.events).toHaveLength(1);
    expect((await reader.file(caseId))!.events).toHaveLength(2);
    expect(await reader.file(randomUUID())).toBeNull();
    await expect(reader.eventsOr404(randomUUID())).rejects.toMatchObject({ status: 404 });
  });
});
