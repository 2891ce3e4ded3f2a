import { createHash, type Hash } from 'node:crypto';
import type { StoredEvent } from '@lianban/contracts';
import type { KeyRecord } from '@lianban/auth';

/**
 * JSON with object keys sorted at every level. PostgreSQL's jsonb does not keep key order (nor
 * does any store have to), so only a canonical form can be compared across stores.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // undefined and functions have no JSON form; in an array JSON.stringify writes null for them
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * An event as every store must give it back after a copy: everything but the position, which
 * EventStoreDB assigns itself (a log offset). The order of events is checked by the digest, which
 * runs over the events in global order.
 */
export function canonicalEvent(e: StoredEvent): string {
  return canonicalJson({
    id: e.id,
    type: e.type,
    streamId: e.streamId,
    revision: e.revision,
    caseId: e.caseId,
    causationId: e.causationId ?? null,
    region: e.region,
    agencyId: e.agencyId ?? null,
    actor: e.actor,
    occurredAt: e.occurredAt,
    hlc: e.hlc,
    recordedAt: e.recordedAt,
    data: e.data,
  });
}

export function canonicalKey(k: KeyRecord): string {
  return `${JSON.stringify(k.petitionerId)}\t${k.key.toString('hex')}\t${k.createdAt}`;
}

/**
 * SHA-256 over one canonical line per item, in order, each followed by "\n" (the same as
 * `sha256sum` of a JSON-lines export in global order); plus the count.
 */
export class Digest {
  private readonly hash: Hash = createHash('sha256');
  count = 0;

  /** One line: the hash is that of the lines joined by "\n", so a line must not contain one. */
  addLine(line: string): void {
    // canonical JSON escapes newlines; a raw one would let two different sequences hash alike
    if (line.includes('\n')) throw new Error('a digest line must not contain a newline');
    this.hash.update(line);
    this.hash.update('\n');
    this.count += 1;
  }

  hex(): string {
    return this.hash.copy().digest('hex');
  }
}
