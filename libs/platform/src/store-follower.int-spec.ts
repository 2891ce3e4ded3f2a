import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent, StoredEvent } from '@lianban/contracts';
import { SqliteEventStore } from '@lianban/eventstore';
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
