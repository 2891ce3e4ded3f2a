import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Actor, Region } from '@lianban/contracts';
import { localDate } from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE, HlcService } from '@lianban/platform';

export const CASE_NUMBER_ALLOCATED = 'lianban.casenumber.allocated.v1';

/**
 * Human case numbers (信访件编号), one sequence per region and year, kept in the stream
 * `casenumber-<region>-<year>`. The store assigns the revision atomically, so the number is
 * the revision + 1: no two cases share one, however many intake processes run.
 * A number whose registration then fails stays unused, as a torn-off paper form would.
 */
@Injectable()
export class CaseNumberAllocator {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, private readonly hlc: HlcService) {}

  async allocate(region: Region, caseId: string, at: string, actor: Actor): Promise<string> {
    const year = localDate(at).slice(0, 4);
    const r = await this.store.append(`casenumber-${region}-${year}`, [{
      id: randomUUID(), type: CASE_NUMBER_ALLOCATED, caseId, causationId: null, region, agencyId: null, actor,
      occurredAt: at, hlc: this.hlc.stamp(at), data: { year: Number(year) },
    }], 'any');
    return `${region.toUpperCase()}-${year}-${String(r.nextExpectedRevision + 1).padStart(6, '0')}`;
  }
}
