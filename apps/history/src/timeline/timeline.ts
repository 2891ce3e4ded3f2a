import { createHash } from 'node:crypto';
import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
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
/**
 * And how many bytes of answers at most: a 500-event timeline is about 235 KB of JSON (and as
 * much again as objects), so a few very long cases must not hold the whole count's worth.
 */
export const TIMELINE_CACHE_BYTES = 24 * 1024 * 1024;

/** A timeline as sent over HTTP: its JSON and that JSON's entity tag. */
export interface TimelineBody {
  json: Buffer;
  etag: string;
}

interface CachedTimeline {
  head: number;
  file: CaseFile;
  entries: TimelineEntry[];
  cacheable: boolean;
  /** made on the first send: the same for every caller, who are checked before they get it */
  body?: TimelineBody;
}

/** A strong tag from the bytes themselves, so a new release that words a summary differently is a new tag too. */
function etagOf(json: Buffer): string {
  return `"${createHash('sha1').update(json).digest('base64url')}"`;
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
  /** the bytes of the answers kept in the cache */
  private cachedBytes = 0;

  constructor(private readonly reader: CaseReader, private readonly registry: Registry) {}

  async execute(query: GetTimelineQuery): Promise<Timeline> {
    return answer(query, (await this.timeline(query)).entries);
  }

  /**
   * The answer's JSON, serialised once per cached timeline: for a long case, writing 500 entries
   * out again cost more than everything else about a repeated GET. Every caller who may read the
   * case gets the same bytes (nothing in a timeline depends on who asks).
   */
  async body(query: GetTimelineQuery): Promise<TimelineBody> {
    const built = await this.timeline(query);
    if (!built.body) {
      const json = Buffer.from(JSON.stringify(answer(query, built.entries)));
      built.body = { json, etag: etagOf(json) };
      if (this.cache.get(keyOf(query)) === built) {
        this.cachedBytes += json.length;
        this.evict();
      }
    }
    return built.body;
  }

  private async timeline({ caseId, asOf, caller }: GetTimelineQuery): Promise<CachedTimeline> {
    const key = keyOf({ caseId, asOf });
    const head = await this.reader.caseHead(caseId);
    let built = this.cache.get(key);
    if (!built || head === null || built.head !== head) {
      built = await this.build(caseId, asOf, head ?? 0);
      this.forget(key);
      if (head !== null && built.cacheable) {
        this.cache.set(key, built);
        this.evict();
      }
    } else {
      // least recently used goes first
      this.cache.delete(key);
      this.cache.set(key, built);
    }
    // checked on every request: the cache is shared by every caller
    assertCanReadCase(caller, built.file);
    return built;
  }

  private forget(key: string): void {
    const gone = this.cache.get(key);
    if (!gone) return;
    this.cache.delete(key);
    this.cachedBytes -= gone.body?.json.length ?? 0;
  }

  private evict(): void {
    while (this.cache.size > TIMELINE_CACHE_SIZE || (this.cachedBytes > TIMELINE_CACHE_BYTES && this.cache.size > 1)) {
      this.forget(this.cache.keys().next().value!);
    }
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

function keyOf({ caseId, asOf }: { caseId: string; asOf: string | undefined }): string {
  return `${caseId}|${asOf ?? ''}`;
}

function answer({ caseId, asOf }: GetTimelineQuery, entries: TimelineEntry[]): Timeline {
  return { caseId, asOf: asOf ?? null, entries };
}

@ApiTags('history')
@ApiBearerAuth()
@Controller('v1/cases')
export class TimelineController {
  // the handler itself rather than the query bus: it is the handler that keeps the answer's bytes
  constructor(private readonly timelines: GetTimelineHandler) {}

  @Get(':caseId/timeline')
  @ApiOperation({ summary: "the case's whole cross-agency history, rebuilt from stored events, in causal order; as of a moment" })
  @ApiHeader({
    name: 'If-None-Match', required: false,
    description: 'the ETag of a timeline the client already holds: while the case has not changed since, the answer is 304 without a body',
  })
  @ApiOkResponse({
    description: '{caseId, asOf, entries}; the ETag names these exact bytes, the same for every caller entitled to the case',
    headers: { ETag: { description: 'a strong entity tag of the body', schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 304, description: 'the If-None-Match tag is still the current one: the timeline is unchanged (the caller was checked as for a 200)' })
  async timeline(
    @Param('caseId', new ParseUUIDPipe()) caseId: string, @Query() q: AsOfDto, @Caller() caller: Principal, @Req() req: Request, @Res() res: Response,
  ): Promise<void> {
    const { json, etag } = await this.timelines.body(new GetTimelineQuery(caseId, q.asOf ? parseMoment(q.asOf)! : undefined, caller));
    res.setHeader('etag', etag);
    if (noneMatch(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return;
    }
    res.type('json');
    // with the tag already set, express hashes nothing
    res.send(json);
  }
}

/**
 * If-None-Match as RFC 9110 13.1.2 has the origin evaluate it: a weak comparison with each tag
 * listed. Not express's req.fresh: that ignores the header whenever the request says
 * `Cache-Control: no-cache`, which fetch() adds to every request that sets If-None-Match itself.
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}
