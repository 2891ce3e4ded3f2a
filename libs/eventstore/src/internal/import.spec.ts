import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@lianban/contracts';
import { EventRejectedError, StreamConflictError } from '../port';
import { encodeImport, planImport, streamRuns } from './import';

function stored(streamId: string, revision: number, position: number): StoredEvent {
  return {
    id: randomUUID(), type: 'lianban.t.v1', caseId: 'c', causationId: null, region: 'cq', agencyId: null,
    actor: { id: 'u', role: 'clerk' }, occurredAt: '2021-05-04T02:12:00.000Z', hlc: 'h', data: {},
    streamId, revision, position, recordedAt: '2021-05-04T02:12:00.000Z',
  };
}

describe('planImport', () => {
  const batch = encodeImport([stored('a', 0, 1), stored('b', 0, 2), stored('a', 1, 3)]);

  it('writes everything into streams that do not exist yet', () => {
    expect(planImport(batch, new Map(), new Map())).toEqual({ toWrite: batch, skipped: 0 });
  });

  it('skips events already stored at the same stream and revision and writes what follows them', () => {
    const existing = new Map([[batch[0].id, { streamId: 'a', revision: 0 }]]);
    const plan = planImport(batch, existing, new Map([['a', 0]]));
    expect(plan.skipped).toBe(1);
    expect(plan.toWrite.map((e) => e.id)).toEqual([batch[1].id, batch[2].id]);
  });

  it('refuses an id stored at another place, and a revision that leaves a gap or rewrites the stream', () => {
    expect(() => planImport(batch, new Map([[batch[0].id, { streamId: 'a', revision: 7 }]]), new Map([['a', 7]]))).toThrow(StreamConflictError);
    expect(() => planImport(batch, new Map(), new Map([['a', 0]]))).toThrow(/revision 0 of a, but the stream is at 0/);
    expect(() => planImport(encodeImport([stored('a', 2, 1)]), new Map(), new Map())).toThrow(/stream is at no-stream/);
  });
});

describe('encodeImport', () => {
  it('refuses positions that do not increase, duplicate ids and timestamps that are not', () => {
    const [x, y] = [stored('a', 0, 5), stored('a', 1, 5)];
    expect(() => encodeImport([x, y])).toThrow(EventRejectedError);
    expect(() => encodeImport([x, { ...y, position: 6, id: x.id }])).toThrow(/twice/);
    expect(() => encodeImport([{ ...x, recordedAt: 'soon' }])).toThrow(/recordedAt/);
    expect(() => encodeImport([{ ...x, revision: -1 }])).toThrow(/revision/);
  });
});

describe('streamRuns', () => {
  it('groups consecutive events of one stream and keeps the global order between runs', () => {
    const runs = streamRuns([{ streamId: 'a', n: 1 }, { streamId: 'a', n: 2 }, { streamId: 'b', n: 3 }, { streamId: 'a', n: 4 }]);
    expect(runs.map((r) => r.map((e) => e.n))).toEqual([[1, 2], [3], [4]]);
  });
});
