import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { encodeEventMessage, type NewEvent, type StoredEvent } from '@lianban/contracts';
import { encodeHlc } from '@lianban/domain';
import { createEventStore, type EventStore } from '@lianban/eventstore';
import { HlcService } from '../hlc.service';
import type { MessageBus, OutgoingMessage } from '@lianban/messaging';
import { decodeEventMessage } from '@lianban/contracts';
import { RegionOutbound, ReplicaError, ReplicaImporter } from './replication';

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

  it('stores a task force\'s stream like a case\'s, once, and refuses a campaign\'s', async () => {
    const taskForceId = randomUUID();
    const tf = (type: string, ms: number): NewEvent => ({ ...newEvent(type, ms), caseId: taskForceId });
    await source.append(`taskforce-${taskForceId}`, [tf('lianban.taskforce.formed.v1', 1_000), tf('lianban.taskforce.milestone-set.v1', 2_000)], 'no-stream');
    const batch = await source.readStream(`taskforce-${taskForceId}`);
    // one at a time, in order, as off one partition
    const deliver = async () => {
      const outcomes = [];
      for (const e of batch) outcomes.push(await viaMessage(e));
      return outcomes;
    };
    expect(await deliver()).toEqual(['applied', 'applied']);
    const head = await target.headPosition();
    for (let round = 0; round < 2; round++) expect(await deliver()).toEqual(['duplicate', 'duplicate']);
    expect(await target.headPosition()).toBe(head);
    expect((await target.readStream(`taskforce-${taskForceId}`)).map((e) => e.id)).toEqual(batch.map((e) => e.id));
    const campaignId = randomUUID();
    await source.append(`campaign-${campaignId}`, [{ ...newEvent('lianban.campaign.launched.v1', 1_000), caseId: campaignId }], 'no-stream');
    await expect(importer.import((await source.readStream(`campaign-${campaignId}`))[0])).rejects.toBeInstanceOf(ReplicaError);
  });
});

