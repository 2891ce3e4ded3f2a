import { Controller, Get, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import type { CaseFile, Leader, ReceptionRecord } from '@lianban/domain';
import { canReadCase, CaseFilesProjection, Now } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { canSeeCoordination } from '../coordination-support';
import { CoordinationDirectory } from '../coordination-directory';

export class LeaderCasesDto {
  @ApiProperty({ example: '刘某' }) @IsString() @IsNotEmpty() @MaxLength(50)
  name: string;

  /** the division the leader leads in; without it, every leader of that name */
  @ApiPropertyOptional({ example: '500109' }) @IsOptional() @Matches(/^\d{6}$/, { message: 'divisionCode must be a 6-digit division code' })
  divisionCode?: string;
}

export class LeadersDto {
  @ApiPropertyOptional({ example: '500233' }) @IsOptional() @Matches(/^\d{6}$/, { message: 'divisionCode must be a 6-digit division code' })
  divisionCode?: string;
}

/** how a leader came to own a case: a task force they lead, or a visit they received */
export type Ownership =
  | { kind: 'task-force'; taskForceId: string; taskForceName: string; title: string; since: string; status: 'active' | 'closed' }
  | { kind: 'reception'; sessionId: string; date: string; place: string; town: string | null; title: string; since: string };

interface OwnedCase {
  leader: Leader;
  file: CaseFile;
  via: Ownership;
}

export class LeaderCasesQuery {
  constructor(readonly filter: LeaderCasesDto, readonly at: string, readonly caller: Principal) {}
}

export class LeadersQuery {
  constructor(readonly divisionCode: string | undefined, readonly at: string, readonly caller: Principal) {}
}

/**
 * 包案: the cases a leader owns, through the task forces they lead and the visits they received
 * at a leader reception (a repeat included), among the cases the caller may read.
 */
async function ownedCases(directory: CoordinationDirectory, files: CaseFilesProjection, caller: Principal): Promise<OwnedCase[]> {
  await files.catchUp();
  const out: OwnedCase[] = [];
  for (const { view, region } of await directory.allTaskForces()) {
    if (!canSeeCoordination(caller, region, view.members.map((m) => m.agencyId))) continue;
    for (const caseId of view.caseIds) {
      const file = files.get(caseId);
      if (!file || !canReadCase(caller, file)) continue;
      out.push({
        leader: view.leader, file,
        via: { kind: 'task-force', taskForceId: view.taskForceId, taskForceName: view.name, title: view.leader.title, since: view.formedAt, status: view.closed ? 'closed' : 'active' },
      });
    }
  }
  const received = (file: CaseFile, r: ReceptionRecord, since: string): OwnedCase => ({
    leader: r.leader, file, via: { kind: 'reception', sessionId: r.sessionId, date: r.date, place: r.place, town: r.town, title: r.leader.title, since },
  });
  for (const file of files.all()) {
    if (!canReadCase(caller, file)) continue;
    if (file.reception) out.push(received(file, file.reception, file.registeredAt));
    for (const r of file.repeats) if (r.reception) out.push(received(file, r.reception, r.at));
  }
  return out;
}

@QueryHandler(LeaderCasesQuery)
export class LeaderCasesHandler implements IQueryHandler<LeaderCasesQuery> {
  constructor(private readonly directory: CoordinationDirectory, private readonly files: CaseFilesProjection, private readonly registry: Registry) {}

  async execute({ filter, at, caller }: LeaderCasesQuery) {
    const mine = (await ownedCases(this.directory, this.files, caller))
      .filter((o) => o.leader.name === filter.name && (!filter.divisionCode || o.leader.divisionCode === filter.divisionCode));
    const byCase = new Map<string, { file: CaseFile; via: Ownership[] }>();
    for (const o of mine) {
      const entry = byCase.get(o.file.caseId) ?? { file: o.file, via: [] };
      entry.via.push(o.via);
      byCase.set(o.file.caseId, entry);
    }
    const cases = [...byCase.values()]
      .map(({ file, via }) => ({
        caseId: file.caseId, caseNumber: file.caseNumber, subject: file.subject, regionCode: file.regionCode, step: file.step,
        answered: file.answer !== null, via: via.sort((a, b) => a.since.localeCompare(b.since)),
      }))
      .sort((a, b) => a.via[0].since.localeCompare(b.via[0].since));
    const divisions = [...new Set(mine.map((o) => o.leader.divisionCode))];
    return {
      leader: { name: filter.name, divisionCode: filter.divisionCode ?? null },
      divisions: divisions.map((code) => ({ divisionCode: code, divisionName: this.registry.division(code, at)?.name ?? null })),
      total: cases.length,
      cases,
    };
  }
}

@QueryHandler(LeadersQuery)
export class LeadersHandler implements IQueryHandler<LeadersQuery> {
  constructor(private readonly directory: CoordinationDirectory, private readonly files: CaseFilesProjection, private readonly registry: Registry) {}

  async execute({ divisionCode, at, caller }: LeadersQuery) {
    const leaders = new Map<string, { name: string; title: string; divisionCode: string; cases: Set<string>; taskForces: Set<string>; receptions: number; latest: string }>();
    for (const o of await ownedCases(this.directory, this.files, caller)) {
      if (divisionCode && o.leader.divisionCode !== divisionCode) continue;
      const key = `${o.leader.divisionCode}:${o.leader.name}`;
      const l = leaders.get(key) ?? { ...o.leader, cases: new Set<string>(), taskForces: new Set<string>(), receptions: 0, latest: '' };
      l.cases.add(o.file.caseId);
      if (o.via.kind === 'task-force') l.taskForces.add(o.via.taskForceId);
      else l.receptions++;
      // a leader's title is the one of their latest 包案
      if (o.via.since >= l.latest) [l.title, l.latest] = [o.via.title, o.via.since];
      leaders.set(key, l);
    }
    const items = [...leaders.values()]
      .map((l) => ({
        name: l.name, title: l.title, divisionCode: l.divisionCode, divisionName: this.registry.division(l.divisionCode, at)?.name ?? null,
        cases: l.cases.size, taskForces: l.taskForces.size, receptions: l.receptions,
      }))
      .sort((a, b) => a.divisionCode.localeCompare(b.divisionCode) || b.cases - a.cases || a.name.localeCompare(b.name));
    return { total: items.length, items };
  }
}

/** 领导包案: who owns which cases, through task forces and leader receptions. Read-only. */
@ApiTags('coordinator')
@ApiBearerAuth()
@Controller('v1/leaders')
export class LeadersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'leaders who own cases (包案), with how many through task forces and receptions' })
  list(@Query() q: LeadersDto, @Now() at: string, @Caller() caller: Principal) {
    return this.queries.execute(new LeadersQuery(q.divisionCode, at, caller));
  }

  @Get('cases')
  @ApiOperation({ summary: "a leader's 包案 list: the cases owned through task forces they lead and visits they received at a reception" })
  cases(@Query() q: LeaderCasesDto, @Now() at: string, @Caller() caller: Principal) {
    return this.queries.execute(new LeaderCasesQuery(q, at, caller));
  }
}
