import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, Matches, ValidateNested } from 'class-validator';
import { ASSIGNMENT_MODES, TASK_ROLES, type AssignmentMode, type TaskRole } from '@lianban/domain';

export class AssignedAgencyDto {
  @ApiProperty({ example: '500112-rsj' }) @Matches(/^\d{6}-[a-z]{2,8}$/, { message: 'agencyId must be <division code>-<department>, e.g. 500112-rsj' })
  agencyId: string;

  @ApiProperty({ enum: TASK_ROLES }) @IsIn(TASK_ROLES)
  role: TaskRole;
}

export class AssignAgenciesDto {
  /** forward = 转送; assign = 交办 (the result is reported back to the bureau) */
  @ApiProperty({ enum: ASSIGNMENT_MODES }) @IsIn(ASSIGNMENT_MODES)
  mode: AssignmentMode;

  @ApiProperty({ type: [AssignedAgencyDto] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => AssignedAgencyDto)
  agencies: AssignedAgencyDto[];
}
