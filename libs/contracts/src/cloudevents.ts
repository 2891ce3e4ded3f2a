import type { Region, StoredEvent } from './envelope';

/**
 * A stored event as a Kafka message in CloudEvents 1.0 binary mode (Kafka protocol binding):
 * the attributes travel as `ce_` headers, the value is the event's `data` as JSON, so any
 * CloudEvents SDK reads it without knowing Lianban. The envelope fields CloudEvents has no
 * attribute for ride as extension attributes (lowercase alphanumeric names, as the spec requires).
 */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';
export const EVENT_CONTENT_TYPE = 'application/json';

/** the message shape both bus adapters use (kept structural so contracts depends on nothing) */
export interface EventMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Header names, in one table so the AsyncAPI document lists exactly what the codec writes. */
export const CE_HEADERS = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  time: 'ce_time',
  subject: 'ce_subject',
  contentType: 'content-type',
  streamid: 'ce_streamid',
  revision: 'ce_revision',
  position: 'ce_position',
  causationid: 'ce_causationid',
  region: 'ce_region',
  agencyid: 'ce_agencyid',
  hlc: 'ce_hlc',
  actorid: 'ce_actorid',
  actorrole: 'ce_actorrole',
  recordedat: 'ce_recordedat',
} as const;

/** Headers a dead-lettered message carries besides its own (`<region>.dlq.<consumer>`). */
export const DEAD_LETTER_HEADERS = {
  error: 'lianban_error',
  consumer: 'lianban_consumer',
  topic: 'lianban_topic',
  partition: 'lianban_partition',
  offset: 'lianban_offset',
  failedAt: 'lianban_failed_at',
} as const;

/** `/lianban/<region>/<streamId>`: a URI reference naming the stream that holds the event */
export function eventSource(region: string, streamId: string): string {
  return `/lianban/${encodeURIComponent(region)}/${encodeURIComponent(streamId)}`;
}

/**
 * Encodes an event. `data` replaces the stored body when the topic must not carry all of it
 * (personal data removed by the relay); the envelope is always the stored one.
 */
export function encodeEventMessage(e: StoredEvent, data: unknown = e.data): EventMessage {
  const h = CE_HEADERS;
  const headers: Record<string, string> = {
    [h.specversion]: CLOUDEVENTS_SPEC_VERSION,
    [h.id]: e.id,
    [h.source]: eventSource(e.region, e.streamId),
    [h.type]: e.type,
    [h.time]: e.occurredAt,
    [h.subject]: e.caseId,
    [h.contentType]: EVENT_CONTENT_TYPE,
    [h.streamid]: e.streamId,
    [h.revision]: String(e.revision),
    [h.position]: String(e.position),
    [h.region]: e.region,
    [h.hlc]: e.hlc,
    [h.actorid]: e.actor.id,
    [h.actorrole]: e.actor.role,
    [h.recordedat]: e.recordedAt,
  };
  // absent rather than empty: CloudEvents has no null, and "" would be a value
  if (e.causationId !== null && e.causationId !== undefined) headers[h.causationid] = e.causationId;
  if (e.agencyId) headers[h.agencyid] = e.agencyId;
  return { key: e.caseId, value: Buffer.from(JSON.stringify(data ?? null), 'utf8'), headers };
}

/** A message that is not a Lianban CloudEvent: permanent, so the consumer dead-letters it. */
export class EventMessageError extends Error {
  readonly code = 'INVALID_EVENT_MESSAGE';
  constructor(message: string) {
    super(message);
    this.name = 'EventMessageError';
  }
}

const REQUIRED = ['specversion', 'id', 'source', 'type', 'time', 'subject', 'streamid', 'revision', 'position', 'region', 'hlc', 'actorid', 'actorrole'] as const;

function nonNegativeInteger(name: string, text: string): number {
  if (!/^\d{1,16}$/.test(text)) throw new EventMessageError(`header ${name}=${JSON.stringify(text)} is not a non-negative integer`);
  return Number(text);
}

/** Decodes a message written by `encodeEventMessage` (or any producer following the same mapping). */
export function decodeEventMessage(m: { key: string; value: Buffer; headers: Record<string, string> }): StoredEvent {
  const h = CE_HEADERS;
  for (const attr of REQUIRED) {
    const name = h[attr];
    if (typeof m.headers[name] !== 'string' || m.headers[name] === '') throw new EventMessageError(`missing header ${name}`);
  }
  if (m.headers[h.specversion] !== CLOUDEVENTS_SPEC_VERSION) {
    throw new EventMessageError(`ce_specversion ${m.headers[h.specversion]} is not ${CLOUDEVENTS_SPEC_VERSION}`);
  }
  const contentType = m.headers[h.contentType];
  if (contentType !== undefined && !contentType.startsWith(EVENT_CONTENT_TYPE)) {
    throw new EventMessageError(`content-type ${contentType} is not ${EVENT_CONTENT_TYPE}`);
  }
  const region = m.headers[h.region];
  if (region !== 'cq' && region !== 'sc') throw new EventMessageError(`ce_region ${region} is not cq or sc`);
  let data: unknown;
  try {
    data = JSON.parse(m.value.toString('utf8'));
  } catch {
    throw new EventMessageError(`the value of event ${m.headers[h.id]} is not JSON`);
  }
  return {
    id: m.headers[h.id],
    type: m.headers[h.type],
    caseId: m.headers[h.subject],
    causationId: m.headers[h.causationid] ?? null,
    region: region as Region,
    agencyId: m.headers[h.agencyid] ?? null,
    actor: { id: m.headers[h.actorid], role: m.headers[h.actorrole] },
    occurredAt: m.headers[h.time],
    hlc: m.headers[h.hlc],
    data,
    streamId: m.headers[h.streamid],
    revision: nonNegativeInteger(h.revision, m.headers[h.revision]),
    position: nonNegativeInteger(h.position, m.headers[h.position]),
    recordedAt: m.headers[h.recordedat] ?? m.headers[h.time],
  };
}
