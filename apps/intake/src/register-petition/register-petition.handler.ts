import { createHash, randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { petitionerKeys, TokenService, type PetitionerKey } from '@lianban/auth';
import type { Region } from '@lianban/contracts';
import {
  caseDecider, CaseEventTypes, DomainError, isOpenCase, ONLINE_CHANNELS, sameMatter, type CaseFile, type PetitionRegistered, type ReceptionRecord,
} from '@lianban/domain';
import {
  badRequest, CaseCommandRunner, CaseFilesProjection, CaseReader, CONFIG, conflict, forbidden, KeyedLock, PersonalDataService, type LianbanConfig,
} from '@lianban/platform';
import { Registry } from '@lianban/registry';
import { CaseNumberAllocator, type ReservedNumber } from './case-number';
import { PetitionerIndex } from './petitioner-index';
import { RegisterPetitionCommand, type RegisterPetitionResult, type RepeatPetitionResult } from './register-petition.command';
import type { RegisterPetitionDto } from './register-petition.dto';

const STAFF_REGISTRARS = ['clerk', 'coordinator'];

/** A case id derived from the Idempotency-Key, so a retried registration finds its first answer. */
function caseIdFor(idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return randomUUID();
  const h = createHash('sha256').update(`lianban:petition:${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface SameMatter {
  file: CaseFile;
  matchedBy: PetitionerKey['kind'];
  level: 'same' | 'higher';
}

@CommandHandler(RegisterPetitionCommand)
export class RegisterPetitionHandler implements ICommandHandler<RegisterPetitionCommand, RegisterPetitionResult | RepeatPetitionResult> {
  constructor(
    private readonly runner: CaseCommandRunner,
    private readonly reader: CaseReader,
    private readonly numbers: CaseNumberAllocator,
    private readonly personal: PersonalDataService,
    private readonly registry: Registry,
    private readonly tokens: TokenService,
    private readonly index: PetitionerIndex,
    private readonly files: CaseFilesProjection,
    @Inject(CONFIG) private readonly config: LianbanConfig,
  ) {}

  /** registrations of one petitioner, one at a time in this process (intake runs once per region) */
  private readonly samePetitioner = new KeyedLock();

  async execute({ body, at, caller, idempotencyKey, reception }: RegisterPetitionCommand): Promise<RegisterPetitionResult | RepeatPetitionResult> {
    // Online channels are open to anyone; letters, visits, calls and video are registered by staff (登记员).
    if (!ONLINE_CHANNELS.includes(body.channel) && !(caller && STAFF_REGISTRARS.includes(caller.role))) {
      throw forbidden('REGISTRAR_REQUIRED', `a ${body.channel} petition is registered by an intake clerk; online, wechat and app petitions may be submitted by anyone`);
    }
    const division = this.registry.division(body.regionCode, at);
    if (!division) throw badRequest('UNKNOWN_REGION_CODE', `regionCode ${body.regionCode} is not a division this deployment knows`);
    const region = this.registry.regionOf(body.regionCode) as Region;
    const caseId = caseIdFor(idempotencyKey);

    const existing = await this.reader.file(caseId);
    if (existing) {
      // only the same caller's retry of the same petition gets the case (and a token to follow it)
      const first = existing.events.find((e) => e.type === CaseEventTypes.PetitionRegistered);
      const d = first?.data as PetitionRegistered['data'] | undefined;
      const sameCaller = caller ? first?.actor.id === caller.sub : first?.actor.role === 'petitioner' && first.actor.id.startsWith('petitioner:');
      if (!d || !sameCaller || d.channel !== body.channel || d.regionCode !== body.regionCode || d.subject !== body.subject || d.content !== body.content) {
        throw conflict('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for another petition; use a new key for a new petition');
      }
      return this.answer(existing.file.caseId, existing.file.caseNumber, existing.file.step, existing.file.petitioner.petitionerId, region, true);
    }

    const keys = petitionerKeys(this.config.petitionerKeySecret, body.petitioner);
    // Art. 19 needs the check and the registration to be one step per petitioner: two submissions
    // of the same matter at once would otherwise both find no case and both open one
    return this.samePetitioner.run(keys.map((k) => k.key), () => this.registerOrLink(keys, body, at, caller, caseId, region, idempotencyKey, reception));
  }

  private async registerOrLink(
    keys: PetitionerKey[], body: RegisterPetitionDto, at: string, caller: RegisterPetitionCommand['caller'], caseId: string, region: Region,
    idempotencyKey: string | undefined, reception: ReceptionRecord | undefined,
  ): Promise<RegisterPetitionResult | RepeatPetitionResult> {
    const same = keys.length > 0 ? await this.sameMatter(keys, body, at) : null;
    // an online repeat without a token is the matched petitioner, as far as the keys can tell
    if (same) return this.recordRepeat(same, body, at, caller ? { id: caller.sub, role: caller.role } : { id: `petitioner:${same.file.petitioner.petitionerId}`, role: 'petitioner' }, idempotencyKey, reception);

    const sealing = this.personal.sealNew({
      name: body.petitioner.name,
      ...(body.petitioner.phone ? { phone: body.petitioner.phone } : {}),
      ...(body.petitioner.idNumber ? { idNumber: body.petitioner.idNumber.toUpperCase() } : {}),
      ...(body.petitioner.address ? { address: body.petitioner.address } : {}),
    });
    const registrant = caller ? { id: caller.sub, role: caller.role } : { id: `petitioner:${(await sealing).petitionerId}`, role: 'petitioner' };
    const causationId = idempotencyKey ? `request:${idempotencyKey}` : `request:${randomUUID()}`;
    const register = async (caseNumber: string, petitionerId: string, sealed: string, number?: ReservedNumber) => {
      const [registered] = await this.runner.run({
        caseId, streamId: `case-${caseId}`, decider: caseDecider, region, actor: registrant, causationId,
        command: {
          kind: 'RegisterPetition', at, caseNumber, channel: body.channel, regionCode: body.regionCode, subject: body.subject, content: body.content,
          demandClass: body.demandClass ?? null, matterOccurredAt: body.occurredAt ?? null,
          petitioner: { petitionerId, sealed, anonymous: body.anonymous ?? false }, petitionerKeys: keys.map((k) => k.key), reception: reception ?? null,
        },
        // a new case: decided on no events, and the case head check refuses the write if it got one meanwhile
        ...(number ? { alongside: [number.append], history: [] } : {}),
      });
      const data = registered.data as PetitionRegistered['data'];
      if (registered.type !== CaseEventTypes.PetitionRegistered) throw new Error('registration produced an unexpected event');
      return this.answer(caseId, data.caseNumber, 'registered', petitionerId, region, false);
    };

    // the key must be on disk before the event naming it, so it is awaited first; the number is
    // then written with the registration in one atomic write
    if (this.numbers.reservable(region, at)) {
      const { petitionerId, sealed } = await sealing;
      const number = this.numbers.reserve(region, caseId, at, registrant);
      if (number) {
        try {
          return await register(number.caseNumber, petitionerId, sealed, number);
        } catch (e) {
          if (!this.numbers.lost(number, e)) throw e;
        }
      }
    }
    // an allocation of its own: it needs nothing of the key, so the two durable writes wait for
    // their syncs together; a number allocated for a registration that then fails stays unused
    const [{ petitionerId, sealed }, caseNumber] = await Promise.all([sealing, this.numbers.allocate(region, caseId, at, registrant)]);
    return register(caseNumber, petitionerId, sealed);
  }

  /**
   * A case of the same petitioner (keyed hash) on the same matter (similar subject): an open one
   * at the petition's division or one below it (Art. 19: raised again at the same or a higher
   * level), else a concluded one anywhere (Art. 36: not accepted again anywhere).
   */
  private async sameMatter(keys: PetitionerKey[], body: RegisterPetitionDto, at: string): Promise<SameMatter | null> {
    const candidates = await this.index.lookup(keys);
    if (candidates.length === 0) return null;
    await this.files.catchUp();
    const found = candidates
      .map((c) => ({ ...c, file: this.files.get(c.caseId) }))
      .filter((c): c is { caseId: string; matchedBy: PetitionerKey['kind']; file: CaseFile } => !!c.file && sameMatter(c.file.subject, body.subject))
      .sort((a, b) => Date.parse(b.file.registeredAt) - Date.parse(a.file.registeredAt));
    for (const c of found) {
      const level = this.levelOf(body.regionCode, c.file.regionCode, at);
      if (level && isOpenCase(c.file)) return { file: c.file, matchedBy: c.matchedBy, level };
    }
    const concluded = found.find((c) => c.file.concluded);
    return concluded ? { file: concluded.file, matchedBy: concluded.matchedBy, level: this.levelOf(body.regionCode, concluded.file.regionCode, at) ?? 'same' } : null;
  }

  /** where the new petition was raised relative to the case's division: the same one (or its successor), above it, or elsewhere */
  private levelOf(newCode: string, caseCode: string, at: string): 'same' | 'higher' | null {
    for (let c: string | undefined = caseCode; c; c = this.registry.division(c)?.successorCode) if (c === newCode) return 'same';
    for (let d = this.registry.parentDivision(caseCode, at); d; d = this.registry.parentDivision(d.code, at)) if (d.code === newCode) return 'higher';
    return null;
  }

  private async recordRepeat(
    same: SameMatter, body: RegisterPetitionDto, at: string, actor: { id: string; role: string }, idempotencyKey: string | undefined,
    reception: ReceptionRecord | undefined,
  ): Promise<RepeatPetitionResult> {
    const { file } = same;
    // A retried request carries the same key, so the case records it once (the decider sees the key again).
    const requestKey = idempotencyKey ? createHash('sha256').update(`lianban:repeat:${idempotencyKey}`).digest('hex').slice(0, 32) : null;
    // a repeat never dates the case's history back: it is recorded when it arrives, or after the case's last event
    const when = Date.parse(file.lastEventAt) > Date.parse(at) ? file.lastEventAt : at;
    await this.runner.run({
      caseId: file.caseId, streamId: `case-${file.caseId}`, decider: caseDecider, actor, causationId: `request:${idempotencyKey ?? randomUUID()}`,
      command: {
        kind: 'RecordRepeatPetition', at: when, channel: body.channel, regionCode: body.regionCode, subject: body.subject, content: body.content,
        matchedBy: same.matchedBy, requestKey, level: same.level, ...(reception ? { reception } : {}),
      },
    });
    if (file.concluded) {
      throw new DomainError(
        'CASE_CONCLUDED',
        `the same matter was concluded (终结) in case ${file.caseNumber} after its 复核; it is not accepted again. The attempt is recorded.`,
        'Art. 36',
        { caseId: file.caseId, caseNumber: file.caseNumber },
      );
    }
    return { caseId: file.caseId, caseNumber: file.caseNumber, repeat: true };
  }

  private answer(caseId: string, caseNumber: string, status: string, petitionerId: string, region: Region, replayed: boolean): RegisterPetitionResult {
    const petitionerToken = this.tokens.sign({ sub: `petitioner:${petitionerId}`, role: 'petitioner', cases: [caseId], region }, 365 * 24 * 3600);
    return { caseId, caseNumber, status, petitionerToken, replayed };
  }
}
