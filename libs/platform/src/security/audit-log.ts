import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@lianban/auth';
import { SECURITY_STORE } from '../tokens';
import type { AuditAction, AuditEntry, AuditQuery, SecurityStore } from './security-store';

/**
 * Who read or erased whose personal data, when, through which route (个人信息保护法: records of
 * processing). Written before the data is handed out: when the record cannot be written, the
 * data is not sent either.
 */
@Injectable()
export class AuditLog {
  constructor(@Inject(SECURITY_STORE) private readonly store: SecurityStore) {}

  record(actor: Principal, action: AuditAction, what: { caseId: string | null; petitionerId: string | null; purpose: string; detail?: string | null }): Promise<void> {
    return this.store.appendAudit({
      at: new Date().toISOString(), actor: { sub: actor.sub, role: actor.role, agency: actor.agency ?? null }, action,
      caseId: what.caseId, petitionerId: what.petitionerId, purpose: what.purpose, detail: what.detail ?? null,
    });
  }

  read(query: AuditQuery): Promise<AuditEntry[]> {
    return this.store.readAudit(query);
  }
}
