import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { CHANNELS, DEMAND_CLASSES, type Channel, type DemandClass } from '@lianban/domain';

export class PetitionerDto {
  @ApiProperty({ example: '张某' }) @IsString() @IsNotEmpty() @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ example: '13800000000' }) @IsOptional() @IsString() @Matches(/^\+?[0-9-]{5,20}$/, { message: 'phone must be digits, optionally with + and -' })
  phone?: string;

  /** 居民身份证号: 17 digits and a check digit or X */
  @ApiPropertyOptional({ example: '500112198001010011' }) @IsOptional() @IsString() @Matches(/^\d{17}[\dXx]$/, { message: 'idNumber must be an 18-character resident ID number' })
  idNumber?: string;

  @ApiPropertyOptional({ example: '重庆市渝北区某街道' }) @IsOptional() @IsString() @MaxLength(300)
  address?: string;
}

export class RegisterPetitionDto {
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS)
  channel: Channel;

  @ApiProperty({ type: PetitionerDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => PetitionerDto)
  petitioner: PetitionerDto;

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  anonymous?: boolean;

  /** 行政区划代码 of the place the matter concerns */
  @ApiProperty({ example: '500112' }) @Matches(/^\d{6}$/, { message: 'regionCode must be a 6-digit division code (行政区划代码)' })
  regionCode: string;

  @ApiProperty({ example: '分公司拖欠工资' }) @IsString() @IsNotEmpty() @MaxLength(200)
  subject: string;

  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(20000)
  content: string;

  @ApiPropertyOptional({ enum: DEMAND_CLASSES }) @IsOptional() @IsIn(DEMAND_CLASSES)
  demandClass?: DemandClass;

  /** when the matter happened, if the petitioner says */
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true })
  occurredAt?: string;
}
