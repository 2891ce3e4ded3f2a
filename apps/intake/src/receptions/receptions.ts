import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import type { Response } from 'express';
import { Caller, type Principal } from '@lianban/auth';
import {
  addCalendarDays, DEMAND_CLASSES, FIRST_RECEPTION_DATE, findReceptionSession, localDate, RECEPTION_SCHEDULES, receptionSessionsBetween,
  requireInSession, type DemandClass, type ReceptionSession,
} from '@lianban/domain';
import { badRequest, IdempotencyKey, notFound, Now } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { RegisterPetitionCommand, type RegisterPetitionResult, type RepeatPetitionResult } from '../register-petition/register-petition.command';
import { PetitionerDto, type RegisterPetitionDto } from '../register-petition/register-petition.dto';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** a petitioner plans weeks ahead; a year is the most one answer lists */
const MAX_PERIOD_DAYS = 366;

export class ReceptionsQueryDto {
  /** one district or county (行政区划代码); default every district with a schedule */
  @ApiPropertyOptional({ example: '500233' }) @IsOptional() @Matches(/^\d{6}$/, { message: 'divisionCode must be a 6-digit division code' })
  divisionCode?: string;

  /** first day, China time (default: today) */
  @ApiPropertyOptional({ example: '2025-03-01' }) @IsOptional() @Matches(DATE, { message: 'from must be a date, YYYY-MM-DD' })
  from?: string;

  /** last day, included (default: 30 days after from) */
  @ApiPropertyOptional({ example: '2025-03-31' }) @IsOptional() @Matches(DATE, { message: 'to must be a date, YYYY-MM-DD' })
  to?: string;
}

export class SessionParamDto {
  @Matches(/^[a-z0-9-]+:\d{4}-\d{2}-\d{2}$/, { message: 'sessionId must be <scheduleId>:<YYYY-MM-DD>, as GET /v1/receptions lists it' })
  sessionId: string;
}

/** a visit received at a leader reception: a petition on the visit channel */
export class ReceptionPetitionDto {
  @ApiProperty({ type: PetitionerDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => PetitionerDto)
  petitioner: PetitionerDto;

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  anonymous?: boolean;

  /** the place the matter concerns; default: the division of the reception */
  @ApiPropertyOptional({ example: '500233' }) @IsOptional() @Matches(/^\d{6}$/, { message: 'regionCode must be a 6-digit division code (行政区划代码)' })
  regionCode?: string;

  @ApiProperty({ example: '征地补偿款未足额发放' }) @IsString() @IsNotEmpty() @MaxLength(200)
  subject: string;

  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(20000)
  content: string;

  @ApiPropertyOptional({ enum: DEMAND_CLASSES }) @IsOptional() @IsIn(DEMAND_CLASSES)
  demandClass?: DemandClass;

  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true })
  occurredAt?: string;
}

const validDate = (d: string) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d;

/**
 * 领导接访: the published reception days of each district (rules kept as data, turned into
 * dates here), open to anyone so petitioners can choose their day; and the registration of a
 * visit received at one, as a petition on the visit channel with the receiving leader recorded.
 */
@ApiTags('intake')
@Controller('v1/receptions')
export class ReceptionsController {
  constructor(private readonly commands: CommandBus, private readonly registry: Registry) {}

  @Get()
  @ApiOperation({ summary: 'leader reception sessions (领导接访) of a period: day, hours, place, receiving leader — for petitioners choosing their day' })
  sessions(@Query() q: ReceptionsQueryDto, @Now() now: string) {
    const from = q.from ?? localDate(now);
    const to = q.to ?? (validDate(from) ? localDate(addCalendarDays(from, 30)) : from);
    const problems: { field: string; problems: string[] }[] = [];
    if (!validDate(from)) problems.push({ field: 'from', problems: ['no such date'] });
    else if (from < FIRST_RECEPTION_DATE) problems.push({ field: 'from', problems: [`sessions are known from ${FIRST_RECEPTION_DATE}`] });
    if (!validDate(to)) problems.push({ field: 'to', problems: ['no such date'] });
    else if (to < from) problems.push({ field: 'to', problems: ['must not be before from'] });
    else if (validDate(from) && (Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_PERIOD_DAYS) {
      problems.push({ field: 'to', problems: [`a period is at most ${MAX_PERIOD_DAYS} days`] });
    }
    if (q.divisionCode && !this.registry.division(q.divisionCode)) problems.push({ field: 'divisionCode', problems: ['unknown division'] });
    if (problems.length > 0) throw badRequest('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.problems.join('; ')}`).join(' | '), problems);
    const sessions = receptionSessionsBetween(RECEPTION_SCHEDULES, from, to, q.divisionCode).map((s) => this.describe(s));
    return { divisionCode: q.divisionCode ?? null, from, to, total: sessions.length, sessions };
  }

  @Get('schedules')
  @ApiOperation({ summary: 'the published reception rules themselves (weekly days, quarterly roving tours), per district' })
  schedules() {
    return RECEPTION_SCHEDULES.map((s) => ({ ...s, divisionName: this.registry.division(s.divisionCode)?.name ?? null }));
  }

  @Post(':sessionId/petitions')
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'register a visit received at a reception session, on its day: a petition on the visit channel with the receiving leader recorded',
    description: 'The same matter from the same petitioner while its case is open is linked to it as a repeat (200, Art. 19), the reception recorded on the repeat.',
  })
  async register(
    @Param() p: SessionParamDto,
    @Body() body: ReceptionPetitionDto,
    @Now() at: string,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) res: Response,
    @IdempotencyKey() idempotencyKey?: string,
  ) {
    const session = findReceptionSession(RECEPTION_SCHEDULES, p.sessionId);
    if (!session) throw notFound('RECEPTION_SESSION_NOT_FOUND', `no reception session ${p.sessionId}; GET /v1/receptions lists them`);
    const reception = requireInSession(session, at);
    const petition: RegisterPetitionDto = { ...body, channel: 'visit', regionCode: body.regionCode ?? session.divisionCode };
    const result = await this.commands.execute<RegisterPetitionCommand, RegisterPetitionResult | RepeatPetitionResult>(
      new RegisterPetitionCommand(petition, at, caller, idempotencyKey, reception),
    );
    const receivedBy = { name: session.leader.name, title: session.leader.title };
    if ('repeat' in result) {
      res.status(200);
      return { ...result, sessionId: session.sessionId, receivedBy };
    }
    const { replayed: _replayed, ...answer } = result;
    return { ...answer, sessionId: session.sessionId, receivedBy };
  }

  private describe(s: ReceptionSession) {
    return { ...s, divisionName: this.registry.division(s.divisionCode, s.startsAt)?.name ?? null, leader: { name: s.leader.name, title: s.leader.title } };
  }
}
