import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { RATINGS, type Rating } from '@lianban/domain';

export class RateReplyDto {
  @ApiProperty({ enum: RATINGS }) @IsIn(RATINGS)
  rating: Rating;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000)
  comment?: string;
}
