import { decodeEventMessage, type StoredEvent } from '@lianban/contracts';
import { CaseEventTypes, PersonalDataEventTypes } from '@lianban/domain';
import { agencyTopicMessage, WITHHELD } from './accuser-protection';

const base: Omit<StoredEvent, 'type' | 'data' | 'actor'> = {
  id: '0b6b1c1e-0000-4000-8000-000000000001', caseId: '9c1d6a4e-1f3b-4c9a-8f7e-2b6d5a4c3e21', causationId: 'request:1', region: 'cq', agencyId: null,
  occurredAt: '2024-03-04T01:00:00.000Z', hlc: '000001709514000000.00000', streamId: 'case-9c1d6a4e-1f3b-4c9a-8f7e-2b6d5a4c3e21', revision: 0, position: 7,
  recordedAt: '2024-03-04T01:00:00.000Z',
};
const petitionerId = '5f0c1d2e-3a4b-4c5d-8e6f-708192a3b4c5';

describe('what an agency topic carries of the petitioner (Art. 30)', () => {
  it('drops the sealed identity, the keyed hashes and the pseudonymous id of a registration made online', () => {
    const e: StoredEvent = {
      ...base, type: CaseEventTypes.PetitionRegistered, actor: { id: `petitioner:${petitionerId}`, role: 'petitioner' },
      data: { caseNumber: 'CQ-2024-000001', subject: '举报', petitioner: { petitionerId, sealed: 'U0VBTEVE', anonymous: false }, petitionerKeys: ['h1'], demandClass: 'accusation' },
    };
    const m = agencyTopicMessage(e);
    const wire = m.value.toString('utf8') + JSON.stringify(m.headers);
    expect(wire).not.toContain(petitionerId);
    expect(wire).not.toContain('U0VBTEVE');
    expect(wire).not.toContain('h1');
    const decoded = decodeEventMessage(m);
    expect(decoded.actor).toEqual({ id: 'petitioner', role: 'petitioner' });
    expect((decoded.data as { petitioner: unknown }).petitioner).toEqual({ petitionerId: WITHHELD, anonymous: false });
    expect((decoded.data as { subject: string }).subject).toBe('举报');
    // the stored event is untouched
    expect((e.data as { petitioner: { petitionerId: string } }).petitioner.petitionerId).toBe(petitionerId);
  });

  it('hides petitioner actors of later events, keeps staff actors, and drops the reason of an erasure', () => {
    const rated = agencyTopicMessage({ ...base, type: CaseEventTypes.ReplyRated, actor: { id: `petitioner:${petitionerId}`, role: 'petitioner' }, data: { rating: 'satisfied', comment: null } });
    expect(rated.headers.ce_actorid).toBe('petitioner');
    const classified = agencyTopicMessage({ ...base, type: CaseEventTypes.PetitionClassified, actor: { id: 'coordinator@500112-xfb', role: 'coordinator' }, data: { demandClass: 'accusation' } });
    expect(classified.headers.ce_actorid).toBe('coordinator@500112-xfb');
    const erased = agencyTopicMessage({ ...base, type: PersonalDataEventTypes.PersonalDataErased, actor: { id: 'admin-1', role: 'admin' }, data: { petitionerId, reason: '应张三本人申请' } });
    expect(JSON.parse(erased.value.toString('utf8'))).toEqual({ petitionerId: WITHHELD });
  });
});
