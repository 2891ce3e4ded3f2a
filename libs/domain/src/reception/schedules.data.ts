import type { ReceptionSchedule } from './reception';

/**
 * The published leader-reception schedules (领导接访安排) Lianban serves, as data.
 *
 * The rules are the ones the districts announce: 忠县 — every Tuesday and Thursday the
 * city-managed leaders (市管领导) receive the public at the county's reception centre;
 * 綦江区 — each quarter a roving reception (巡回接访) through the towns and streets.
 *
 * The leaders' names are placeholders (X某): a published rota names real office-holders, and
 * this file is where a bureau keeps its own. The same goes for the places, and for the tour:
 * it lists twelve of 綦江区's streets and towns, not all of them, in an order of our choosing. Schedules start with the working-day calendar (2020); a change of rota is a new
 * schedule record from its effective date, the old one ending the day before (validTo).
 */
export const RECEPTION_SCHEDULES: readonly ReceptionSchedule[] = [
  {
    scheduleId: 'zhongxian-weekly',
    divisionCode: '500233',
    title: '忠县市管领导接访日',
    receivedBy: '市管领导',
    validFrom: '2020-01-01',
    rule: {
      kind: 'weekly',
      weekdays: [2, 4],
      place: '忠县群众来访接待中心',
      hours: { from: '09:00', to: '12:00' },
      rota: [
        { name: '谭某', title: '县委书记' },
        { name: '冉某', title: '县长' },
        { name: '向某', title: '县委副书记' },
        { name: '秦某', title: '常务副县长' },
      ],
    },
  },
  {
    scheduleId: 'qijiang-roving',
    divisionCode: '500110',
    title: '綦江区领导巡回接访',
    receivedBy: '区领导',
    validFrom: '2020-01-01',
    rule: {
      kind: 'quarterly-roving',
      startDay: 10,
      hours: { from: '09:00', to: '12:00' },
      towns: [
        { town: '古南街道', place: '古南街道便民服务中心', leader: { name: '罗某', title: '区委书记' } },
        { town: '文龙街道', place: '文龙街道便民服务中心', leader: { name: '张某', title: '区长' } },
        { town: '三江街道', place: '三江街道便民服务中心', leader: { name: '李某', title: '区委副书记' } },
        { town: '通惠街道', place: '通惠街道便民服务中心', leader: { name: '王某', title: '常务副区长' } },
        { town: '东溪镇', place: '东溪镇便民服务中心', leader: { name: '罗某', title: '区委书记' } },
        { town: '赶水镇', place: '赶水镇便民服务中心', leader: { name: '张某', title: '区长' } },
        { town: '打通镇', place: '打通镇便民服务中心', leader: { name: '李某', title: '区委副书记' } },
        { town: '石角镇', place: '石角镇便民服务中心', leader: { name: '王某', title: '常务副区长' } },
        { town: '篆塘镇', place: '篆塘镇便民服务中心', leader: { name: '罗某', title: '区委书记' } },
        { town: '丁山镇', place: '丁山镇便民服务中心', leader: { name: '张某', title: '区长' } },
        { town: '永新镇', place: '永新镇便民服务中心', leader: { name: '李某', title: '区委副书记' } },
        { town: '三角镇', place: '三角镇便民服务中心', leader: { name: '王某', title: '常务副区长' } },
      ],
    },
  },
];
