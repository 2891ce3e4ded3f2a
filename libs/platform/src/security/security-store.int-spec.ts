import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@lianban/eventstore';
import { heldWalFile, track, turns } from '@lianban/testing/held-wal';
import { SqliteSecurityStore } from './security-store';

const STALE = 60_000;
const TTL = 86_400_000;

describe('SqliteSecurityStore on the event store connection, synced off the event loop', () => {
  let dir: string;
  let wal: ReturnType<typeof heldWalFile>;
  let events: SqliteEventStore;
  let security: SqliteSecurityStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lianban-security-'));
    wal = heldWalFile();
    events = SqliteEventStore.open(join(dir, 'events.sqlite'), { walFile: wal.file });
    security = new SqliteSecurityStore(events.database);
  });

  afterEach(async () => {
    wal.release();
    await security.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a claim at once, but a completed answer and an audit entry only once they are synced', async () => {
    expect(await security.claim('sub:a', 'k1', 'f', new Date(), STALE, TTL)).toEqual({ claimed: true });
    expect(wal.held).toBe(0);

    const completed = track(security.complete('sub:a', 'k1', 201, Buffer.from('answer')));
    const audited = track(security.appendAudit({
      at: new Date().toISOString(), actor: { sub: 'a', role: 'clerk', agency: null }, action: 'personal-data.read',
      caseId: 'c', petitionerId: 'p', purpose: 'GET /v1/cases/{caseId}', detail: null,
    }));
    await turns();
    expect(completed.settled).toBe(false);
    expect(audited.settled).toBe(false);
    // both committed (readable on the connection) and waiting for the one sync they share
    expect(wal.held).toBe(1);
    expect(await security.readAudit({ limit: 10 })).toHaveLength(1);

    // the stored answer is replayed only once it is on disk too
    const replay = track(security.claim('sub:a', 'k1', 'f', new Date(), STALE, TTL));
    await turns();
    expect(replay.settled).toBe(false);

    wal.release();
    await completed.promise;
    await audited.promise;
    await turns();
    wal.release();
    expect(await replay.promise).toMatchObject({ claimed: false, record: { status: 201 } });
  });

  it('does not answer with a completion whose sync failed', async () => {
    await security.claim('sub:a', 'k2', 'f', new Date(), STALE, TTL);
    const completed = track(security.complete('sub:a', 'k2', 201, Buffer.from('answer')));
    await turns();
    wal.fail(new Error('EIO'));
    await expect(completed.promise).rejects.toThrow('EIO');
  });
});
