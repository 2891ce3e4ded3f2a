import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '@lianban/auth';
import type { StoredEvent } from '@lianban/contracts';
import { summarize, type CaseFile } from '@lianban/domain';
import { assertCanReadCase, CaseReader } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { AsOfDto } from '../as-of.dto';
import { parseMoment } from '../moment';

export interface TimelineEntry {
  at: string;
  hlc: string;
  region: string;
  agencyId: string | null;
  agencyName: string | null;
  type: string;
  summary: string;
  eventId: string;
  causationId: string | null;
  streamId: string;
}

export interface Timeline {
  caseId: string;
  asOf: string | null;
  entries: TimelineEntry[];
}

/** Causal order (DESIGN 6): hybrid logical clock, then region, then store position. */
export function causalOrder(a: StoredEvent, b: StoredEvent): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  if (a.region !== b.region) return a.region < b.region ? -1 : 1;
  return a.position - b.position;
}

/** Internal bookkeeping streams that are not part of a case's story. */
const NOT_IN_TIMELINE = new Set(['lianban.casenumber.allocated.v1']);

export class GetTimelineQuery {
  constructor(readonly caseId: string, readonly asOf: string | undefined, readonly caller: Principal) {}
}

/** How many (case, moment) timelines are kept; a rebuild is a few ms, so this only has to hold the hot ones. */
const TIMELINE_CACHE_SIZE = 64;

interface CachedTimeline {
  head: number;
  file: CaseFile;
  entries: TimelineEntry[];
  cacheable: boolean;
}

@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery, Timeline> {
  /**
   * Rebuilt timelines by case and moment, each valid while the case's head position is the one
   * read before it was built: events are only ever appended, at higher positions, so an
   * unchanged head means unchanged events (and the registry's names are fixed data). Cases that
   * took a task force up are not cached: that stream's events carry the task force's id, so
   * the case's head does not move with them.
   */
  private readonly cache = new Map<string, CachedTimeline>();

  constructor(private readonly reader: CaseReader, private readonly registry: Registry) {}

  async execute({ caseId, asOf, caller }: GetTimelineQuery): Promise<Timeline> {
    const key = `${caseId}|${asOf ?? ''}`;
    const head = await this.reader.caseHead(caseId);
    let built = this.cache.get(key);
    if (!built || head === null || built.head !== head) {
      built = await this.build(caseId, asOf, head ?? 0);
      this.cache.delete(key);
      if (head !== null && built.cacheable) {
        this.cache.set(key, built);
        if (this.cache.size > TIMELINE_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      }
    } else {
      // least recently used goes first
      this.cache.delete(key);
      this.cache.set(key, built);
    }
    // checked on every request: the cache is shared by every caller
    assertCanReadCase(caller, built.file);
    return { caseId, asOf: asOf ?? null, entries: built.entries };
  }

  private async build(caseId: string, asOf: string | undefined, head: number): Promise<CachedTimeline> {
    const { file, events } = await this.reader.fileOr404(caseId, asOf);
    const nameAt = (id: string, at: string) => this.registry.agency(id, at)?.name ?? id;
    // a task force's events live once in its own stream, and join the story of each case it took up
    const linked = await this.reader.linkedEvents(events, asOf);
    const entries = [...events, ...linked]
      .filter((e) => !NOT_IN_TIMELINE.has(e.type))
      .sort(causalOrder)
      .map((e) => ({
        at: e.occurredAt, hlc: e.hlc, region: e.region, agencyId: e.agencyId ?? null,
        agencyName: e.agencyId ? nameAt(e.agencyId, e.occurredAt) : null, type: e.type, summary: summarize(e, nameAt),
        eventId: e.id, causationId: e.causationId, streamId: e.streamId,
      }));
    return { head, file, entries, cacheable: file.taskForces.length === 0 };
  }
}

@ApiTags('history')
@ApiBearerAuth()
@Controller('v1/cases')
export class TimelineController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':caseId/timeline')
  @ApiOperation({ summary: "the case's whole cross-agency history, rebuilt from stored events, in causal order; as of a moment" })
  timeline(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Query() q: AsOfDto, @Caller() caller: Principal): Promise<Timeline> {
    return this.queries.execute(new GetTimelineQuery(caseId, q.asOf ? parseMoment(q.asOf)! : undefined, caller));
  }
}
