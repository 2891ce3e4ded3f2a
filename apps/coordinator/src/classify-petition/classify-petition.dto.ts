import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { DEMAND_CLASSES, ROUTES, type DemandClass, type Route } from '@lianban/domain';

export class ClassifyPetitionDto {
  @ApiProperty({ enum: DEMAND_CLASSES }) @IsIn(DEMAND_CLASSES)
  demandClass: DemandClass;

  @ApiProperty({ example: '劳动保障/拖欠工资' }) @IsString() @IsNotEmpty() @MaxLength(100)
  category: string;

  @ApiProperty({ enum: ROUTES }) @IsIn(ROUTES)
  route: Route;
}
