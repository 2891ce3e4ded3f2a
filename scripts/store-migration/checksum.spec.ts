import { createHash } from 'node:crypto';
import type { StoredEvent } from '@lianban/contracts';
import { Digest, canonicalEvent, canonicalJson } from './checksum';

const event: StoredEvent = {
  id: 'e1', type: 'lianban.case.registered.v1', caseId: 'c1', causationId: null, region: 'cq',
  actor: { id: 'u', role: 'clerk' }, occurredAt: '2021-05-04T02:12:00.000Z', hlc: 'h',
  data: { b: 1, a: { d: [2, { z: 0, y: '欠薪 🧾' }], c: null } },
  streamId: 'case-c1', revision: 0, position: 7, recordedAt: '2021-05-04T02:12:00.123Z',
};

describe('canonical form of an event (what the migration compares)', () => {
  it('sorts keys at every level, so a store that reorders them (jsonb) gives the same text', () => {
    const reordered = { ...event, data: { a: { c: null, d: [2, { y: '欠薪 🧾', z: 0 }] }, b: 1 } };
    expect(canonicalEvent(reordered)).toBe(canonicalEvent(event));
    expect(canonicalJson({ b: 1, a: [3, 1] })).toBe('{"a":[3,1],"b":1}');
  });

  it('leaves the position out (EventStoreDB assigns its own) and treats a missing agencyId as null', () => {
    expect(canonicalEvent({ ...event, position: 123456 })).toBe(canonicalEvent(event));
    expect(canonicalEvent({ ...event, agencyId: null })).toBe(canonicalEvent(event));
  });

  it('changes with anything a copy must keep: recordedAt, revision, array order, a value', () => {
    const base = canonicalEvent(event);
    expect(canonicalEvent({ ...event, recordedAt: '2021-05-04T02:12:00.124Z' })).not.toBe(base);
    expect(canonicalEvent({ ...event, revision: 1 })).not.toBe(base);
    expect(canonicalEvent({ ...event, data: { ...(event.data as object), b: '1' } })).not.toBe(base);
    expect(canonicalEvent({ ...event, data: { b: 1, a: { d: [{ z: 0, y: '欠薪 🧾' }, 2], c: null } } })).not.toBe(base);
  });
});

describe('Digest', () => {
  it('depends on the order of the lines and counts them', () => {
    const ab = new Digest();
    ab.addLine('a');
    ab.addLine('b');
    const ba = new Digest();
    ba.addLine('b');
    ba.addLine('a');
    expect(ab.count).toBe(2);
    expect(ab.hex()).toMatch(/^[0-9a-f]{64}$/);
    expect(ab.hex()).not.toBe(ba.hex());
    // the hash of lines joined by "\n": a line holding one would be ambiguous, so it is refused
    expect(() => new Digest().addLine('a\nb')).toThrow(/newline/);
    expect(ab.hex()).toBe(createHash('sha256').update('a\nb\n').digest('hex'));
  });
});
