import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TokenService, type PublicJwk } from '@lianban/auth';

@ApiTags('operations')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly tokens: TokenService) {}

  /** so that other services and gateways can verify the petitioner tokens this service issues */
  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: 'the public key that signs petitioner tokens (jwt mode; empty in dev mode)' })
  jwks(): { keys: PublicJwk[] } {
    return this.tokens.publicJwks();
  }
}
