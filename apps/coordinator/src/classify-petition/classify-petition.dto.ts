import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import { DEMAND_CLASSES, ROUTES, type DemandClass, type Route } from '@lianban/domain';

export class ClassifyPetitionDto {
  @ApiProperty({ enum: DEMAND_CLASSES }) @IsIn(DEMAND_CLASSES)
  demandClass: DemandClass;

  @ApiProperty({ example: '劳动保障/拖欠工资' }) @IsString() @IsNotEmpty() @MaxLength(100)
  category: string;

  @ApiProperty({ enum: ROUTES }) @IsIn(ROUTES)
  route: Route;

  /** required for a route out of the petition track: what the petitioner is told to do (Art. 31) */
  @ApiPropertyOptional({ example: '您反映的合同纠纷属于民事争议，请依法向人民法院提起诉讼。' })
  @ValidateIf((o: ClassifyPetitionDto) => o.route !== 'petition' || o.guidance !== undefined)
  @IsString() @IsNotEmpty({ message: 'guidance is required when the route leaves the petition track (Art. 31)' }) @MaxLength(5000)
  guidance?: string;
}
