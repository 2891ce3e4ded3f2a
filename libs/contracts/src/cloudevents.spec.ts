import { Kafka } from 'cloudevents';
import { decodeEventMessage, encodeEventMessage, EventMessageError } from './cloudevents';
import type { StoredEvent } from './envelope';
import { agencyTopic, caseEventsTopic, consumerGroup, deadLetterTopic } from './topics';

const stored: StoredEvent = {
  id: '0b7d1f0e-53a5-4c11-9d5a-3b1b0c7e2a10',
  type: 'lianban.task.accepted.v1',
  caseId: 'c7f3c7a4-2d3e-4f57-8a4b-6a0f6c2d9e11',
  causationId: 'request:5d0f',
  region: 'cq',
  agencyId: '500112-rsj',
  actor: { id: 'caseworker@500112-rsj', role: 'caseworker' },
  occurredAt: '2021-05-06T06:00:00.000Z',
  hlc: '001620280800000.00003',
  data: { acknowledgedInTime: true, acknowledgeDueAt: '2021-05-21T01:30:00.000Z', handleDueAt: '2021-07-05T06:00:00.000Z', note: '人社局 受理' },
  streamId: 'task-c7f3c7a4-2d3e-4f57-8a4b-6a0f6c2d9e11-500112-rsj',
  revision: 0,
  position: 42,
  recordedAt: '2026-11-29T05:00:00.123Z',
};

describe('CloudEvents binary mode codec', () => {
  it('round-trips a stored event through key, ce_ headers and a JSON value', () => {
    const m = encodeEventMessage(stored);
    expect(m.key).toBe(stored.caseId);
    expect(m.headers).toMatchObject({
      ce_specversion: '1.0', ce_id: stored.id, ce_type: stored.type, ce_time: stored.occurredAt, ce_subject: stored.caseId,
      ce_source: `/lianban/cq/${stored.streamId}`, 'content-type': 'application/json', ce_revision: '0', ce_position: '42',
      ce_causationid: 'request:5d0f', ce_agencyid: '500112-rsj', ce_hlc: stored.hlc, ce_actorid: stored.actor.id, ce_actorrole: 'caseworker',
    });
    expect(JSON.parse(m.value.toString('utf8'))).toEqual(stored.data);
    expect(decodeEventMessage(m)).toEqual(stored);
  });

  it('sends the body it is given (the relay\'s redacted one) with the stored envelope', () => {
    const m = encodeEventMessage(stored, { only: 'this' });
    expect(JSON.parse(m.value.toString())).toEqual({ only: 'this' });
    expect(decodeEventMessage(m)).toEqual({ ...stored, data: { only: 'this' } });
  });

  it('leaves out absent causation and agency rather than sending empty values, and reads them back as null', () => {
    const m = encodeEventMessage({ ...stored, causationId: null, agencyId: null });
    expect(m.headers).not.toHaveProperty('ce_causationid');
    expect(m.headers).not.toHaveProperty('ce_agencyid');
    expect(decodeEventMessage(m)).toMatchObject({ causationId: null, agencyId: null });
  });

  it('is read by the CloudEvents SDK as a valid 1.0 event with Lianban\'s extensions', () => {
    const m = encodeEventMessage(stored);
    const ce = Kafka.toEvent({ key: m.key, value: m.value, headers: m.headers } as never) as unknown as Record<string, unknown> & { validate(): boolean };
    expect(ce.validate()).toBe(true);
    expect(ce).toMatchObject({
      specversion: '1.0', id: stored.id, type: stored.type, source: `/lianban/cq/${stored.streamId}`, subject: stored.caseId,
      time: stored.occurredAt, datacontenttype: 'application/json', data: stored.data,
      streamid: stored.streamId, revision: '0', position: '42', causationid: 'request:5d0f', region: 'cq', agencyid: '500112-rsj',
      hlc: stored.hlc, actorid: stored.actor.id, actorrole: 'caseworker',
    });
  });

  it.each([
    ['a missing required header', (h: Record<string, string>) => delete h.ce_type, /missing header ce_type/],
    ['another spec version', (h: Record<string, string>) => (h.ce_specversion = '0.3'), /ce_specversion/],
    ['a non-JSON content type', (h: Record<string, string>) => (h['content-type'] = 'text/plain'), /content-type/],
    ['an unknown region', (h: Record<string, string>) => (h.ce_region = 'bj'), /ce_region/],
    ['a revision that is not a number', (h: Record<string, string>) => (h.ce_revision = '1e3'), /ce_revision/],
  ])('refuses %s as a permanent EventMessageError', (_what, spoil, message) => {
    const m = encodeEventMessage(stored);
    spoil(m.headers);
    expect(() => decodeEventMessage(m)).toThrow(EventMessageError);
    expect(() => decodeEventMessage(m)).toThrow(message);
  });

  it('refuses a value that is not JSON', () => {
    const m = { ...encodeEventMessage(stored), value: Buffer.from('{not json') };
    expect(() => decodeEventMessage(m)).toThrow(/not JSON/);
  });

  it('names topics and groups per region under an optional prefix', () => {
    const n = { prefix: 'e2e-1.', region: 'sc' as const };
    expect(caseEventsTopic(n)).toBe('e2e-1.sc.case-events');
    expect(agencyTopic(n, '511623-sw')).toBe('e2e-1.sc.agency.511623-sw');
    expect(deadLetterTopic(n, 'coordinator')).toBe('e2e-1.sc.dlq.coordinator');
    expect(consumerGroup(n, 'agency.511623-sw')).toBe('e2e-1.sc.agency.511623-sw');
    expect(caseEventsTopic({ prefix: '', region: 'cq' })).toBe('cq.case-events');
  });
});
