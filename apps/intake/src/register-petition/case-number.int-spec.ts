import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '@lianban/contracts';
import { SqliteEventStore, StreamConflictError, type EventStore } from '@lianban/eventstore';
import { HlcService } from '@lianban/platform';
import { CaseNumberAllocator, type ReservedNumber } from './case-number';

const AT = '2026-03-02T09:00:00.000Z';
const clerk = { id: 'clerk-1', role: 'clerk' };
const SEQUENCE = 'casenumber-cq-2026';

function registration(caseId: string): NewEvent {
  return {
    id: randomUUID(), type: 'lianban.case.petition-registered.v1', caseId, causationId: null, region: 'cq', agencyId: null,
    actor: clerk, occurredAt: AT, hlc: `${Date.now().toString().padStart(15, '0')}-0000-test`, data: {},
  };
}

/** the registration's append with its reserved number, as the runner makes it */
function writeWith(store: EventStore, caseId: string, number: ReservedNumber, expected: 'no-stream' | number = 'no-stream') {
  return store.appendMany!([{ streamId: `case-${caseId}`, events: [registration(caseId)], expected }, number.append], { caseHead: { caseId, position: 0 } });
}

describe('CaseNumberAllocator on a store that writes several streams atomically', () => {
  let dir: string;
  let store: SqliteEventStore;
  let hlc: HlcService;
  const allocator = () => new CaseNumberAllocator(store, hlc);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lianban-case-number-'));
    store = SqliteEventStore.open(join(dir, 'events.sqlite'));
    hlc = new HlcService(store);
    await hlc.onModuleInit();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('allocates the first number of a sequence by a write of its own, then reserves the next ones, consecutive, each written with its registration', async () => {
    const numbers = allocator();
    expect(numbers.reservable('cq', AT)).toBe(false);
    expect(numbers.reserve('cq', 'c-0', AT, clerk)).toBeNull();
    expect(await numbers.allocate('cq', 'c-0', AT, clerk)).toBe('CQ-2026-000001');
    expect(numbers.reservable('cq', AT)).toBe(true);
    const cases = Array.from({ length: 5 }, () => randomUUID());
    const reserved = cases.map((c) => numbers.reserve('cq', c, AT, clerk)!);
    await Promise.all(reserved.map((n, i) => writeWith(store, cases[i], n)));
    expect(reserved.map((n) => n.caseNumber)).toEqual(['CQ-2026-000002', 'CQ-2026-000003', 'CQ-2026-000004', 'CQ-2026-000005', 'CQ-2026-000006']);
    // number n is the sequence's revision n - 1, recorded for its case
    const sequence = await store.readStream(SEQUENCE);
    expect(sequence.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sequence.slice(1).map((e) => e.caseId)).toEqual(cases);
  });

  it('loses a number another writer took first, and the next allocation learns where the sequence ends: no number is given twice', async () => {
    const mine = allocator();
    const other = allocator();
    await mine.allocate('cq', 'c-0', AT, clerk);
    const caseId = randomUUID();
    const reserved = mine.reserve('cq', caseId, AT, clerk)!;
    expect(reserved.caseNumber).toBe('CQ-2026-000002');
    // another intake process got there first
    expect(await other.allocate('cq', 'c-x', AT, clerk)).toBe('CQ-2026-000002');
    const error = await writeWith(store, caseId, reserved).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamConflictError);
    expect(await store.readByCase(caseId)).toEqual([]);
    expect(mine.lost(reserved, error)).toBe(true);
    expect(mine.reservable('cq', AT)).toBe(false);
    expect(await mine.allocate('cq', caseId, AT, clerk)).toBe('CQ-2026-000003');
  });

  it('writes nothing of a reserved number whose registration is refused, and gives it to the next case', async () => {
    const numbers = allocator();
    await numbers.allocate('cq', 'c-0', AT, clerk);
    const caseId = randomUUID();
    const reserved = numbers.reserve('cq', caseId, AT, clerk)!;
    const error = await writeWith(store, caseId, reserved, 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamConflictError);
    // the registration's own refusal: not the number's
    expect(numbers.lost(reserved, error)).toBe(false);
    expect(await store.readStream(SEQUENCE)).toHaveLength(1);
    expect(await numbers.allocate('cq', randomUUID(), AT, clerk)).toBe(reserved.caseNumber);
  });
});
