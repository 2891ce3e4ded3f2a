import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus, CommandHandler, QueryBus, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import type { Region } from '@lianban/contracts';
import {
  campaignDecider, campaignStats, campaignStreamId, caseDecider, evolveCampaign, type CampaignView, type CaseFile,
} from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import {
  badRequest, canReadCase, IdempotencyKey, CaseCommandRunner, CaseFilesProjection, CaseReader, CONFIG, conflict, EVENT_STORE, notFound, Now, type LianbanConfig,
} from '@lianban/platform';
import { canSeeCoordination, dryRun, idFor, IsChinaDate, IsInstant } from '../coordination-support';
import { CoordinationDirectory } from '../coordination-directory';

export class LaunchCampaignDto {
  @ApiProperty({ example: '治理重复信访、化解信访积案专项工作' }) @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000)
  description?: string;

  /** the period, China-local dates, both included */
  @ApiProperty({ example: '2020-08-01' }) @IsChinaDate()
  from: string;

  @ApiProperty({ example: '2021-06-30' }) @IsChinaDate()
  to: string;
}

export class EnrollCasesDto {
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(200) @IsUUID('all', { each: true })
  caseIds: string[];
}

export class CampaignStatsQueryDto {
  /** statistics as the cases stood at this moment (default: now) */
  @ApiPropertyOptional({ example: '2020-12-31T23:59:59+08:00' }) @IsOptional() @IsInstant()
  asOf?: string;
}

export class LaunchCampaignCommand {
  constructor(readonly body: LaunchCampaignDto, readonly at: string, readonly caller: Principal, readonly idempotencyKey?: string) {}
}

export class EnrollCasesCommand {
  constructor(readonly campaignId: string, readonly caseIds: string[], readonly at: string, readonly caller: Principal) {}
}

export class GetCampaignQuery {
  constructor(readonly campaignId: string, readonly asOf: string, readonly caller: Principal) {}
}

export class ListCampaignsQuery {
  constructor(readonly at: string, readonly caller: Principal) {}
}

async function readCampaign(store: EventStore, campaignId: string): Promise<{ view: CampaignView; region: Region } | null> {
  const events = await store.readStream(campaignStreamId(campaignId));
  const view = events.reduce<CampaignView | null>((s, e) => evolveCampaign(s, e), null);
  return view ? { view, region: events[0].region } : null;
}

@CommandHandler(LaunchCampaignCommand)
export class LaunchCampaignHandler implements ICommandHandler<LaunchCampaignCommand> {
  constructor(private readonly runner: CaseCommandRunner, @Inject(EVENT_STORE) private readonly store: EventStore, @Inject(CONFIG) private readonly config: LianbanConfig) {}

  async execute({ body, at, caller, idempotencyKey }: LaunchCampaignCommand): Promise<CampaignView> {
    if (body.from > body.to) throw badRequest('VALIDATION_FAILED', `to: ${body.to} is before from: ${body.from}`, [{ field: 'to', problems: ['must not be before from'] }]);
    const campaignId = idFor('lianban:campaign', idempotencyKey, randomUUID);
    const existing = await readCampaign(this.store, campaignId);
    if (existing) {
      // a retry gets the campaign it launched; another coordinator's key is no retry
      if (existing.view.launchedBy !== (caller.agency ?? null)) throw conflict('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for another campaign; use a new key');
      return existing.view;
    }
    await this.runner.run({
      caseId: campaignId, streamId: campaignStreamId(campaignId), decider: campaignDecider, actor: { id: caller.sub, role: caller.role },
      agencyId: caller.agency ?? null, region: this.config.region, causationId: `request:${idempotencyKey ?? campaignId}`,
      command: {
        kind: 'LaunchCampaign', at, campaignId, name: body.name, description: body.description ?? '', from: body.from, to: body.to, launchedBy: caller.agency ?? null,
      },
    });
    return (await readCampaign(this.store, campaignId))!.view;
  }
}

@CommandHandler(EnrollCasesCommand)
export class EnrollCasesHandler implements ICommandHandler<EnrollCasesCommand> {
  constructor(private readonly runner: CaseCommandRunner, private readonly reader: CaseReader, @Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ campaignId, caseIds, at, caller }: EnrollCasesCommand): Promise<{ campaignId: string; enrolled: string[]; alreadyEnrolled: string[] }> {
    const campaign = await readCampaign(this.store, campaignId);
    if (!campaign || !canSeeCoordination(caller, campaign.region)) throw notFound('CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`);
    const { name, from, to } = campaign.view;
    const command = { kind: 'EnrollInCampaign' as const, at, campaignId, name, from, to };
    // every case is checked first: a refused one never leaves the others half enrolled
    for (const [i, caseId] of caseIds.entries()) {
      const found = await this.reader.file(caseId);
      if (!found || !canReadCase(caller, found.file)) {
        throw badRequest('UNKNOWN_CASE', `caseIds[${i}]: no case ${caseId}`, [{ field: `caseIds[${i}]`, problems: ['unknown case'] }]);
      }
      dryRun(caseDecider, found.events, command);
    }
    const enrolled: string[] = [];
    const alreadyEnrolled: string[] = [];
    for (const caseId of new Set(caseIds)) {
      const appended = await this.runner.run({
        caseId, streamId: `case-${caseId}`, decider: caseDecider, actor: { id: caller.sub, role: caller.role }, agencyId: caller.agency ?? null,
        causationId: `request:${campaignId}:${caseId}`, command,
      });
      (appended.length > 0 ? enrolled : alreadyEnrolled).push(caseId);
    }
    return { campaignId, enrolled, alreadyEnrolled };
  }
}

