import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { Caller, type Principal } from '@lianban/auth';
import { Now } from '../request-clock';
import { AuditLog } from './audit-log';
import { ErasureService, type ErasureResult } from './erasure';
import type { AuditEntry } from './security-store';

export class ErasePersonalDataDto {
  /** why, e.g. the petitioner's request under 个人信息保护法 Art. 47 and its reference */
  @ApiProperty({ example: '信访人依《个人信息保护法》第四十七条申请删除，申请编号 2025-017' }) @IsString() @IsNotEmpty() @MaxLength(2000)
  reason: string;
}

const ACTIONS = ['personal-data.read', 'personal-data.erased'] as const;

export class AuditQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID('all')
  caseId?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID('all')
  petitionerId?: string;

  /** the `sub` of the caller */
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ enum: ACTIONS }) @IsOptional() @IsIn(ACTIONS)
  action?: (typeof ACTIONS)[number];

  @ApiPropertyOptional({ example: '2025-01-01T00:00:00+08:00' }) @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-01-01T00:00:00+08:00' }) @IsOptional() @IsISO8601({ strict: true })
  to?: string;

  /** the `next` of the previous page */
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  before?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit?: number;
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly erasure: ErasureService, private readonly audit: AuditLog) {}

  @Post('petitioners/:petitionerId/erasure')
  @HttpCode(201)
  @ApiOperation({
    summary: '删除个人信息: destroy the petitioner\'s key (crypto-shredding); the history stays and shows [personal data erased]',
    description: 'Recorded as lianban.petitioner.personal-data-erased.v1 on the case (who and why) and in the audit log. A second erasure answers 409 PERSONAL_DATA_ALREADY_ERASED.',
  })
  erase(
    @Param('petitionerId', new ParseUUIDPipe()) petitionerId: string, @Body() body: ErasePersonalDataDto, @Caller() caller: Principal, @Now() now: string,
  ): Promise<ErasureResult> {
    return this.erasure.erase(petitionerId, body.reason, caller, now);
  }

  @Get('audit')
  @ApiOperation({ summary: 'the audit log of personal data: who read or erased whose data, when, through which route — newest first' })
  async auditLog(@Query() q: AuditQueryDto): Promise<{ entries: AuditEntry[]; next: number | null }> {
    const limit = q.limit ?? 100;
    const entries = await this.audit.read({
      caseId: q.caseId, petitionerId: q.petitionerId, actor: q.actor, action: q.action, before: q.before, limit,
      from: q.from ? new Date(q.from).toISOString() : undefined, to: q.to ? new Date(q.to).toISOString() : undefined,
    });
    return { entries, next: entries.length === limit ? entries[entries.length - 1].id : null };
  }
}
