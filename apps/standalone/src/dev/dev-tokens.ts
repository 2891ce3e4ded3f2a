import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { AGENCY_ROLES, ROLES, TokenService, type Role } from '@lianban/auth';
import { badRequest } from '@lianban/platform';
import { Registry } from '@lianban/registry';

export class DevTokenDto {
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ example: '500112-rsj' }) @IsOptional() @Matches(/^\d{6}-[a-z]{2,8}$/, { message: 'agency must be <division code>-<department>, e.g. 500112-rsj' })
  agency?: string;

  @ApiPropertyOptional({ example: 'caseworker-zhang' }) @IsOptional() @IsString() @MaxLength(100)
  sub?: string;

  /** the region of a role without an agency (analyst, admin); default: every region */
  @ApiPropertyOptional({ enum: ['cq', 'sc'] }) @IsOptional() @IsIn(['cq', 'sc'])
  region?: 'cq' | 'sc';

  /** petitioner only: the cases the token follows */
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true })
  cases?: string[];
}

/**
 * Embedded dev mode only: hands out tokens for any role so a newcomer can try every step.
 * The module holding this route is not even loaded in any other mode.
 */
@ApiTags('dev')
@Controller('v1/dev/tokens')
export class DevTokensController {
  constructor(private readonly tokens: TokenService, private readonly registry: Registry) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'embedded dev mode only: a token for a role (and agency)' })
  issue(@Body() body: DevTokenDto): { token: string } {
    if (AGENCY_ROLES.includes(body.role) && !body.agency) throw badRequest('AGENCY_REQUIRED', `a ${body.role} acts for an agency: send "agency", e.g. 500112-rsj`);
    if (body.agency && !this.registry.agency(body.agency)) throw badRequest('UNKNOWN_AGENCY', `${body.agency} is not an agency in the registry`);
    if (body.cases && body.role !== 'petitioner') throw badRequest('CASES_FOR_PETITIONERS_ONLY', 'only a petitioner token names the cases it follows');
    if (body.region && body.agency && body.region !== this.registry.regionOf(body.agency)) {
      throw badRequest('REGION_MISMATCH', `${body.agency} is not in region ${body.region}`);
    }
    const region = body.agency ? this.registry.regionOf(body.agency) : body.region;
    const sub = body.sub ?? `dev-${body.role}${body.agency ? `@${body.agency}` : ''}`;
    return {
      token: this.tokens.sign({
        sub, role: body.role, ...(body.agency ? { agency: body.agency } : {}), ...(region ? { region } : {}), ...(body.cases ? { cases: body.cases } : {}),
      }),
    };
  }
}
