import { Inject, Injectable } from '@nestjs/common';
import type { PetitionerKey } from '@lianban/auth';
import { CaseEventTypes, PersonalDataEventTypes, type PetitionRegistered } from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE, StoreFollower } from '@lianban/platform';

/**
 * Which cases each petitioner key (keyed hash of an ID number or phone) was registered with, to
 * recognise the same petitioner again (Art. 19). Built from the stored registrations and brought
 * up to date before every lookup, so a registration acknowledged a moment ago is found.
 */
@Injectable()
export class PetitionerIndex {
  private readonly casesByKey = new Map<string, Set<string>>();
  // queued behind any read in flight, never joined to it: a read that began before the caller's
  // last registration was appended could miss it, and a repeat would open a second case
  private readonly follower: StoreFollower;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.follower = new StoreFollower(store, (e) => {
      // an erased petitioner is forgotten here too: a new petition is no longer linked to them (个人信息保护法 Art. 47)
      if (e.type === PersonalDataEventTypes.PersonalDataErased) {
        for (const cases of this.casesByKey.values()) cases.delete(e.caseId);
        return;
      }
      if (e.type !== CaseEventTypes.PetitionRegistered) return;
      for (const key of (e.data as PetitionRegistered['data']).petitionerKeys ?? []) {
        const set = this.casesByKey.get(key) ?? new Set<string>();
        set.add(e.caseId);
        this.casesByKey.set(key, set);
      }
    });
  }

  async lookup(keys: PetitionerKey[]): Promise<{ caseId: string; matchedBy: PetitionerKey['kind'] }[]> {
    await this.follower.catchUp();
    const found = new Map<string, PetitionerKey['kind']>();
    for (const k of keys) for (const caseId of this.casesByKey.get(k.key) ?? []) if (!found.has(caseId)) found.set(caseId, k.kind);
    return [...found].map(([caseId, matchedBy]) => ({ caseId, matchedBy }));
  }
}
