import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, OptionalAuth, type Principal } from '@lianban/auth';
import { badRequest, Now } from '@lianban/platform';
import { RegisterPetitionCommand, type RegisterPetitionResult } from './register-petition.command';
import { RegisterPetitionDto } from './register-petition.dto';

@ApiTags('intake')
@ApiBearerAuth()
@Controller('v1/petitions')
export class RegisterPetitionController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @OptionalAuth()
  @HttpCode(201)
  @ApiOperation({ summary: '登记 register a petition from any channel (online channels need no token; others an intake clerk)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retry with the same key gets the first answer' })
  async register(
    @Body() body: RegisterPetitionDto,
    @Now() at: string,
    @Caller() caller: Principal | undefined,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<Omit<RegisterPetitionResult, 'replayed'>> {
    if (idempotencyKey !== undefined && !/^[\w.:-]{8,128}$/.test(idempotencyKey)) {
      throw badRequest('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 8–128 characters of letters, digits, ".", ":", "_" or "-"');
    }
    const { replayed: _replayed, ...answer } = await this.commands.execute<RegisterPetitionCommand, RegisterPetitionResult>(
      new RegisterPetitionCommand(body, at, caller, idempotencyKey),
    );
    return answer;
  }
}
