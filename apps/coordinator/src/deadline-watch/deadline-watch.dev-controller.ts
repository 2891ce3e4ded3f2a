import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import { CONFIG, notFound, Now, type LianbanConfig } from '@lianban/platform';
import { DeadlineWatch, type WatchReport } from './deadline-watch';

export class RunDeadlineWatchDto {
  /** only these cases (default: every case of the region) */
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true })
  caseIds?: string[];
}

/**
 * Embedded dev mode only: runs one tick of the deadline watch at the request's moment — with
 * X-Lianban-Clock, at any moment — so that limits can be demonstrated and tested without
 * waiting for them. Every other mode answers 404, as if the route did not exist.
 */
@ApiTags('dev')
@ApiBearerAuth()
@Controller('v1/dev/deadline-watch')
export class DeadlineWatchDevController {
  constructor(private readonly watch: DeadlineWatch, @Inject(CONFIG) private readonly config: LianbanConfig) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'embedded dev mode only: run the deadline watch (预警, overdue, successor transfers) at the request time' })
  run(@Body() body: RunDeadlineWatchDto, @Now() at: string): Promise<WatchReport> {
    if (!(this.config.embedded && this.config.authMode === 'dev')) throw notFound('NOT_FOUND', 'no such route');
    return this.watch.run({ at, caseIds: body.caseIds });
  }
}
