import { at } from '@lianban/testing';
import {
  AppealEventTypes as A, CaseEventTypes as C, foldCaseFile, isOpenCase, limitsOf, TaskEventTypes as T, type AppealEvent, type CaseEvent,
  type CaseFileEvent, type Recorded, type TaskEvent,
} from '@lianban/domain';

const e = (r: Recorded): CaseFileEvent => ({ ...r, caseId: 'c-1', region: 'sc' });
const history: CaseFileEvent[] = [
  at('2024-03-04T01:00:00.000Z', {
    type: C.PetitionRegistered,
    data: {
      caseNumber: 'SC-2024-000001', channel: 'online', petitioner: { petitionerId: 'p', sealed: 's', anonymous: false }, regionCode: '511623',
      subject: '河道采砂', content: 'c', demandClass: null, matterOccurredAt: null, routeDueAt: '2024-03-19T15:59:59.999Z',
    },
  } as CaseEvent),
  at('2024-03-05T01:00:00.000Z', { type: C.PetitionClassified, data: { demandClass: 'claim', category: '水利', route: 'petition' } } as CaseEvent),
  at('2024-03-06T01:00:00.000Z', {
    type: C.AgenciesAssigned,
    data: { mode: 'forward', agencies: [{ agencyId: '511623-sw', role: 'lead', acknowledgeDueAt: '2024-03-21T15:59:59.999Z', returnDueAt: '2024-03-13T15:59:59.999Z' }] },
  } as CaseEvent),
  at('2024-03-07T01:00:00.000Z', {
    type: T.TaskAccepted, data: { acknowledgedInTime: true, acknowledgeDueAt: '2024-03-21T15:59:59.999Z', handleDueAt: '2024-05-06T15:59:59.999Z' },
  } as TaskEvent, '511623-sw'),
  at('2024-04-20T01:00:00.000Z', {
    type: T.HandlingExtended,
    data: { days: 20, reason: '需现场勘查', previousDueAt: '2024-05-06T15:59:59.999Z', handleDueAt: '2024-05-26T15:59:59.999Z', approvedBy: 'h', petitionerNotice: 'n' },
  } as TaskEvent, '511623-sw'),
  at('2024-05-20T01:00:00.000Z', { type: T.ReplyIssued, data: { outcome: 'not-support', text: 'x', withinLimit: true, handleDueAt: '2024-05-26T15:59:59.999Z' } } as TaskEvent, '511623-sw'),
  at('2024-05-20T01:00:01.000Z', {
    type: C.CaseAnswered, data: { leadAgencyId: '511623-sw', outcome: 'not-support', text: 'x', replyEventId: 'r', repliedAt: '2024-05-20T01:00:00.000Z' },
  } as CaseEvent),
  at('2024-06-01T01:00:00.000Z', {
    type: C.AppealRequested,
    data: { appealId: 'a-1', kind: 'review', reason: 'x', appealedAgencyId: '511623-sw', reviewerAgencyId: '511600-slj', requestDueAt: 'x', decisionDueAt: '2024-07-01T15:59:59.999Z' },
  } as CaseEvent),
].map(e);

