import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Actor, NewEvent, Region } from '@lianban/contracts';
import { localDate } from '@lianban/domain';
import { StreamConflictError, type EventStore, type StreamAppend } from '@lianban/eventstore';
import { EVENT_STORE, HlcService } from '@lianban/platform';

export const CASE_NUMBER_ALLOCATED = 'lianban.casenumber.allocated.v1';

/** A number not yet written: the case's only once `append` is written atomically with the registration. */
export interface ReservedNumber {
  caseNumber: string;
  append: StreamAppend;
}

/**
 * Human case numbers (信访件编号), one sequence per region and year, kept in the stream
 * `casenumber-<region>-<year>`. Number n is the stream's revision n - 1, and the store never
 * gives one revision twice, so no two cases share a number, however many intake processes run.
 *
 * Allocated by an append of its own, a number whose registration then fails stays unused, as a
 * torn-off paper form would. Where the store writes several streams atomically (appendMany) and
 * this process knows where the sequence ends, the number is reserved instead and written with
 * the registration, expecting the revision before it: one durable write instead of two, and a
 * failed registration takes its number with it. A reservation another writer got to first is
 * refused by the store like any conflict, and the registration allocates afresh.
 */
@Injectable()
export class CaseNumberAllocator {
  /** per sequence, the revision of the last number this process allocated or reserved */
  private readonly last = new Map<string, number>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, private readonly hlc: HlcService) {}

  async allocate(region: Region, caseId: string, at: string, actor: Actor): Promise<string> {
    const { streamId, year } = sequence(region, at);
    const r = await this.store.append(streamId, [this.allocated(region, caseId, at, actor, year)], 'any');
    // allocations answered out of order must not move the end back
    this.last.set(streamId, Math.max(this.last.get(streamId) ?? -1, r.nextExpectedRevision));
    return caseNumber(region, year, r.nextExpectedRevision);
  }

  /** whether reserve() can give a number of this sequence now */
  reservable(region: Region, at: string): boolean {
    return !!this.store.appendMany && this.last.has(sequence(region, at).streamId);
  }

  /**
   * The next number, to be written with the registration; null when it cannot be. Taken right
   * before the write is queued, so that reserved numbers reach the store in their order.
   */
  reserve(region: Region, caseId: string, at: string, actor: Actor): ReservedNumber | null {
    const { streamId, year } = sequence(region, at);
    const last = this.last.get(streamId);
    if (last === undefined || !this.store.appendMany) return null;
    this.last.set(streamId, last + 1);
    return { caseNumber: caseNumber(region, year, last + 1), append: { streamId, events: [this.allocated(region, caseId, at, actor, year)], expected: last } };
  }

  /**
   * The registration carrying `reserved` failed with `error`, so its number was not written: the
   * sequence's end is learnt again by the next allocation. True when another writer took the
   * number (allocate one then); any other error is the registration's own.
   */
  lost(reserved: ReservedNumber, error: unknown): boolean {
    this.last.delete(reserved.append.streamId);
    return error instanceof StreamConflictError && error.streamId === reserved.append.streamId;
  }

  private allocated(region: Region, caseId: string, at: string, actor: Actor, year: string): NewEvent {
    return {
      id: randomUUID(), type: CASE_NUMBER_ALLOCATED, caseId, causationId: null, region, agencyId: null, actor,
      occurredAt: at, hlc: this.hlc.stamp(at), data: { year: Number(year) },
    };
  }
}

function sequence(region: Region, at: string): { streamId: string; year: string } {
  const year = localDate(at).slice(0, 4);
  return { streamId: `casenumber-${region}-${year}`, year };
}

/** the number stored at `revision` of its sequence */
function caseNumber(region: Region, year: string, revision: number): string {
  return `${region.toUpperCase()}-${year}-${String(revision + 1).padStart(6, '0')}`;
}
