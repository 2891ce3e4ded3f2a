import { createHash, randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TokenService } from '@lianban/auth';
import type { Region } from '@lianban/contracts';
import { caseDecider, CaseEventTypes, ONLINE_CHANNELS, type PetitionRegistered } from '@lianban/domain';
import { badRequest, CaseCommandRunner, CaseReader, forbidden, PersonalDataService } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { CaseNumberAllocator } from './case-number';
import { RegisterPetitionCommand, type RegisterPetitionResult } from './register-petition.command';

const STAFF_REGISTRARS = ['clerk', 'coordinator'];

/** A case id derived from the Idempotency-Key, so a retried registration finds its first answer. */
function caseIdFor(idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return randomUUID();
  const h = createHash('sha256').update(`lianban:petition:${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

@CommandHandler(RegisterPetitionCommand)
export class RegisterPetitionHandler implements ICommandHandler<RegisterPetitionCommand, RegisterPetitionResult> {
  constructor(
    private readonly runner: CaseCommandRunner,
    private readonly reader: CaseReader,
    private readonly numbers: CaseNumberAllocator,
    private readonly personal: PersonalDataService,
    private readonly registry: Registry,
    private readonly tokens: TokenService,
  ) {}

  async execute({ body, at, caller, idempotencyKey }: RegisterPetitionCommand): Promise<RegisterPetitionResult> {
    // Online channels are open to anyone; letters, visits, calls and video are registered by staff (登记员).
    if (!ONLINE_CHANNELS.includes(body.channel) && !(caller && STAFF_REGISTRARS.includes(caller.role))) {
      throw forbidden('REGISTRAR_REQUIRED', `a ${body.channel} petition is registered by an intake clerk; online, wechat and app petitions may be submitted by anyone`);
    }
    const division = this.registry.division(body.regionCode, at);
    if (!division) throw badRequest('UNKNOWN_REGION_CODE', `regionCode ${body.regionCode} is not a division this deployment knows`);
    const region = this.registry.regionOf(body.regionCode) as Region;
    const caseId = caseIdFor(idempotencyKey);

    const existing = await this.reader.file(caseId);
    if (existing) return this.answer(existing.file.caseId, existing.file.caseNumber, existing.file.step, existing.file.petitioner.petitionerId, region, true);

    const petitionerId = randomUUID();
    const sealed = await this.personal.seal(petitionerId, {
      name: body.petitioner.name,
      ...(body.petitioner.phone ? { phone: body.petitioner.phone } : {}),
      ...(body.petitioner.idNumber ? { idNumber: body.petitioner.idNumber.toUpperCase() } : {}),
      ...(body.petitioner.address ? { address: body.petitioner.address } : {}),
    });
    const actor = caller ? { id: caller.sub, role: caller.role } : { id: `petitioner:${petitionerId}`, role: 'petitioner' };
    const caseNumber = await this.numbers.allocate(region, caseId, at, actor);
    const [registered] = await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: caseDecider, region, actor, causationId: idempotencyKey ? `request:${idempotencyKey}` : `request:${randomUUID()}`,
      command: {
        kind: 'RegisterPetition', at, caseNumber, channel: body.channel, regionCode: body.regionCode, subject: body.subject, content: body.content,
        demandClass: body.demandClass ?? null, matterOccurredAt: body.occurredAt ?? null,
        petitioner: { petitionerId, sealed, anonymous: body.anonymous ?? false },
      },
    });
    const data = registered.data as PetitionRegistered['data'];
    if (registered.type !== CaseEventTypes.PetitionRegistered) throw new Error('registration produced an unexpected event');
    return this.answer(caseId, data.caseNumber, 'registered', petitionerId, region, false);
  }

  private answer(caseId: string, caseNumber: string, status: string, petitionerId: string, region: Region, replayed: boolean): RegisterPetitionResult {
    const petitionerToken = this.tokens.sign({ sub: `petitioner:${petitionerId}`, role: 'petitioner', cases: [caseId], region }, 365 * 24 * 3600);
    return { caseId, caseNumber, status, petitionerToken, replayed };
  }
}
