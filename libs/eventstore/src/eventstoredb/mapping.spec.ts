import {
  ANY,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  WrongExpectedVersionError,
  type RecordedEvent,
} from '@eventstore/db-client';
import { EventRejectedError, StreamConflictError } from '../port';
import { encodeAppend } from '../internal/encode';
import {
  SUBSCRIPTION_STREAM_REGEX,
  checkpointStreamName,
  fromRecordedEvent,
  isInternal,
  mapAppendError,
  redactConnectionString,
  toAppendExpectedRevision,
  toEventData,
  toPortPosition,
  toReadPosition,
  toStreamState,
} from './mapping';

const [encoded] = encodeAppend(
  'case-1',
  [
    {
      id: '7d0f7c1e-3a52-4f0e-9a55-0c7f8f0e8a11',
      type: 'lianban.case.registered.v1',
      caseId: 'case-1',
      causationId: 'cmd-9',
      region: 'cq',
      agencyId: '500112-rsj',
      actor: { id: 'u-1', role: 'clerk' },
      occurredAt: '2025-03-01T00:00:00.000Z',
      hlc: '0001-0001-a',
      data: { title: '投诉 📢' },
    },
  ],
  'no-stream',
);

function recorded(overrides: Partial<Record<string, unknown>> = {}): RecordedEvent {
  const data = toEventData(encoded, '2025-03-01T00:00:01.000Z');
  return {
    streamId: 'case-1',
    id: data.id,
    isJson: true,
    revision: 3n,
    type: data.type,
    created: new Date('2025-03-01T00:00:02.000Z'),
    data: data.data,
    metadata: data.metadata,
    position: { commit: 4242n, prepare: 4242n },
    ...overrides,
  } as unknown as RecordedEvent;
}

describe('EventStoreDB mapping', () => {
  it('maps expected revisions to the client constants and BigInt', () => {
    expect(toAppendExpectedRevision('no-stream')).toBe(NO_STREAM);
    expect(toAppendExpectedRevision('any')).toBe(ANY);
    expect(toAppendExpectedRevision(0)).toBe(0n);
    expect(toAppendExpectedRevision(9_999)).toBe(9_999n);
    expect(toStreamState('no-stream')).toBe(NO_STREAM);
    expect(toStreamState(12)).toBe(12n);
  });

  it('puts the envelope into JSON metadata, with the correlation fields EventStoreDB projections read', () => {
    const data = toEventData(encoded, '2025-03-01T00:00:01.000Z');
    expect(data).toMatchObject({
      id: encoded.id,
      type: 'lianban.case.registered.v1',
      contentType: 'application/json',
      data: { title: '投诉 📢' },
    });
    expect(data.metadata).toEqual({
      caseId: 'case-1',
      causationId: 'cmd-9',
      region: 'cq',
      agencyId: '500112-rsj',
      actor: { id: 'u-1', role: 'clerk' },
      occurredAt: '2025-03-01T00:00:00.000Z',
      hlc: '0001-0001-a',
      recordedAt: '2025-03-01T00:00:01.000Z',
      $correlationId: 'case-1',
      $causationId: 'cmd-9',
    });
  });

  it('turns a recorded event back into the envelope it was written from', () => {
    expect(fromRecordedEvent(recorded())).toEqual({
      id: encoded.id,
      type: 'lianban.case.registered.v1',
      caseId: 'case-1',
      causationId: 'cmd-9',
      region: 'cq',
      agencyId: '500112-rsj',
      actor: { id: 'u-1', role: 'clerk' },
      occurredAt: '2025-03-01T00:00:00.000Z',
      hlc: '0001-0001-a',
      data: { title: '投诉 📢' },
      streamId: 'case-1',
      revision: 3,
      position: 4242,
      recordedAt: '2025-03-01T00:00:01.000Z',
    });
  });

  it('takes the position from the resolved event when the record has none', () => {
    expect(fromRecordedEvent(recorded({ position: undefined }), 77n)?.position).toBe(77);
    expect(() => fromRecordedEvent(recorded({ position: undefined }))).toThrow(/without its position/);
  });

  it('skips internal events and refuses foreign ones loudly', () => {
    expect(fromRecordedEvent(recorded({ streamId: '$stats-127.0.0.1:2113' }))).toBeNull();
    expect(fromRecordedEvent(recorded({ type: '$metadata' }))).toBeNull();
    expect(fromRecordedEvent(recorded({ streamId: checkpointStreamName('relay') }))).toBeNull();
    expect(() => fromRecordedEvent(recorded({ metadata: undefined }))).toThrow(/no Lianban metadata/);
    expect(isInternal('case-1', 'lianban.case.registered.v1')).toBe(false);
  });

  it('keeps positions exact or refuses them', () => {
    expect(toPortPosition(0n)).toBe(0);
    expect(toPortPosition(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toPortPosition(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(RangeError);
    expect(toReadPosition(0)).toBe(START);
    expect(toReadPosition(4242)).toEqual({ commit: 4242n, prepare: 4242n });
    expect(() => toReadPosition(-1)).toThrow(RangeError);
    expect(() => toReadPosition(1.5)).toThrow(RangeError);
  });

  it('maps WrongExpectedVersion to StreamConflictError and over-size appends to EventRejectedError', () => {
    const wrongRevision = mapAppendError(
      new WrongExpectedVersionError(undefined, { streamName: 'case-1', expected: 2n, current: 5n }),
      'case-1',
      2,
    );
    expect(wrongRevision).toBeInstanceOf(StreamConflictError);
    expect(wrongRevision).toMatchObject({ streamId: 'case-1', expected: 2, actual: 5 });

    const missing = mapAppendError(
      new WrongExpectedVersionError(undefined, { streamName: 'case-2', expected: 0n, current: NO_STREAM }),
      'case-2',
      0,
    );
    expect(missing).toMatchObject({ streamId: 'case-2', expected: 0, actual: 'no-stream' });

    expect(mapAppendError(new MaxAppendSizeExceededError(undefined, 1_048_576), 'case-1', 'any')).toBeInstanceOf(
      EventRejectedError,
    );
    const other = new Error('unavailable');
    expect(mapAppendError(other, 'case-1', 'any')).toBe(other);
  });

  it('filters system and checkpoint streams out of subscriptions', () => {
    // the server evaluates the same pattern with .NET regex; JavaScript agrees on lookaheads
    const regex = new RegExp(SUBSCRIPTION_STREAM_REGEX);
    expect(regex.test('case-1')).toBe(true);
    expect(regex.test('task-1-500112-rsj')).toBe(true);
    expect(regex.test('案件-1')).toBe(true);
    expect(regex.test('$stats-127.0.0.1:2113')).toBe(false);
    expect(regex.test('$$case-1')).toBe(false);
    expect(regex.test(checkpointStreamName('relay'))).toBe(false);
  });

  it('hides credentials of a connection string', () => {
    expect(redactConnectionString('esdb://admin:changeit@db:2113?tls=true')).toBe('esdb://***@db:2113?tls=true');
    expect(redactConnectionString('esdb://127.0.0.1:1?tls=false')).toBe('esdb://127.0.0.1:1?tls=false');
  });
});
