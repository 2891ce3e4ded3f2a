import { at, spec } from '@lianban/testing';
import { appealDecider, AppealEventTypes as A, CaseEventTypes as C, hearingDays, type AppealEvent, type CaseEvent } from '@lianban/domain';

const requested = (appealId: string, kind: 'review' | 're-review', reviewerAgencyId: string, when = '2024-06-03T02:00:00.000Z') => at(when, {
  type: C.AppealRequested,
  data: {
    appealId, kind, reason: '不服', appealedAgencyId: 'x', reviewerAgencyId, requestDueAt: 'x',
    decisionDueAt: '2024-07-03T15:59:59.999Z',
  },
} as CaseEvent);
const reReview = requested('a-2', 're-review', '510000-slt');
const review = requested('a-1', 'review', '511600-slj');
const reviewer = appealDecider('510000-slt');
const hearing = (from: string, to: string, when = '2024-06-20T01:00:00.000Z') => ({
  kind: 'RecordHearing' as const, at: when, appealId: 'a-2', heldFrom: from, heldTo: to, summary: '听取双方意见',
});
const decision = (when: string, appealId = 'a-2') => ({ kind: 'DecideAppeal' as const, at: when, appealId, outcome: 'uphold' as const, text: '维持原处理意见' });

describe('appeal decider — the reviewing agency decides (Art. 35, 36)', () => {
  it('Art. 36: the re-reviewer decides within 30 日', () => {
    spec(reviewer).given(reReview).when(decision('2024-07-01T01:00:00.000Z')).then([{
      type: A.AppealDecided,
      data: { appealId: 'a-2', kind: 're-review', outcome: 'uphold', text: '维持原处理意见', decisionDueAt: '2024-07-03T15:59:59.999Z', withinLimit: true },
    } as AppealEvent]);
  });

  it('Art. 35: a decision after 30 日 is recorded as late', () => {
    spec(appealDecider('511600-slj')).given(review).when(decision('2024-07-04T01:00:00.000Z', 'a-1'))
      .then((e) => expect(e[0].data).toMatchObject({ kind: 'review', withinLimit: false }));
  });

  it('Art. 35, 36: only the reviewer the request named decides, and only once', () => {
    spec(appealDecider('511600-slj')).given(reReview).when(decision('2024-06-10T00:00:00.000Z')).thenRefuses('NOT_THE_REVIEWER', 'Art. 36');
    const decided = at('2024-06-10T00:00:00.000Z', { type: A.AppealDecided, data: { appealId: 'a-2', kind: 're-review', outcome: 'uphold', text: 'x', decisionDueAt: 'x', withinLimit: true } } as AppealEvent, '510000-slt');
    spec(reviewer).given(reReview, decided).when(decision('2024-06-11T00:00:00.000Z')).thenRefuses('APPEAL_ALREADY_DECIDED');
    spec(reviewer).given().when(decision('2024-06-11T00:00:00.000Z')).thenRefuses('APPEAL_NOT_FOUND');
  });
});

describe('appeal decider — a 复核 hearing (听证) is not counted in the limit (Art. 36)', () => {
  it('counts the calendar days a hearing spans, both ends included, in China dates', () => {
    expect(hearingDays('2024-06-17T01:00:00.000Z', '2024-06-21T09:00:00.000Z')).toBe(5);
    expect(hearingDays('2024-06-17T17:00:00.000Z', '2024-06-17T18:00:00.000Z')).toBe(1);
  });

  it('Art. 36: a five-day hearing moves the decision limit five days later', () => {
    spec(reviewer).given(reReview).when(hearing('2024-06-17T01:00:00.000Z', '2024-06-21T09:00:00.000Z')).then([{
      type: A.HearingRecorded,
      data: {
        appealId: 'a-2', heldFrom: '2024-06-17T01:00:00.000Z', heldTo: '2024-06-21T09:00:00.000Z', days: 5, summary: '听取双方意见',
        previousDueAt: '2024-07-03T15:59:59.999Z', decisionDueAt: '2024-07-08T15:59:59.999Z',
      },
    } as AppealEvent]);
  });

  it('Art. 36: a decision after 30 日 but within the hearing days is in time', () => {
    const held = at('2024-06-21T10:00:00.000Z', {
      type: A.HearingRecorded,
      data: { appealId: 'a-2', heldFrom: 'x', heldTo: 'x', days: 5, summary: 'x', previousDueAt: 'x', decisionDueAt: '2024-07-08T15:59:59.999Z' },
    } as AppealEvent, '510000-slt');
    spec(reviewer).given(reReview, held).when(decision('2024-07-06T01:00:00.000Z')).then((e) => expect(e[0].data).toMatchObject({ withinLimit: true }));
    spec(reviewer).given(reReview, held).when(hearing('2024-06-24T01:00:00.000Z', '2024-06-24T02:00:00.000Z', '2024-06-25T00:00:00.000Z'))
      .thenRefuses('HEARING_ALREADY_RECORDED', 'Art. 36');
  });

  it('Art. 36: no hearing in a 复查, none before the request, none starting after the limit, none ending before it starts', () => {
    spec(appealDecider('511600-slj')).given(review).when({ ...hearing('2024-06-17T01:00:00.000Z', '2024-06-18T01:00:00.000Z'), appealId: 'a-1' })
      .thenRefuses('HEARING_ONLY_IN_RE_REVIEW', 'Art. 36');
    spec(reviewer).given(reReview).when(hearing('2024-06-01T01:00:00.000Z', '2024-06-05T01:00:00.000Z')).thenRefuses('HEARING_BEFORE_REQUEST');
    spec(reviewer).given(reReview).when(hearing('2024-07-04T01:00:00.000Z', '2024-07-05T01:00:00.000Z')).thenRefuses('HEARING_AFTER_LIMIT');
    spec(reviewer).given(reReview).when(hearing('2024-06-18T01:00:00.000Z', '2024-06-17T01:00:00.000Z')).thenRefuses('INVALID_HEARING_PERIOD');
  });
});
