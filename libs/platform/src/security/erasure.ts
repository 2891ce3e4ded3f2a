import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { PersonalDataVault, Principal } from '@lianban/auth';
import { PersonalDataEventTypes, personalDataDecider } from '@lianban/domain';
import { CaseCommandRunner } from '../case-command-runner';
import { CaseFilesProjection } from '../case-files.projection';
import { CaseReader } from '../case-reader';
import { conflict, notFound } from '../http-errors';
import { VAULT } from '../tokens';
import { AuditLog } from './audit-log';

export interface ErasureResult {
  petitionerId: string;
  caseId: string;
  caseNumber: string;
  erasedAt: string;
  eventId: string;
}

/**
 * Crypto-shredding on an administrator's request (个人信息保护法 Art. 47, DESIGN 3.3): the
 * petitioner's key is destroyed, so the sealed identity in the registration can never be opened
 * again, while every event stays as it was — timelines, statistics and replays go on working and
 * show `[personal data erased]`. The erasure is an event on the case (who: its actor; why: its
 * reason) and a line in the audit log.
 *
 * The key goes first: a failure after it leaves the person forgotten but the erasure unrecorded,
 * and asking again records it (the decider sees no erasure yet; the vault has nothing left to
 * destroy). The other order could leave an erasure on record while the data still opens.
 */
@Injectable()
export class ErasureService {
  constructor(
    @Inject(VAULT) private readonly vault: PersonalDataVault,
    private readonly files: CaseFilesProjection,
    private readonly reader: CaseReader,
    private readonly runner: CaseCommandRunner,
    private readonly audit: AuditLog,
  ) {}

  async erase(petitionerId: string, reason: string, caller: Principal, now: string): Promise<ErasureResult> {
    await this.files.catchUp();
    let caseId: string | null = null;
    for (const f of this.files.all()) {
      if (f.petitioner.petitionerId === petitionerId) {
        caseId = f.caseId;
        break;
      }
    }
    if (!caseId) throw notFound('PETITIONER_NOT_FOUND', `no case names petitioner ${petitionerId}`);
    const { file, events } = await this.reader.fileOr404(caseId);
    if (events.some((e) => e.type === PersonalDataEventTypes.PersonalDataErased)) {
      // recorded, yet a key is there: only a key table restored from a backup gets here; forget it again
      await this.vault.erase(petitionerId);
      throw conflict('PERSONAL_DATA_ALREADY_ERASED', `the personal data of petitioner ${petitionerId} was already erased`);
    }
    await this.vault.erase(petitionerId);
    // the case's history never goes back in time, even when its last event was dated ahead (dev clock)
    const at = Date.parse(file.lastEventAt) > Date.parse(now) ? file.lastEventAt : now;
    const [event] = await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: personalDataDecider, actor: { id: caller.sub, role: caller.role }, agencyId: caller.agency ?? null,
      causationId: `request:${randomUUID()}`, command: { kind: 'ErasePersonalData', at, petitionerId, reason },
    });
    await this.audit.record(caller, 'personal-data.erased', { caseId, petitionerId, purpose: 'POST /v1/admin/petitioners/{petitionerId}/erasure', detail: reason });
    return { petitionerId, caseId, caseNumber: file.caseNumber, erasedAt: at, eventId: event.id };
  }
}
