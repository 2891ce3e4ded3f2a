import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsMoment } from '../moment';
import { GROUP_BYS, type GroupBy } from './statistics';

const MOMENT_DOC = 'a date (China time: 2025-01-01 is 00:00 +08:00) or an ISO 8601 instant with its zone';

export class StatsQueryDto {
  @ApiPropertyOptional({ description: `start of the period, inclusive: ${MOMENT_DOC}`, example: '2025-01-01' })
  @IsOptional() @IsMoment()
  from?: string;

  @ApiPropertyOptional({ description: `end of the period, exclusive: ${MOMENT_DOC}`, example: '2026-01-01' })
  @IsOptional() @IsMoment()
  to?: string;

  @ApiPropertyOptional({ description: `the statistics as they stood at this moment (default now): ${MOMENT_DOC}` })
  @IsOptional() @IsMoment()
  asOf?: string;

  @ApiPropertyOptional({ enum: ['cq', 'sc'], description: "the case's region" })
  @IsOptional() @IsIn(['cq', 'sc'])
  region?: 'cq' | 'sc';

  @ApiPropertyOptional({ example: '500112-rsj', description: 'only this agency: its tasks, and the cases it leads' })
  @IsOptional() @Matches(/^\d{6}-[a-z]{2,8}$/, { message: 'agencyId must be <division code>-<department>, e.g. 500112-rsj' })
  agencyId?: string;

  @ApiPropertyOptional({ enum: GROUP_BYS })
  @IsOptional() @IsIn(GROUP_BYS)
  groupBy?: GroupBy;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional() @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class OverdueQueryDto {
  @ApiPropertyOptional({ description: `the backlog as it stood at this moment (default now): ${MOMENT_DOC}` })
  @IsOptional() @IsMoment()
  asOf?: string;

  @ApiPropertyOptional({ enum: ['cq', 'sc'] })
  @IsOptional() @IsIn(['cq', 'sc'])
  region?: 'cq' | 'sc';

  @ApiPropertyOptional({ example: '500112-rsj' })
  @IsOptional() @Matches(/^\d{6}-[a-z]{2,8}$/, { message: 'agencyId must be <division code>-<department>, e.g. 500112-rsj' })
  agencyId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit?: number;
}
