import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@lianban/contracts';

/** How many events each generated stream gets before the writer moves to a new one. */
export const EVENTS_PER_STREAM = 10;

export interface GeneratedEvent {
  streamId: string;
  /** 0-based revision in its stream */
  revision: number;
  event: NewEvent;
}

const BASE_MS = Date.parse('2024-03-04T01:00:00.000Z');

/**
 * The events a writer appends in B1: handling actions (`task.action-recorded`) on task streams,
 * ten per stream, each with its own UUID, a realistic body and envelope. Raw baselines insert
 * exactly these rows (same columns, same serialisation).
 */
export class EventSource {
  private n = 0;
  private caseId = randomUUID();

  constructor(private readonly writer: number) {}

  next(): GeneratedEvent {
    const revision = this.n % EVENTS_PER_STREAM;
    if (revision === 0 && this.n > 0) this.caseId = randomUUID();
    const at = new Date(BASE_MS + this.n * 60_000).toISOString();
    this.n += 1;
    return {
      streamId: `task-${this.caseId}-500112-rsj`,
      revision,
      event: {
        id: randomUUID(),
        type: 'lianban.task.action-recorded.v1',
        caseId: this.caseId,
        causationId: `request:${randomUUID()}`,
        region: 'cq',
        agencyId: '500112-rsj',
        actor: { id: `caseworker-${this.writer}@500112-rsj`, role: 'caseworker' },
        occurredAt: at,
        hlc: `${String(Date.parse(at)).padStart(15, '0')}.00000`,
        data: { kind: 'site-visit', note: '赴现场查看欠薪情况，约谈企业负责人，督促制定工资支付计划。' },
      },
    };
  }
}

/** The column values the stores write for one event (the raw baselines insert these). */
export function columns(g: GeneratedEvent, recordedAt: string): unknown[] {
  const e = g.event;
  return [
    e.id, g.streamId, g.revision, e.type, e.caseId, e.causationId, e.region, e.agencyId ?? null,
    JSON.stringify(e.actor), e.occurredAt, e.hlc, JSON.stringify(e.data), recordedAt,
  ];
}

export const SQLITE_INSERT = `INSERT INTO events (id, stream_id, revision, type, case_id, causation_id, region, agency_id,
  actor, occurred_at, hlc, data, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
