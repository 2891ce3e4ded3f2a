import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '@lianban/auth';
import { badRequest, IdempotencyKey, Now } from '@lianban/platform';
import {
  AddMemberDto, CloseTaskForceDto, CompleteMilestoneDto, FormTaskForceDto, GatheringDto, ListTaskForcesDto, ReleaseMemberDto, SetMilestoneDto,
} from './task-forces.dto';
import { ActOnTaskForceCommand, FormTaskForceCommand, GetTaskForceQuery, ListTaskForcesQuery, type TaskForceAction } from './task-forces.handlers';

const AGENCY_ID = /^\d{6}-[a-z]{2,8}$/;

/**
 * 工作专班: a district leader owns hard cases (包案) with member agencies of any region,
 * milestones, 专题会 and site visits, until it closes with an outcome. The coordinator acts;
 * supervisors and analysts read.
 */
@ApiTags('coordinator')
@ApiBearerAuth()
@Controller('v1/task-forces')
export class TaskForcesController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  private act(id: string, action: TaskForceAction, at: string, caller: Principal) {
    return this.commands.execute(new ActOnTaskForceCommand(id, action, at, caller));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: '成立工作专班 for one or several cases: a leader who owns them (包案) and member agencies of any region; its events join each case\'s timeline' })
  form(@Body() body: FormTaskForceDto, @Now() at: string, @Caller() caller: Principal, @IdempotencyKey() key?: string) {
    return this.commands.execute(new FormTaskForceCommand(body, at, caller, key));
  }

  @Get()
  @ApiOperation({ summary: 'task forces with their progress (the dashboard list): active ones with overdue milestones first' })
  list(@Query() q: ListTaskForcesDto, @Now() at: string, @Caller() caller: Principal) {
    return this.queries.execute(new ListTaskForcesQuery(q, at, caller));
  }

  @Get(':taskForceId')
  @ApiOperation({ summary: 'one task force: leader, members, milestones (completed / overdue), meetings and site visits, its cases, progress' })
  get(@Param('taskForceId', new ParseUUIDPipe()) id: string, @Now() at: string, @Caller() caller: Principal) {
    return this.queries.execute(new GetTaskForceQuery(id, at, caller));
  }

  @Post(':taskForceId/members')
  @HttpCode(201)
  @ApiOperation({ summary: 'add a member agency (成员单位), of any region' })
  addMember(@Param('taskForceId', new ParseUUIDPipe()) id: string, @Body() b: AddMemberDto, @Now() at: string, @Caller() caller: Principal) {
    return this.act(id, { kind: 'AddMember', agencyId: b.agencyId, duty: b.duty }, at, caller);
  }

  @Post(':taskForceId/members/:agencyId/release')
  @HttpCode(201)
  @ApiOperation({ summary: 'release a member agency from the task force' })
  releaseMember(
    @Param('taskForceId', new ParseUUIDPipe()) id: string, @Param('agencyId') agencyId: string, @Body() b: ReleaseMemberDto, @Now() at: string, @Caller() caller: Principal,
  ) {
    if (!AGENCY_ID.test(agencyId)) {
      throw badRequest('VALIDATION_FAILED', `agencyId: ${agencyId} must be <division code>-<department>, e.g. 500109-zjw`, [
        { field: 'agencyId', problems: ['must be <division code>-<department>'] },
      ]);
    }
    return this.act(id, { kind: 'ReleaseMember', agencyId, reason: b.reason }, at, caller);
  }

  @Post(':taskForceId/milestones')
  @HttpCode(201)
  @ApiOperation({ summary: 'set a milestone (工作节点) due at the end of a China-local day' })
  setMilestone(@Param('taskForceId', new ParseUUIDPipe()) id: string, @Body() b: SetMilestoneDto, @Now() at: string, @Caller() caller: Principal) {
    return this.act(id, { kind: 'SetMilestone', title: b.title, dueDate: b.dueDate }, at, caller);
  }

  @Post(':taskForceId/milestones/:milestoneId/completion')
  @HttpCode(201)
  @ApiOperation({ summary: 'complete a milestone; after its due date it is recorded as late' })
  completeMilestone(
    @Param('taskForceId', new ParseUUIDPipe()) id: string, @Param('milestoneId', new ParseUUIDPipe()) milestoneId: string, @Body() b: CompleteMilestoneDto,
    @Now() at: string, @Caller() caller: Principal,
  ) {
    return this.act(id, { kind: 'CompleteMilestone', milestoneId, note: b.note }, at, caller);
  }

  @Post(':taskForceId/meetings')
  @HttpCode(201)
  @ApiOperation({ summary: '专题会: record a dedicated meeting with its attendees and conclusions, after it took place' })
  meeting(@Param('taskForceId', new ParseUUIDPipe()) id: string, @Body() b: GatheringDto, @Now() at: string, @Caller() caller: Principal) {
    return this.act(id, { kind: 'RecordGathering', gathering: 'meeting', body: b }, at, caller);
  }

  @Post(':taskForceId/site-visits')
  @HttpCode(201)
  @ApiOperation({ summary: '实地查看: record a site visit with its attendees and findings, after it took place' })
  siteVisit(@Param('taskForceId', new ParseUUIDPipe()) id: string, @Body() b: GatheringDto, @Now() at: string, @Caller() caller: Principal) {
    return this.act(id, { kind: 'RecordGathering', gathering: 'site-visit', body: b }, at, caller);
  }

  @Post(':taskForceId/closure')
  @HttpCode(201)
  @ApiOperation({ summary: 'close the task force with its outcome: resolved (已化解, every milestone met), settled (息诉罢访) or unresolved' })
  close(@Param('taskForceId', new ParseUUIDPipe()) id: string, @Body() b: CloseTaskForceDto, @Now() at: string, @Caller() caller: Principal) {
    return this.act(id, { kind: 'CloseTaskForce', outcome: b.outcome, summary: b.summary }, at, caller);
  }
}