/** The case files a campaign's statistics are computed over, as they stood at `asOf`. */
async function filesAsOf(files: CaseFilesProjection, reader: CaseReader, campaignId: string, asOf: string, caller: Principal): Promise<CaseFile[]> {
  await files.catchUp();
  const out: CaseFile[] = [];
  for (const current of files.all()) {
    if (!current.campaigns.some((c) => c.campaignId === campaignId) || !canReadCase(caller, current)) continue;
    // a case enrolled later than asOf simply is not enrolled in its file as of then
    const then = Date.parse(current.lastEventAt) <= Date.parse(asOf) ? current : (await reader.file(current.caseId, asOf))?.file;
    if (then) out.push(then);
  }
  return out;
}

@QueryHandler(GetCampaignQuery)
export class GetCampaignHandler implements IQueryHandler<GetCampaignQuery> {
  constructor(private readonly files: CaseFilesProjection, private readonly reader: CaseReader, @Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ campaignId, asOf, caller }: GetCampaignQuery) {
    const campaign = await readCampaign(this.store, campaignId);
    if (!campaign || !canSeeCoordination(caller, campaign.region)) throw notFound('CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`);
    return { ...campaign.view, region: campaign.region, asOf, stats: campaignStats(campaignId, await filesAsOf(this.files, this.reader, campaignId, asOf, caller)) };
  }
}

@QueryHandler(ListCampaignsQuery)
export class ListCampaignsHandler implements IQueryHandler<ListCampaignsQuery> {
  constructor(private readonly directory: CoordinationDirectory, private readonly files: CaseFilesProjection, private readonly reader: CaseReader) {}

  async execute({ at, caller }: ListCampaignsQuery) {
    const items = [];
    for (const { view, region } of await this.directory.allCampaigns()) {
      if (!canSeeCoordination(caller, region)) continue;
      const { items: _perCase, ...stats } = campaignStats(view.campaignId, await filesAsOf(this.files, this.reader, view.campaignId, at, caller));
      items.push({ ...view, region, stats });
    }
    items.sort((a, b) => b.from.localeCompare(a.from));
    return { asOf: at, total: items.length, items };
  }
}

/**
 * 专项工作 (治理重复信访、化解信访积案, nationwide from August 2020): a named campaign with a
 * period, the cases put into it, and its statistics — cases, resolved share, repeat petitions
 * before and after joining. The coordinator acts; supervisors and analysts read.
 */
@ApiTags('coordinator')
@ApiBearerAuth()
@Controller('v1/campaigns')
export class CampaignsController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'launch a campaign (专项工作) with a name and a period' })
  launch(@Body() body: LaunchCampaignDto, @Now() at: string, @Caller() caller: Principal, @IdempotencyKey() key?: string) {
    return this.commands.execute(new LaunchCampaignCommand(body, at, caller, key));
  }

  @Get()
  @ApiOperation({ summary: 'campaigns with their statistics' })
  list(@Now() at: string, @Caller() caller: Principal) {
    return this.queries.execute(new ListCampaignsQuery(at, caller));
  }

  @Get(':campaignId')
  @ApiOperation({ summary: 'a campaign: cases, resolved share (化解: answered and rated 满意/基本满意), repeat petitions before and after joining; as of a moment' })
  get(@Param('campaignId', new ParseUUIDPipe()) id: string, @Query() q: CampaignStatsQueryDto, @Now() at: string, @Caller() caller: Principal) {
    return this.queries.execute(new GetCampaignQuery(id, q.asOf ? new Date(q.asOf).toISOString() : at, caller));
  }

  @Post(':campaignId/cases')
  @HttpCode(201)
  @ApiOperation({ summary: 'put cases into the campaign while it runs; a case already in it is left as it is' })
  enroll(@Param('campaignId', new ParseUUIDPipe()) id: string, @Body() body: EnrollCasesDto, @Now() at: string, @Caller() caller: Principal) {
    return this.commands.execute(new EnrollCasesCommand(id, body.caseIds, at, caller));
  }
}
