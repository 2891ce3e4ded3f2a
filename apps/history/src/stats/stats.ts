import { applyDecorators, Controller, Get, Header, Inject, Query, Res } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Caller, type Principal } from '@lianban/auth';
import type { Region } from '@lianban/contracts';
import { ApiError, badRequest, CONFIG, forbidden, Now, type LianbanConfig } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { parseMoment } from '../moment';
import { CaseFactsProjection } from '../projections/case-facts.projection';
import { statsCsv } from './csv';
import { OverdueQueryDto, StatsQueryDto } from './stats.dto';
import { computeStats, overdueItems, type GroupBy, type OverdueItem, type StatsReport } from './statistics';

const REGION_NAMES: Record<string, string> = { cq: '重庆', sc: '四川' };
const REGIONS: readonly Region[] = ['cq', 'sc'];

/** What the caller may ask this deployment for (GET /v1/stats/regions): the dashboard offers only these. */
export interface StatsRegions {
  /** the regions whose statistics this deployment answers for this caller; empty: none */
  regions: Region[];
  /** whether a question without `region` sums several regions (else it is the one region listed) */
  combined: boolean;
}

/** the same rules as scopedRegion, stated as what is answered rather than what is refused */
export function regionsAnswered(caller: Principal, config: Pick<LianbanConfig, 'crossRegion' | 'region'>): StatsRegions {
  const kept = config.crossRegion ? [config.region] : REGIONS;
  const regions = kept.filter((r) => !caller.region || r === caller.region);
  return { regions, combined: regions.length > 1 };
}

/**
 * What a caller may see: a token that names a region sees that region's statistics only. With
 * two deployments (DESIGN 6) each keeps its own region's statistics: it holds the other
 * region's joint cases only as copies, which count at home (see ONE REGION in statistics.ts),
 * so a question about the other region is sent there (421, like an agency service asked for
 * another agency).
 */
export function scopedRegion(caller: Principal, asked: string | undefined, config: Pick<LianbanConfig, 'crossRegion' | 'region'>): string | undefined {
  if (caller.region && asked && asked !== caller.region) {
    throw forbidden('REGION_NOT_ALLOWED', `this token acts in region ${caller.region}; it cannot read the statistics of ${asked}`);
  }
  const region = caller.region ?? asked;
  if (!config.crossRegion) return region;
  if (region && region !== config.region) {
    throw new ApiError(421, 'WRONG_REGION_SERVICE', `this deployment keeps the statistics of region ${config.region}; ask region ${region}'s own`);
  }
  return config.region;
}

function invalid(field: string, problem: string): never {
  throw badRequest('VALIDATION_FAILED', `${field}: ${problem}`, [{ field, problems: [problem] }]);
}

export class GetStatsQuery {
  constructor(readonly q: StatsQueryDto, readonly now: string, readonly caller: Principal) {}
}

export class GetOverdueQuery {
  constructor(readonly q: OverdueQueryDto, readonly now: string, readonly caller: Principal) {}
}

export interface OverdueList {
  asOf: string;
  total: number;
  items: (OverdueItem & { agencyName: string | null; districtName: string })[];
}

@QueryHandler(GetStatsQuery)
export class GetStatsHandler implements IQueryHandler<GetStatsQuery, StatsReport> {
  constructor(private readonly facts: CaseFactsProjection, private readonly registry: Registry, @Inject(CONFIG) private readonly config: LianbanConfig) {}

  async execute({ q, now, caller }: GetStatsQuery): Promise<StatsReport> {
    const from = q.from ? parseMoment(q.from) : null;
    const to = q.to ? parseMoment(q.to) : null;
    const at = q.asOf ? parseMoment(q.asOf)! : now;
    if (from && to && to <= from) invalid('to', 'to must be after from');
    if (q.agencyId && !this.registry.agency(q.agencyId)) invalid('agencyId', `${q.agencyId} is not an agency in the registry`);
    const region = scopedRegion(caller, q.region, this.config);
    const facts = await this.facts.factsAt(q.asOf ? at : null);
    return computeStats(facts, { from, to, at, region, agencyId: q.agencyId, groupBy: q.groupBy }, (g, key) => this.nameOf(g, key, at));
  }

