import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoredEvent } from '@lianban/contracts';
import { CaseEventTypes, TaskEventTypes } from '@lianban/domain';
import { heldWalFile, track, turns } from '@lianban/testing/held-wal';
import { CaseStartMissingError, SqliteAgencyInbox } from './sqlite-agency-inbox';

/** An agency's own inbox projection on a real SQLite file: applied once, whatever is redelivered. */
let position = 0;
function stored(caseId: string, type: string, data: unknown, streamId = `case-${caseId}`, agencyId: string | null = null): StoredEvent {
  position++;
  return {
    id: randomUUID(), type, caseId, causationId: 'request:x', region: 'cq', agencyId, actor: { id: 'u', role: 'clerk' },
    occurredAt: new Date(Date.UTC(2026, 0, 5, 2, position)).toISOString(), hlc: `${String(1767578400000 + position).padStart(15, '0')}.00000`,
    data, streamId, revision: 0, position, recordedAt: '2026-01-05T02:00:00.000Z',
  };
}

describe('SqliteAgencyInbox', () => {
  let dir: string;
  let file: string;
  const caseId = randomUUID();
  const registered = stored(caseId, CaseEventTypes.PetitionRegistered, {
    caseNumber: 'CQ-2026-000007', channel: 'online', petitioner: { petitionerId: 'p', anonymous: false }, regionCode: '500109',
    subject: '欠薪', content: '…', demandClass: 'claim', matterOccurredAt: null, routeDueAt: '2026-01-20T15:59:59.999Z',
  });
  const assigned = stored(caseId, CaseEventTypes.AgenciesAssigned, {
    mode: 'forward', agencies: [{ agencyId: '500109-rsj', role: 'lead', acknowledgeDueAt: '2026-01-21T15:59:59.999Z', returnDueAt: '2026-01-12T15:59:59.999Z' }],
  });
  const action = stored(caseId, TaskEventTypes.HandlingActionRecorded, { kind: 'inspection', note: '调查' }, `task-${caseId}-500109-rsj`, '500109-rsj');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lianban-inbox-'));
    file = join(dir, 'nested', 'agency-inbox-500109-rsj.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies each event once: a redelivery changes nothing but its redelivery count', async () => {
    const inbox = new SqliteAgencyInbox(file);
    const outcomes = [];
    for (const e of [registered, assigned, action]) outcomes.push(await inbox.apply(e));
    expect(outcomes).toEqual(['applied', 'applied', 'applied']);
    const once = [...inbox.all()][0];
    expect(once.tasks[0].actions).toHaveLength(1);
    expect(await inbox.apply(action)).toBe('duplicate');
    expect(await inbox.apply(registered)).toBe('duplicate');
    expect([...inbox.all()][0]).toEqual(once);
    await inbox.close();

    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT events FROM inbox_cases WHERE case_id = ?').get(caseId)).toEqual({ events: 3 });
    expect(db.prepare('SELECT event_id, redeliveries FROM inbox_applied ORDER BY position').all()).toEqual([
      { event_id: registered.id, redeliveries: 1 }, { event_id: assigned.id, redeliveries: 0 }, { event_id: action.id, redeliveries: 1 },
    ]);
    db.close();
  });

  it('keeps its state across a restart, and still recognises what it applied before', async () => {
    const first = new SqliteAgencyInbox(file);
    await first.apply(registered);
    await first.apply(assigned);
    await first.close();
    const second = new SqliteAgencyInbox(file);
    expect([...second.all()].map((f) => [f.caseId, f.caseNumber, f.tasks.map((t) => t.agencyId)])).toEqual([[caseId, 'CQ-2026-000007', ['500109-rsj']]]);
    expect(await second.apply(assigned)).toBe('duplicate');
    expect(await second.apply(action)).toBe('applied');
    expect([...second.all()][0].eventCount).toBe(3);
    await second.close();
  });

  it('refuses an event of a case whose registration never arrived, recording nothing', async () => {
    const inbox = new SqliteAgencyInbox(file);
    await expect(inbox.apply(action)).rejects.toThrow(CaseStartMissingError);
    expect([...inbox.all()]).toEqual([]);
    // nothing was marked applied: once the case's start arrives, the event is applied for real
    await inbox.apply(registered);
    await inbox.apply(assigned);
    expect(await inbox.apply(action)).toBe('applied');
    await inbox.close();
  });

  it('commits without a sync and answers (so the offset is committed) only once the WAL sync finished', async () => {
    const wal = heldWalFile();
    const inbox = new SqliteAgencyInbox(file, { walFile: wal.file });
    try {
      const applied = track(inbox.apply(registered));
      await turns();
      expect(applied.settled).toBe(false);
      expect(wal.held).toBe(1);
      const db = new Database(file, { readonly: true });
      expect(db.prepare('SELECT event_id FROM inbox_applied').pluck().all()).toEqual([registered.id]);
      db.close();
      // not shown before it is on disk
      expect([...inbox.all()]).toEqual([]);
      wal.release();
      expect(await applied.promise).toBe('applied');
      expect([...inbox.all()]).toHaveLength(1);
    } finally {
      wal.release();
      await inbox.close();
    }
  });
});
