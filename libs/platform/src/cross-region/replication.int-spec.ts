import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { encodeEventMessage, type NewEvent, type StoredEvent } from '@lianban/contracts';
import { encodeHlc } from '@lianban/domain';
import { createEventStore, type EventStore } from '@lianban/eventstore';
import { HlcService } from '../hlc.service';
import { ReplicaError, ReplicaImporter } from './replication';

/** The importer on a real SQLite store: what a redelivered or wrong copy does to the store. */
describe('ReplicaImporter (sqlite)', () => {
  let source: EventStore;
  let target: EventStore;
  let observed: string[];
  let importer: ReplicaImporter;
  const caseId = randomUUID();
  const dirs: string[] = [];

  const newEvent = (type: string, hlcMs: number, region: 'cq' | 'sc' = 'cq'): NewEvent => ({
    id: randomUUID(), type, caseId, causationId: 'request:x', region, agencyId: null, actor: { id: 'u', role: 'coordinator' },
    occurredAt: new Date(hlcMs).toISOString(), hlc: encodeHlc({ physical: hlcMs, logical: 0 }), data: { n: type },
  });

  beforeEach(async () => {
    const dir = () => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-replica-'));
      dirs.push(d);
      return d;
    };
    source = await createEventStore({ kind: 'sqlite', dataDir: dir() });
    target = await createEventStore({ kind: 'sqlite', dataDir: dir() });
    observed = [];
    importer = new ReplicaImporter(target, 'sc', (h) => observed.push(h));
  });
  afterEach(async () => {
    await source.close();
    await target.close();
  });
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  async function sourceEvents(): Promise<StoredEvent[]> {
    await source.append(`case-${caseId}`, [newEvent('lianban.case.registered.v1', 1_000), newEvent('lianban.case.classified.v1', 2_000)], 'no-stream');
    await source.append(`case-${caseId}`, [newEvent('lianban.case.agencies-assigned.v1', 3_000)], 1);
    return source.readByCase(caseId);
  }

  const viaMessage = (e: StoredEvent) => {
    const m = encodeEventMessage(e);
    return importer.importMessage({ topic: 'sc.inbound.cq', partition: 0, offset: '0', key: m.key, value: m.value, headers: m.headers });
  };

  it('stores each copy once, as it was written, and a batch delivered twice more changes nothing', async () => {
    const batch = await sourceEvents();
    const first = [];
    for (const e of batch) first.push(await viaMessage(e));
    expect(first).toEqual(['applied', 'applied', 'applied']);
    const stored = await target.readByCase(caseId);
    const head = await target.headPosition();
    for (let round = 0; round < 2; round++) {
      const again = [];
      for (const e of batch) again.push(await viaMessage(e));
      expect(again).toEqual(['duplicate', 'duplicate', 'duplicate']);
    }
    expect(await target.headPosition()).toBe(head);
    expect(await target.readByCase(caseId)).toEqual(stored);
    const strip = ({ position: _p, recordedAt: _r, ...rest }: StoredEvent) => rest;
    expect(stored.map(strip)).toEqual(batch.map(strip));
    expect(observed).toContain(batch[2].hlc);
  });

  it('refuses a copy that skips a revision, and a different event at a stored revision', async () => {
    const batch = await sourceEvents();
    await expect(importer.import(batch[1])).rejects.toBeInstanceOf(ReplicaError);
    await importer.import(batch[0]);
    await expect(importer.import({ ...batch[1], revision: 0, id: randomUUID() })).rejects.toThrow(/holds event/);
    expect(await target.readByCase(caseId)).toHaveLength(1);
  });

  it('ignores this region\'s own event coming back, and refuses streams that are not a case\'s own', async () => {
    const [own] = await target.append(`task-${caseId}-511623-sw`, [newEvent('lianban.task.accepted.v1', 5_000, 'sc')], 'no-stream').then(() => target.readByCase(caseId));
    expect(await importer.import(own)).toBe('ignored');
    await source.append('casenumber-cq-2022', [{ ...newEvent('lianban.casenumber.allocated.v1', 1_000) }], 'no-stream');
    const [bookkeeping] = await source.readStream('casenumber-cq-2022');
    await expect(importer.import(bookkeeping)).rejects.toBeInstanceOf(ReplicaError);
  });

  it('resumes the HLC from the highest stamp stored, not the last event stored', async () => {
    await target.append(`task-${caseId}-511623-sw`, [newEvent('lianban.task.accepted.v1', 9_000, 'sc')], 'no-stream');
    // a copy from the other region whose clock is behind, stored after the local event
    await importer.import((await sourceEvents())[0]);
    const hlc = new HlcService(target);
    await hlc.onModuleInit();
    expect(hlc.stamp(new Date(1_500).toISOString()) > encodeHlc({ physical: 9_000, logical: 0 })).toBe(true);
  });
});
