import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested,
} from 'class-validator';
import { TASK_FORCE_OUTCOMES, type TaskForceOutcome } from '@lianban/domain';
import { IsChinaDate, IsInstant } from '../coordination-support';

const AGENCY_ID = /^\d{6}-[a-z]{2,8}$/;
const AGENCY_MESSAGE = 'must be <division code>-<department>, e.g. 500109-zjw';

export class TaskForceLeaderDto {
  @ApiProperty({ example: '刘某' }) @IsString() @IsNotEmpty() @MaxLength(50)
  name: string;

  @ApiProperty({ example: '北碚区副区长' }) @IsString() @IsNotEmpty() @MaxLength(100)
  title: string;

  /** the division the leader leads in; default: the division of the coordinator's bureau */
  @ApiPropertyOptional({ example: '500109' }) @IsOptional() @Matches(/^\d{6}$/, { message: 'leader.divisionCode must be a 6-digit division code' })
  divisionCode?: string;
}

export class FormTaskForceDto {
  @ApiProperty({ example: '袁某房屋质量问题化解工作专班' }) @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: '化解房屋质量纠纷，推动开发商维修赔偿' }) @IsOptional() @IsString() @MaxLength(2000)
  purpose?: string;

  // ValidateNested alone lets an absent object through
  @ApiProperty({ type: TaskForceLeaderDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => TaskForceLeaderDto)
  leader: TaskForceLeaderDto;

  /** the cases it takes up (包案) */
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsUUID('all', { each: true })
  caseIds: string[];

  /** member agencies (成员单位), of any region */
  @ApiPropertyOptional({ type: [String], example: ['500109-zjw', '500109-xfb'] })
  @IsOptional() @IsArray() @ArrayMaxSize(30) @Matches(AGENCY_ID, { each: true, message: `each agencyIds entry ${AGENCY_MESSAGE}` })
  agencyIds?: string[];
}

export class AddMemberDto {
  @ApiProperty({ example: '500000-zjw' }) @Matches(AGENCY_ID, { message: `agencyId ${AGENCY_MESSAGE}` })
  agencyId: string;

  @ApiPropertyOptional({ example: '提供房屋质量鉴定技术指导' }) @IsOptional() @IsString() @MaxLength(500)
  duty?: string;
}

export class ReleaseMemberDto {
  @ApiProperty({ example: '阶段任务已完成' }) @IsString() @IsNotEmpty() @MaxLength(2000)
  reason: string;
}

export class SetMilestoneDto {
  @ApiProperty({ example: '委托第三方机构完成房屋质量检测' }) @IsString() @IsNotEmpty() @MaxLength(300)
  title: string;

  /** due at the end of this day, China time */
  @ApiProperty({ example: '2020-10-15' }) @IsChinaDate()
  dueDate: string;
}

export class CompleteMilestoneDto {
  @ApiProperty({ example: '检测报告已出具：墙体裂缝系施工质量问题' }) @IsString() @IsNotEmpty() @MaxLength(5000)
  note: string;
}

export class AttendeeDto {
  @ApiProperty({ example: '刘某' }) @IsString() @IsNotEmpty() @MaxLength(50)
  name: string;

  @ApiPropertyOptional({ example: '北碚区副区长' }) @IsOptional() @IsString() @MaxLength(100)
  title?: string;

  @ApiPropertyOptional({ example: '500109-zjw' }) @IsOptional() @Matches(AGENCY_ID, { message: `attendees.agencyId ${AGENCY_MESSAGE}` })
  agencyId?: string;
}

/** a 专题会 or a site visit, recorded after it took place */
export class GatheringDto {
  @ApiProperty({ example: '2020-10-20T14:30:00+08:00' }) @IsInstant()
  heldAt: string;

  @ApiProperty({ example: '北碚区住建委三楼会议室' }) @IsString() @IsNotEmpty() @MaxLength(300)
  place: string;

  @ApiProperty({ example: '研究房屋维修和补偿方案' }) @IsString() @IsNotEmpty() @MaxLength(500)
  topic: string;

  @ApiProperty({ type: [AttendeeDto] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => AttendeeDto)
  attendees: AttendeeDto[];

  /** 会议纪要 / 查看结论 */
  @ApiProperty({ type: [String], example: ['开发商承担维修责任'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(2000, { each: true })
  conclusions: string[];
}

export class CloseTaskForceDto {
  @ApiProperty({ enum: TASK_FORCE_OUTCOMES }) @IsIn(TASK_FORCE_OUTCOMES)
  outcome: TaskForceOutcome;

  @ApiProperty({ example: '房屋维修完成，补偿到位，信访人满意，息诉罢访' }) @IsString() @IsNotEmpty() @MaxLength(5000)
  summary: string;
}

export class ListTaskForcesDto {
  @ApiPropertyOptional({ enum: ['active', 'closed'] }) @IsOptional() @IsIn(['active', 'closed'])
  status?: 'active' | 'closed';

  /** the leader's name (包案领导) */
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50)
  leader?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID()
  caseId?: string;
}
