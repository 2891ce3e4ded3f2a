import { CaseEventTypes, TaskEventTypes } from '@lianban/domain';
import { agenciesNamedBy, isAgencyFacing } from './audience';
import { publicData } from './redaction';

const caseId = '9c1d6a4e-1f3b-4c9a-8f7e-2b6d5a4c3e21';

describe('what leaves the store on a topic (relay redaction)', () => {
  const registered = {
    type: CaseEventTypes.PetitionRegistered,
    data: {
      caseNumber: 'CQ-2021-000001', channel: 'online', subject: '欠薪', content: '…', regionCode: '500112',
      petitioner: { petitionerId: 'p-1', sealed: 'c2VhbGVk', anonymous: false }, petitionerKeys: ['hmac-id', 'hmac-phone'],
      demandClass: 'claim', matterOccurredAt: null, routeDueAt: '2021-05-19T02:12:00.000Z',
    },
  };

  it('drops the sealed identity and the keyed identity hashes of a registration, keeping the pseudonymous id', () => {
    const out = publicData(registered) as Record<string, any>;
    expect(out.petitioner).toEqual({ petitionerId: 'p-1', anonymous: false });
    expect(out).not.toHaveProperty('petitionerKeys');
    expect(out.subject).toBe('欠薪');
    expect(JSON.stringify(out)).not.toContain('c2VhbGVk');
  });

  it('leaves the stored event untouched', () => {
    publicData(registered);
    expect(registered.data.petitioner.sealed).toBe('c2VhbGVk');
    expect(registered.data.petitionerKeys).toEqual(['hmac-id', 'hmac-phone']);
  });

  it('passes other bodies through as they are', () => {
    const data = { outcome: 'support', text: '已支付' };
    expect(publicData({ type: TaskEventTypes.ReplyIssued, data })).toBe(data);
  });
});

describe('which agencies an event concerns', () => {
  const base = { caseId, agencyId: null, streamId: `case-${caseId}` };

  it('names every assigned agency', () => {
    expect(agenciesNamedBy({ ...base, data: { mode: 'assign', agencies: [{ agencyId: '500112-rsj', role: 'lead' }, { agencyId: '500112-xfb', role: 'co' }] } }).sort())
      .toEqual(['500112-rsj', '500112-xfb']);
  });

  it('names the owner of a task stream and the acting agency', () => {
    expect(agenciesNamedBy({ caseId, agencyId: '500112-rsj', streamId: `task-${caseId}-500112-rsj`, data: { text: 'x' } })).toEqual(['500112-rsj']);
  });

  it('names successors, reviewers, dispute parties and deciders, but not the joint conference or non-agency fields', () => {
    expect(agenciesNamedBy({ ...base, data: { fromAgencyId: '500112-rsj', toAgencyId: '500109-rsj', effectiveFrom: '2025-11-01' } }).sort())
      .toEqual(['500109-rsj', '500112-rsj']);
    expect(agenciesNamedBy({ ...base, data: { appealedAgencyId: '500112-rsj', reviewerAgencyId: '500000-rsj' } }).sort()).toEqual(['500000-rsj', '500112-rsj']);
    expect(agenciesNamedBy({ ...base, data: { parties: ['500112-rsj', '511623-sw'], deciderId: 'cy-lxhy', raisedBy: '500112-rsj' } }).sort())
      .toEqual(['500112-rsj', '511623-sw']);
    expect(agenciesNamedBy({ ...base, data: { petitioner: { petitionerId: '500112-abc' }, regionCode: '500112' } })).toEqual([]);
  });

  it('sends agencies the case and task streams, not case-number bookkeeping', () => {
    expect(isAgencyFacing({ caseId, streamId: `case-${caseId}` })).toBe(true);
    expect(isAgencyFacing({ caseId, streamId: `task-${caseId}-500112-rsj` })).toBe(true);
    expect(isAgencyFacing({ caseId, streamId: 'casenumber-cq-2021' })).toBe(false);
  });
});
