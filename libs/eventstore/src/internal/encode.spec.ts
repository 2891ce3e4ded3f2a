import { EventRejectedError, MAX_EVENT_BYTES, StreamConflictError } from '../port';
import { checkRevision, encodeAppend } from './encode';

const base = {
  id: '7d0f7c1e-3a52-4f0e-9a55-0c7f8f0e8a11',
  type: 't',
  caseId: 'c',
  causationId: null,
  region: 'cq' as const,
  actor: { id: 'u', role: 'r' },
  occurredAt: '2025-01-01T00:00:00.000Z',
  hlc: 'h',
  data: {},
};

describe('encodeAppend', () => {
  it('measures the size limit in UTF-8 bytes of everything stored', () => {
    const overhead = encodeAppend('s', [{ ...base, data: '' }], 'any')[0].bytes;
    const fits = 'a'.repeat(MAX_EVENT_BYTES - overhead);
    expect(encodeAppend('s', [{ ...base, data: fits }], 'any')[0].bytes).toBe(MAX_EVENT_BYTES);
    expect(() => encodeAppend('s', [{ ...base, data: fits + 'a' }], 'any')).toThrow(EventRejectedError);
    // one more character, three more bytes
    const cjk = '汉'.repeat(Math.floor((MAX_EVENT_BYTES - overhead) / 3));
    expect(() => encodeAppend('s', [{ ...base, data: cjk + '汉' }], 'any')).toThrow(EventRejectedError);
  });

  it('normalises a missing agencyId to null and keeps what JSON keeps of data', () => {
    const [e] = encodeAppend('s', [{ ...base, data: { at: new Date(0), gone: undefined } }], 'any');
    expect(e.agencyId).toBeNull();
    expect(e.data).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('refuses data that cannot be serialised', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeAppend('s', [{ ...base, data: cyclic }], 'any')).toThrow(EventRejectedError);
    expect(() => encodeAppend('s', [{ ...base, data: 10n }], 'any')).toThrow(EventRejectedError);
  });
});

describe('checkRevision', () => {
  it('accepts any state for any, and only the exact state otherwise', () => {
    expect(() => checkRevision('s', 'any', 'no-stream')).not.toThrow();
    expect(() => checkRevision('s', 'any', 3)).not.toThrow();
    expect(() => checkRevision('s', 'no-stream', 'no-stream')).not.toThrow();
    expect(() => checkRevision('s', 'no-stream', 0)).toThrow(StreamConflictError);
    expect(() => checkRevision('s', 3, 3)).not.toThrow();
    expect(() => checkRevision('s', 3, 4)).toThrow(StreamConflictError);
    expect(() => checkRevision('s', 0, 'no-stream')).toThrow(StreamConflictError);
  });
});