describe('case file — the petitioner view\'s step and limits', () => {
  it('carries every field of the case on to its next version (an event the fold does not know changes only its count and time)', () => {
    const f = foldCaseFile(history)!;
    const next = foldCaseFile([...history, e(at('2024-06-02T01:00:00.000Z', { type: 'lianban.case.noted.v1', data: {} } as never))])!;
    expect(next).toEqual({ ...f, eventCount: f.eventCount + 1, lastEventAt: '2024-06-02T01:00:00.000Z' });
    expect(Object.keys(next)).toEqual(Object.keys(f));
  });

  it('lists every limit that applies, with its due date, when it was met, and the extension', () => {
    const f = foldCaseFile(history)!;
    expect(f.step).toBe('review');
    expect(limitsOf(f).map((l) => [l.id, l.holder, l.article, l.dueAt, l.metAt])).toEqual([
      ['route', 'bureau', 'Art. 22', '2024-03-19T15:59:59.999Z', '2024-03-06T01:00:00.000Z'],
      ['acknowledge:511623-sw', 'agency', 'Art. 23', '2024-03-21T15:59:59.999Z', '2024-03-07T01:00:00.000Z'],
      ['handle:511623-sw', 'agency', 'Art. 34', '2024-05-26T15:59:59.999Z', '2024-05-20T01:00:00.000Z'],
      ['review-request', 'petitioner', 'Art. 35', '2024-06-19T15:59:59.999Z', '2024-06-01T01:00:00.000Z'],
      ['appeal-decision:a-1', 'agency', 'Art. 35', '2024-07-01T15:59:59.999Z', null],
    ]);
    expect(limitsOf(f)[2].extendedByDays).toBe(20);
  });

  it('shows the re-review window once the review is decided, and the hearing days not counted', () => {
    const more = [
      at('2024-06-20T01:00:00.000Z', {
        type: A.AppealDecided, data: { appealId: 'a-1', kind: 'review', outcome: 'uphold', text: 'x', decisionDueAt: 'x', withinLimit: true },
      } as AppealEvent, '511600-slj'),
      at('2024-07-01T01:00:00.000Z', {
        type: C.AppealRequested,
        data: { appealId: 'a-2', kind: 're-review', reason: 'x', appealedAgencyId: '511600-slj', reviewerAgencyId: '510000-slt', requestDueAt: 'x', decisionDueAt: '2024-07-31T15:59:59.999Z' },
      } as CaseEvent),
      at('2024-07-12T01:00:00.000Z', {
        type: A.HearingRecorded,
        data: { appealId: 'a-2', heldFrom: 'x', heldTo: 'x', days: 3, summary: 's', previousDueAt: '2024-07-31T15:59:59.999Z', decisionDueAt: '2024-08-03T15:59:59.999Z' },
      } as AppealEvent, '510000-slt'),
    ].map(e);
    const f = foldCaseFile([...history, ...more])!;
    expect(f.step).toBe('re-review');
    const limits = limitsOf(f);
    expect(limits.find((l) => l.id === 're-review-request')).toMatchObject({ dueAt: '2024-07-20T15:59:59.999Z', metAt: '2024-07-01T01:00:00.000Z' });
    expect(limits.find((l) => l.id === 'appeal-decision:a-2')).toMatchObject({ agencyId: '510000-slt', dueAt: '2024-08-03T15:59:59.999Z', notCountedDays: 3, article: 'Art. 36' });
    expect(isOpenCase(f)).toBe(true);
    const done = foldCaseFile([...history, ...more, e(at('2024-08-01T00:00:00.000Z', { type: C.CaseConcluded, data: { appealId: 'a-2', decisionEventId: 'd' } } as CaseEvent))])!;
    expect(done.step).toBe('concluded');
    expect(isOpenCase(done)).toBe(false);
  });

  it('a case whose lead returned its task waits for reassignment; watch flags appear on the limit they concern', () => {
    const back = e(at('2024-03-08T01:00:00.000Z', { type: T.TaskReturned, data: { reason: 'x', returnDueAt: 'x' } } as TaskEvent, '511623-sw'));
    expect(foldCaseFile([...history.slice(0, 3), back])!.step).toBe('returned');
    const flag = e(at('2024-03-17T00:00:00.000Z', {
      type: C.DeadlineWarning, data: { limitId: 'route', kind: 'route', agencyId: null, article: 'Art. 22', dueAt: '2024-03-19T15:59:59.999Z', warningDays: 3 },
    } as CaseEvent));
    expect(limitsOf(foldCaseFile([history[0], flag])!)[0]).toMatchObject({ warnedAt: '2024-03-17T00:00:00.000Z', overdueAt: null });
  });
});
