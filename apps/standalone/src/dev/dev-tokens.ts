import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { AGENCY_ROLES, Public, ROLES, TokenService, type Role } from '@lianban/auth';
import { badRequest } from '@lianban/platform';
import { Registry } from '@lianban/registry';

export class DevTokenDto {
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ example: '500112-rsj' }) @IsOptional() @Matches(/^\d{6}-[a-z]{2,8}$/, { message: 'agency must be <division code>-<department>, e.g. 500112-rsj' })
  agency?: string;

  @ApiPropertyOptional({ example: 'caseworker-zhang' }) @IsOptional() @IsString() @MaxLength(100)
  sub?: string;
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
  @Public()
  @HttpCode(201)
  @ApiOperation({ summary: 'embedded dev mode only: a token for a role (and agency)' })
  issue(@Body() body: DevTokenDto): { token: string } {
    if (AGENCY_ROLES.includes(body.role) && !body.agency) throw badRequest('AGENCY_REQUIRED', `a ${body.role} acts for an agency: send "agency", e.g. 500112-rsj`);
    if (body.agency && !this.registry.agency(body.agency)) throw badRequest('UNKNOWN_AGENCY', `${body.agency} is not an agency in the registry`);
    const region = body.agency ? this.registry.regionOf(body.agency) : undefined;
    const sub = body.sub ?? `dev-${body.role}${body.agency ? `@${body.agency}` : ''}`;
    return { token: this.tokens.sign({ sub, role: body.role, ...(body.agency ? { agency: body.agency } : {}), ...(region ? { region } : {}) }) };
  }
}