  /** groups are named as they were called at the evaluation moment */
  private nameOf(groupBy: GroupBy, key: string, at: string): string {
    switch (groupBy) {
      case 'agency': return key === '' ? '（未分办）' : this.registry.agency(key, at)?.name ?? key;
      case 'district': return this.registry.division(key, at)?.name ?? key;
      case 'region': return REGION_NAMES[key] ?? key;
      case 'month': return key;
    }
  }
}

@QueryHandler(GetOverdueQuery)
export class GetOverdueHandler implements IQueryHandler<GetOverdueQuery, OverdueList> {
  constructor(private readonly facts: CaseFactsProjection, private readonly registry: Registry, @Inject(CONFIG) private readonly config: LianbanConfig) {}

  async execute({ q, now, caller }: GetOverdueQuery): Promise<OverdueList> {
    const at = q.asOf ? parseMoment(q.asOf)! : now;
    if (q.agencyId && !this.registry.agency(q.agencyId)) invalid('agencyId', `${q.agencyId} is not an agency in the registry`);
    const region = scopedRegion(caller, q.region, this.config);
    const facts = await this.facts.factsAt(q.asOf ? at : null);
    const all = overdueItems(facts, at, { region, agencyId: q.agencyId });
    return {
      asOf: at,
      total: all.length,
      items: all.slice(0, q.limit ?? 100).map((i) => ({
        ...i,
        agencyName: i.agencyId ? this.registry.agency(i.agencyId, at)?.name ?? i.agencyId : null,
        districtName: this.registry.division(i.regionCode, at)?.name ?? i.regionCode,
      })),
    };
  }
}

/** the answers of scopedRegion, on every route that asks it */
const ApiRegionRefusals = () => applyDecorators(
  ApiResponse({ status: 403, description: 'REGION_NOT_ALLOWED: the token acts in another region than the one asked for' }),
  ApiResponse({
    status: 421,
    description: 'WRONG_REGION_SERVICE (CROSS_REGION=on): this deployment keeps only its own region\'s statistics; ask the other region\'s deployment. GET /v1/stats/regions says what is answered here',
  }),
);

@ApiTags('statistics')
@ApiBearerAuth()
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly queries: QueryBus, @Inject(CONFIG) private readonly config: LianbanConfig) {}

  @Get()
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: '及时受理率, 按期办结率, 满意率 (two formulas), 网上信访占比, repeat rate and backlog for a period, grouped and ranked, as of any moment',
  })
  @ApiRegionRefusals()
  async stats(@Query() q: StatsQueryDto, @Now() now: string, @Caller() caller: Principal, @Res({ passthrough: true }) res: Response): Promise<StatsReport | string> {
    const report = await this.queries.execute<GetStatsQuery, StatsReport>(new GetStatsQuery(q, now, caller));
    if (q.format !== 'csv') return report;
    const day = report.asOf.slice(0, 10);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="lianban-stats-${report.groupBy ?? 'total'}-${day}.csv"`);
    return statsCsv(report);
  }

  @Get('overdue')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'the backlog (积案) item by item, most overdue first: tasks past their limit and cases not routed in time' })
  @ApiRegionRefusals()
  overdue(@Query() q: OverdueQueryDto, @Now() now: string, @Caller() caller: Principal): Promise<OverdueList> {
    return this.queries.execute(new GetOverdueQuery(q, now, caller));
  }

  @Get('regions')
  @ApiOperation({
    summary: 'the regions whose statistics this deployment answers for the caller, and whether a question without region sums them (the dashboard offers only these)',
  })
  regions(@Caller() caller: Principal): StatsRegions {
    return regionsAnswered(caller, this.config);
  }
}
