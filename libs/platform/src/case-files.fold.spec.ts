import { at } from '@lianban/testing';
import { CaseEventTypes as C, foldCaseFile, TaskEventTypes as T, type CaseEvent, type CaseFileEvent, type TaskEvent } from '@lianban/domain';
import { CaseFileSet } from './case-files.fold';

/** A case up to an accepted task; every case of a day shares its due dates, as in real use. */
function history(caseId: string, agencyId: string): CaseFileEvent[] {
  return [
    at('2024-03-04T01:00:00.000Z', {
      type: C.PetitionRegistered,
      data: {
        caseNumber: `SC-${caseId}`, channel: 'online', petitioner: { petitionerId: `p-${caseId}`, sealed: 's', anonymous: false }, regionCode: '511623',
        subject: '河道采砂', content: 'c', demandClass: null, matterOccurredAt: null, routeDueAt: '2024-03-19T15:59:59.999Z',
      },
    } as CaseEvent),
    at('2024-03-06T01:00:00.000Z', {
      type: C.AgenciesAssigned,
      data: { mode: 'forward', agencies: [{ agencyId, role: 'lead', acknowledgeDueAt: '2024-03-21T15:59:59.999Z', returnDueAt: '2024-03-13T15:59:59.999Z' }] },
    } as CaseEvent),
    at('2024-03-07T01:00:00.000Z', {
      type: T.TaskAccepted, data: { acknowledgedInTime: true, acknowledgeDueAt: '2024-03-21T15:59:59.999Z', handleDueAt: '2024-05-06T15:59:59.999Z' },
    } as TaskEvent, agencyId),
    at('2024-03-08T01:00:00.000Z', { type: T.HandlingActionRecorded, data: { kind: 'site-visit', note: '现场查看' } } as TaskEvent, agencyId),
  ].map((r) => ({ ...r, caseId, region: 'sc' }));
}

describe('CaseFileSet — the case files CaseFilesProjection holds', () => {
  it('holds for each case exactly the file its own events fold into, whatever the interleaving', () => {
    const a = history('c-1', '511623-sw');
    const b = history('c-2', '511623-zjw');
    const set = new CaseFileSet();
    a.forEach((e, i) => {
      set.apply(structuredClone(e));
      set.apply(structuredClone(b[i]));
    });
    expect(set.size).toBe(2);
    expect(set.get('c-1')).toEqual(foldCaseFile(a));
    expect(set.get('c-2')).toEqual(foldCaseFile(b));
    expect([...set.values()].map((f) => f.caseId)).toEqual(['c-1', 'c-2']);
    expect(set.get('c-1')!.tasks[0]).toMatchObject({ acknowledgeDueAt: '2024-03-21T15:59:59.999Z', handleDueAt: '2024-05-06T15:59:59.999Z' });
  });

  it('ignores events of a case it never saw registered', () => {
    const set = new CaseFileSet();
    set.apply(history('c-3', '511623-sw')[2]);
    expect(set.get('c-3')).toBeUndefined();
    expect(set.size).toBe(0);
  });

  it('shares the empty lists of new cases read-only: writing into one fails instead of reaching every case', () => {
    const set = new CaseFileSet();
    for (const e of [...history('c-1', '511623-sw'), ...history('c-2', '511623-zjw')]) set.apply(e);
    const f = set.get('c-1')!;
    expect(f.repeats).toEqual([]);
    expect(() => (f.repeats as unknown[]).push('x')).toThrow(TypeError);
    expect(set.get('c-2')!.repeats).toEqual([]);
    // a list that changes is a new array of the case's own
    expect(f.tasks[0].actions).toEqual([{ kind: 'site-visit', note: '现场查看', at: '2024-03-08T01:00:00.000Z' }]);
    expect(set.get('c-2')!.tasks[0].actions).toHaveLength(1);
  });
});
