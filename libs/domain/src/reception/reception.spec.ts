import {
  DomainError, findReceptionSession, RECEPTION_SCHEDULES, receptionRecordOf, receptionSessions, receptionSessionsBetween, requireInSession,
  type ReceptionSchedule,
} from '@lianban/domain';

/**
 * 领导接访: leaders receive petitioners on published days. The 条例 asks leaders to receive
 * visitors regularly; DESIGN names no article for it and none is cited here. The rules are
 * data; these tests pin their dates against the official working-day calendar.
 */
const zhongxian = RECEPTION_SCHEDULES.find((s) => s.scheduleId === 'zhongxian-weekly')!;
const qijiang = RECEPTION_SCHEDULES.find((s) => s.scheduleId === 'qijiang-roving')!;
const dates = (s: { date: string }[]) => s.map((x) => x.date);

describe('忠县: every Tuesday and Thursday the city-managed leaders (市管领导) receive the public', () => {
  it('falls on the Tuesdays and Thursdays of October 2024 that are working days — not 10-01 and 10-03 (National Day)', () => {
    expect(dates(receptionSessions(zhongxian, '2024-10-01', '2024-10-31')))
      .toEqual(['2024-10-08', '2024-10-10', '2024-10-15', '2024-10-17', '2024-10-22', '2024-10-24', '2024-10-29', '2024-10-31']);
  });

  it('names the day, the hours in China time, the place and the county as the leader\'s division', () => {
    const [first] = receptionSessions(zhongxian, '2024-10-08', '2024-10-08');
    expect(first).toMatchObject({
      sessionId: 'zhongxian-weekly:2024-10-08', divisionCode: '500233', kind: 'weekly', startsAt: '2024-10-08T01:00:00.000Z', endsAt: '2024-10-08T04:00:00.000Z',
      place: '忠县群众来访接待中心', town: null, leader: { divisionCode: '500233' },
    });
  });

  it('turns the rota session by session, the same whoever asks and for whatever period', () => {
    const month = receptionSessions(zhongxian, '2024-10-01', '2024-10-31');
    const rota = (zhongxian.rule as { rota: { name: string }[] }).rota.map((l) => l.name);
    const at = rota.indexOf(month[0].leader.name);
    expect(month.map((s) => s.leader.name)).toEqual(month.map((_, i) => rota[(at + i) % rota.length]));
    // asking from the middle of the month gives each day the same leader
    expect(receptionSessions(zhongxian, '2024-10-17', '2024-10-31')).toEqual(month.slice(3));
  });
});

describe('綦江区: each quarter a roving reception (巡回接访) through its towns, one a working day', () => {
  it('starts on the first working day from the 10th of the quarter\'s first month, and works on the 调休 Saturday 2024-10-12', () => {
    const q4 = receptionSessions(qijiang, '2024-10-01', '2024-12-31');
    expect(q4.map((s) => [s.date, s.town])).toEqual([
      ['2024-10-10', '古南街道'], ['2024-10-11', '文龙街道'], ['2024-10-12', '三江街道'], ['2024-10-14', '通惠街道'], ['2024-10-15', '东溪镇'],
      ['2024-10-16', '赶水镇'], ['2024-10-17', '打通镇'], ['2024-10-18', '石角镇'], ['2024-10-21', '篆塘镇'], ['2024-10-22', '丁山镇'],
      ['2024-10-23', '永新镇'], ['2024-10-24', '三角镇'],
    ]);
    expect(q4[0]).toMatchObject({ kind: 'roving', place: '古南街道便民服务中心', leader: { name: '罗某', title: '区委书记', divisionCode: '500110' } });
  });

  it('passes over the 2025 Spring Festival and uses its 调休 Sunday 2025-01-26', () => {
    expect(dates(receptionSessions(qijiang, '2025-01-01', '2025-03-31')))
      .toEqual(['2025-01-10', '2025-01-13', '2025-01-14', '2025-01-15', '2025-01-16', '2025-01-17', '2025-01-20', '2025-01-21', '2025-01-22', '2025-01-23', '2025-01-24', '2025-01-26']);
  });

  it('finds a tour under way when the period starts in its middle', () => {
    expect(receptionSessions(qijiang, '2024-10-20', '2024-11-30').map((s) => s.town)).toEqual(['篆塘镇', '丁山镇', '永新镇', '三角镇']);
  });
});

describe('sessions as a petitioner chooses them, and as a clerk registers a visit against one', () => {
  it('lists every district\'s sessions in time order, or one district\'s', () => {
    const all = receptionSessionsBetween(RECEPTION_SCHEDULES, '2024-10-08', '2024-10-11');
    expect(all.map((s) => s.sessionId)).toEqual(['zhongxian-weekly:2024-10-08', 'qijiang-roving:2024-10-10', 'zhongxian-weekly:2024-10-10', 'qijiang-roving:2024-10-11']);
    expect(receptionSessionsBetween(RECEPTION_SCHEDULES, '2024-10-08', '2024-10-11', '500110').map((s) => s.date)).toEqual(['2024-10-10', '2024-10-11']);
  });

  it('finds a session by its id only on a day the schedule holds one', () => {
    const s = findReceptionSession(RECEPTION_SCHEDULES, 'zhongxian-weekly:2024-10-10');
    expect(s && receptionRecordOf(s)).toEqual({
      sessionId: 'zhongxian-weekly:2024-10-10', scheduleId: 'zhongxian-weekly', date: '2024-10-10', place: '忠县群众来访接待中心', town: null, leader: s!.leader,
    });
    expect(findReceptionSession(RECEPTION_SCHEDULES, 'zhongxian-weekly:2024-10-03')).toBeNull();
    expect(findReceptionSession(RECEPTION_SCHEDULES, 'zhongxian-weekly:2024-02-30')).toBeNull();
    expect(findReceptionSession(RECEPTION_SCHEDULES, 'nowhere:2024-10-10')).toBeNull();
    expect(findReceptionSession(RECEPTION_SCHEDULES, 'garbage')).toBeNull();
  });

  it('registers a visit against a session only on the session\'s own day, China time', () => {
    const s = findReceptionSession(RECEPTION_SCHEDULES, 'zhongxian-weekly:2024-10-10')!;
    expect(requireInSession(s, '2024-10-09T16:00:00.000Z')).toEqual(receptionRecordOf(s));
    expect(requireInSession(s, '2024-10-10T15:59:59.999Z').sessionId).toBe(s.sessionId);
    for (const at of ['2024-10-09T15:59:59.999Z', '2024-10-10T16:00:00.000Z']) {
      expect(() => requireInSession(s, at)).toThrow(expect.objectContaining({ code: 'RECEPTION_NOT_IN_SESSION' }) as unknown as DomainError);
    }
  });

  it('holds no session before the schedule took effect, after it ended, or before the 2020 calendar', () => {
    const ended: ReceptionSchedule = { ...zhongxian, validFrom: '2024-10-09', validTo: '2024-10-16' };
    expect(dates(receptionSessions(ended, '2024-10-01', '2024-10-31'))).toEqual(['2024-10-10', '2024-10-15']);
    expect(receptionSessions(zhongxian, '2019-12-01', '2019-12-31')).toEqual([]);
  });
});