/** Which task forces the sending half sends, on a real SQLite store: those that concern the peer. */
describe('RegionOutbound: cases and task forces (sqlite)', () => {
  let store: EventStore;
  let sent: StoredEvent[];
  let outbound: RegionOutbound;
  let dir: string;
  let ms = 1_000;

  const ev = (caseId: string, type: string, data: unknown, agencyId: string | null = '500109-xfb'): NewEvent => {
    ms += 1_000;
    return {
      id: randomUUID(), type, caseId, causationId: 'request:x', region: 'cq', agencyId, actor: { id: 'u', role: 'coordinator' },
      occurredAt: new Date(ms).toISOString(), hlc: encodeHlc({ physical: ms, logical: 0 }), data,
    };
  };
  const append = async (streamId: string, e: NewEvent) => {
    const head = (await store.readStream(streamId)).length - 1;
    await store.append(streamId, [e], head < 0 ? 'no-stream' : head);
  };
  const formed = (taskForceId: string, caseIds: string[], members: string[]) =>
    ev(taskForceId, 'lianban.taskforce.formed.v1', { taskForceId, name: '专班', purpose: '', leader: { name: '刘某', title: '副区长', divisionCode: '500109' }, caseIds, members: members.map((agencyId) => ({ agencyId, duty: '' })), formedBy: '500109-xfb' });
  const joined = (caseId: string, taskForceId: string) => ev(caseId, 'lianban.case.task-force-joined.v1', { taskForceId, name: '专班', leader: { name: '刘某', title: '副区长', divisionCode: '500109' } });
  const registered = (caseId: string) => ev(caseId, 'lianban.case.registered.v1', { caseNumber: 'x' });
  /** everything stored since the last call, through the outbound, as the store subscription would hand it over */
  let position = 0;
  const follow = async () => {
    const events = await store.readAll({ after: position });
    if (events.length) position = events[events.length - 1].position;
    await outbound.send(events);
  };
  const sentOf = (streamId: string) => sent.filter((e) => e.streamId === streamId).map((e) => e.type.replace(/^lianban\./, '').replace(/\.v1$/, ''));

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-outbound-'));
    store = await createEventStore({ kind: 'sqlite', dataDir: dir });
    sent = [];
    position = 0;
    const bus = {
      publish: async (_topic: string, messages: OutgoingMessage[]) => {
        for (const m of messages) sent.push(decodeEventMessage({ key: m.key, value: m.value, headers: m.headers ?? {} }));
      },
    } as unknown as MessageBus;
    outbound = new RegionOutbound(store, bus, { prefix: '', region: 'cq' });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a task force of cq-only cases and members at home', async () => {
    const caseId = randomUUID();
    const tfId = randomUUID();
    await append(`case-${caseId}`, registered(caseId));
    await append(`taskforce-${tfId}`, formed(tfId, [caseId], ['500109-slj']));
    await append(`case-${caseId}`, joined(caseId, tfId));
    await append(`taskforce-${tfId}`, ev(tfId, 'lianban.taskforce.milestone-set.v1', { milestoneId: 'm', title: 't', dueAt: new Date(ms).toISOString() }));
    await follow();
    expect(sent).toEqual([]);
  });

  it('sends a task force from its first event once a member of the peer joins it, then every later event', async () => {
    const caseId = randomUUID();
    const tfId = randomUUID();
    await append(`case-${caseId}`, registered(caseId));
    await append(`taskforce-${tfId}`, formed(tfId, [caseId], ['500109-slj']));
    await append(`case-${caseId}`, joined(caseId, tfId));
    await follow();
    expect(sent).toEqual([]);
    await append(`taskforce-${tfId}`, ev(tfId, 'lianban.taskforce.member-added.v1', { agencyId: '511623-sw', duty: '配合勘测' }));
    await append(`taskforce-${tfId}`, ev(tfId, 'lianban.taskforce.meeting-held.v1', { recordId: 'r' }));
    await follow();
    expect(sentOf(`taskforce-${tfId}`)).toEqual(['taskforce.formed', 'taskforce.member-added', 'taskforce.meeting-held']);
    // the member does not make the case joint: its stream stays home
    expect(sentOf(`case-${caseId}`)).toEqual([]);
  });

  it('sends a task force once the case it took up concerns the peer, whichever came first, exactly once per event', async () => {
    const caseId = randomUUID();
    const tfId = randomUUID();
    await append(`case-${caseId}`, registered(caseId));
    await append(`taskforce-${tfId}`, formed(tfId, [caseId], []));
    await follow();
    await append(`taskforce-${tfId}`, ev(tfId, 'lianban.taskforce.milestone-set.v1', { milestoneId: 'm', title: 't', dueAt: new Date(ms).toISOString() }));
    await append(`case-${caseId}`, joined(caseId, tfId));
    await follow();
    expect(sent).toEqual([]);
    await append(`case-${caseId}`, ev(caseId, 'lianban.case.agencies-assigned.v1', { agencies: [{ agencyId: '500109-slj', role: 'lead' }, { agencyId: '511623-sw', role: 'co' }] }));
    await append(`taskforce-${tfId}`, ev(tfId, 'lianban.taskforce.site-visited.v1', { recordId: 'v' }));
    await follow();
    expect(sentOf(`case-${caseId}`)).toEqual(['case.registered', 'case.task-force-joined', 'case.agencies-assigned']);
    expect(sentOf(`taskforce-${tfId}`)).toEqual(['taskforce.formed', 'taskforce.milestone-set', 'taskforce.site-visited']);
    // a second task force formed for the joint case goes as soon as it is linked
    const second = randomUUID();
    await append(`taskforce-${second}`, formed(second, [caseId], []));
    await follow();
    expect(sentOf(`taskforce-${second}`)).toEqual([]);
    await append(`case-${caseId}`, joined(caseId, second));
    await follow();
    expect(sentOf(`taskforce-${second}`)).toEqual(['taskforce.formed']);
    expect(sentOf(`case-${caseId}`)).toEqual(['case.registered', 'case.task-force-joined', 'case.agencies-assigned', 'case.task-force-joined']);
    // a fresh outbound (a restart) reads what concerns the peer from the store, not from memory
    outbound = new RegionOutbound(store, (outbound as unknown as { bus: MessageBus }).bus, { prefix: '', region: 'cq' });
    await append(`taskforce-${second}`, ev(second, 'lianban.taskforce.closed.v1', { outcome: 'resolved', summary: 's' }));
    await follow();
    expect(sentOf(`taskforce-${second}`)).toEqual(['taskforce.formed', 'taskforce.closed']);
  });

  it('after a restart sends a batch as if it had never stopped, reading each case it needs once and no case registered in the batch', async () => {
    const assigned = (caseId: string, agencies: string[]) =>
      ev(caseId, 'lianban.case.agencies-assigned.v1', { agencies: agencies.map((agencyId, i) => ({ agencyId, role: i === 0 ? 'lead' : 'co' })) });
    const classified = (caseId: string) => ev(caseId, 'lianban.case.classified.v1', { category: '城乡建设' });
    const [home, joint, later, quiet] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await append(`case-${home}`, registered(home));
    await append(`case-${home}`, assigned(home, ['500109-rsj']));
    await append(`case-${joint}`, registered(joint));
    await append(`case-${joint}`, assigned(joint, ['511623-sw']));
    await follow();
    expect(sent.map((e) => e.caseId)).toEqual([joint, joint]);
    sent.length = 0;

    // in one batch of a fresh outbound (nothing held in memory): a case already joint, a case
    // the peer joins now, a new case that stays home and a new case that is joint at once
    await append(`case-${joint}`, classified(joint));
    await append(`case-${home}`, assigned(home, ['511623-sw']));
    await append(`case-${quiet}`, registered(quiet));
    await append(`case-${quiet}`, classified(quiet));
    await append(`case-${later}`, registered(later));
    await append(`case-${later}`, assigned(later, ['500109-rsj', '511623-sw']));
    const reads: string[] = [];
    const counting = Object.assign(Object.create(store) as EventStore, {
      readByCase: (caseId: string) => (reads.push(caseId), store.readByCase(caseId)),
    });
    outbound = new RegionOutbound(counting, (outbound as unknown as { bus: MessageBus }).bus, { prefix: '', region: 'cq' });
    await follow();
    const short = (e: StoredEvent) => `${([home, joint, later] as string[]).indexOf(e.caseId)}:${e.type.replace(/^lianban\.case\./, '').replace(/\.v1$/, '')}`;
    expect(sent.map(short)).toEqual([
      '1:classified',
      '0:registered', '0:agencies-assigned', '0:agencies-assigned',
      '2:registered', '2:agencies-assigned',
    ]);
    expect(reads.sort()).toEqual([home, joint, later].sort());
  });
});

