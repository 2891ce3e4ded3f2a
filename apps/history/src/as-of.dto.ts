import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';

export class AsOfDto {
  /** only events that had happened by this moment, and names valid then */
  @ApiPropertyOptional({ example: '2021-05-20T00:00:00+08:00' }) @IsOptional() @IsISO8601({ strict: true })
  asOf?: string;
}
