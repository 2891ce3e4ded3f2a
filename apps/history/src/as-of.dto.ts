import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsMoment } from './moment';

export class AsOfDto {
  /**
   * only events that had occurred by this moment, and names valid then. A bare date is the start
   * of that day in China (2021-05-10 = 2021-05-10T00:00+08:00); an instant must carry its zone.
   */
  @ApiPropertyOptional({ example: '2021-05-20T00:00:00+08:00' }) @IsOptional() @IsMoment()
  asOf?: string;
}
