import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Caller, type Principal } from '@lianban/auth';
import { IdempotencyKey, Now } from '@lianban/platform';
import { RegisterPetitionCommand, type RegisterPetitionResult, type RepeatPetitionResult } from './register-petition.command';
import { RegisterPetitionDto } from './register-petition.dto';

@ApiTags('intake')
@ApiBearerAuth()
@Controller('v1/petitions')
export class RegisterPetitionController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: '登记 register a petition from any channel (online channels need no token; others an intake clerk)',
    description: 'The same matter from the same petitioner while its case is open answers 200 {caseId, caseNumber, repeat: true} (Art. 19); '
      + 'a matter concluded after its 复核 answers 409 CASE_CONCLUDED and the attempt is recorded on that case (Art. 36).',
  })
  @ApiResponse({ status: 201, description: 'registered: {caseId, caseNumber, status, petitionerToken}' })
  @ApiResponse({ status: 200, description: 'a repeat (Art. 19): {caseId: the open case, caseNumber, repeat: true}' })
  @ApiResponse({ status: 409, description: 'CASE_CONCLUDED: the matter was concluded after its 复核 (Art. 36); the attempt is recorded' })
  async register(
    @Body() body: RegisterPetitionDto,
    @Now() at: string,
    @Caller() caller: Principal | undefined,
    @Res({ passthrough: true }) res: Response,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<Omit<RegisterPetitionResult, 'replayed'> | RepeatPetitionResult> {
    const result = await this.commands.execute<RegisterPetitionCommand, RegisterPetitionResult | RepeatPetitionResult>(
      new RegisterPetitionCommand(body, at, caller, idempotencyKey),
    );
    if ('repeat' in result) {
      res.status(200);
      return result;
    }
    const { replayed: _replayed, ...answer } = result;
    return answer;
  }
}
