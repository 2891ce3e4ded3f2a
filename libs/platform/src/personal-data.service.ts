import { Inject, Injectable } from '@nestjs/common';
import { ERASED, petitionerPseudonym, type PersonalData, type PersonalDataVault, type Principal } from '@lianban/auth';
import type { StoredEvent } from '@lianban/contracts';
import { CaseEventTypes, type CaseFile, type SealedPetitioner } from '@lianban/domain';
import { CaseReader } from './case-reader';
import type { LianbanConfig } from './config';
import { AuditLog } from './security/audit-log';
import { CONFIG, VAULT } from './tokens';

/** What a reader entitled to the petitioner's identity sees. */
export interface PetitionerView {
  petitionerId: string;
  anonymous: boolean;
  name: string;
  phone?: string;
  idNumber?: string;
  address?: string;
  /** true once an administrator erased the personal data (crypto-shredding) */
  erased?: boolean;
}

/** What an analyst sees: the same person under the same pseudonym, never the person (nor their petitioner id). */
export interface PseudonymousPetitioner {
  pseudonym: string;
  anonymous: boolean;
}

export interface WithheldPetitioner {
  withheld: string;
}

export type PetitionerFor = PetitionerView | PseudonymousPetitioner | WithheldPetitioner;

export const ACCUSER_WITHHELD = '检举控告人信息依《信访工作条例》第三十条不予提供';
export const ANONYMOUS_WITHHELD = '信访人要求匿名';

/** Roles that act for an agency handling the matter: for an accusation, possibly the accused (Art. 30). */
const AGENCY_STAFF = ['caseworker', 'agency-head'];

/**
 * 检举控告 (Art. 30): a case is an accusation if it was ever registered or classified as one —
 * a later reclassification never hands the accuser's identity to the agencies after all.
 */
export function isAccusation(events: readonly Pick<StoredEvent, 'type' | 'data'>[]): boolean {
  return events.some((e) => (e.type === CaseEventTypes.PetitionRegistered || e.type === CaseEventTypes.PetitionClassified)
    && (e.data as { demandClass?: string | null }).demandClass === 'accusation');
}

@Injectable()
export class PersonalDataService {
  constructor(
    @Inject(VAULT) private readonly vault: PersonalDataVault,
    @Inject(CONFIG) private readonly config: LianbanConfig,
    private readonly audit: AuditLog,
    private readonly reader: CaseReader,
  ) {}

  /** a new petitioner's data, sealed under a key of their own that is on disk: the vault names them */
  sealNew(data: PersonalData): Promise<{ petitionerId: string; sealed: string }> {
    return this.vault.sealNew(data);
  }

  /** the petitioner as an entitled reader sees them; erased keys show the erasure, never fail */
  async open(p: SealedPetitioner): Promise<PetitionerView> {
    const data = await this.vault.open(p.petitionerId, p.sealed);
    if (!data) return { petitionerId: p.petitionerId, anonymous: p.anonymous, name: ERASED, erased: true };
    return { petitionerId: p.petitionerId, anonymous: p.anonymous, ...data };
  }

  pseudonym(petitionerId: string): string {
    return petitionerPseudonym(this.config.petitionerKeySecret, petitionerId);
  }

  /**
   * The one decision of what a caller, already entitled to read the case, sees of its petitioner:
   * analysts a pseudonym; agency staff nothing of an accuser (Art. 30); nobody but the petitioner
   * an anonymous petitioner; everyone else the person — and then the read is put in the audit
   * log first (who, when, which case, through `purpose`).
   * Whether the case is an accusation is read from its whole current history, so a view as of an
   * earlier moment cannot predate the classification.
   */
  async petitionerFor(caller: Principal, file: CaseFile, purpose: string): Promise<PetitionerFor> {
    const p = file.petitioner;
    if (caller.role === 'analyst') return { pseudonym: this.pseudonym(p.petitionerId), anonymous: p.anonymous };
    if (AGENCY_STAFF.includes(caller.role) && isAccusation(await this.reader.events(file.caseId))) return { withheld: ACCUSER_WITHHELD };
    if (p.anonymous && caller.role !== 'petitioner') return { withheld: ANONYMOUS_WITHHELD };
    const erased = !(await this.vault.hasKey(p.petitionerId));
    await this.audit.record(caller, 'personal-data.read', { caseId: file.caseId, petitionerId: p.petitionerId, purpose, detail: erased ? 'erased' : null });
    return this.open(p);
  }
}
