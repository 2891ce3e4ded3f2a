/**
 * China's public holidays (放假) and make-up working days (调休上班), 2020–2026, as the State
 * Council General Office published them in its yearly notice 《国务院办公厅关于XXXX年部分节假日
 * 安排的通知》. One entry per notice; the reference numbers are given so anyone can check a date
 * against the text.
 *
 * Why the data lives here rather than in the `chinese-days` npm package: a deadline of the
 * 条例 is a legal fact, so the dates behind it must be reviewable in this repository, pinned to
 * their source, and change only in a commit that says why. The package (1.5.7) was used as an
 * independent cross-check of every date below while writing them; it is not a dependency.
 *
 * Holidays are inclusive ranges of China-local dates. A weekend day inside a range is off
 * anyway; a weekday inside it is off because of the notice. Make-up working days are weekend
 * days that the notice declares working days ("上班").
 */

export interface HolidayRange {
  /** first day off, YYYY-MM-DD */
  from: string;
  /** last day off, YYYY-MM-DD (inclusive) */
  to: string;
  name: string;
}

export interface YearSchedule {
  year: number;
  /** the notice(s) the dates come from */
  source: string;
  holidays: readonly HolidayRange[];
  /** weekend days that are working days (调休上班) */
  makeUpWorkdays: readonly string[];
}

export const HOLIDAY_SCHEDULES: readonly YearSchedule[] = [
  {
    year: 2020,
    source:
      '国务院办公厅关于2020年部分节假日安排的通知（国办发明电〔2019〕16号，2019-11-21）; ' +
      '国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号，2020-01-26）',
    holidays: [
      { from: '2020-01-01', to: '2020-01-01', name: '元旦' },
      // 16号 gave 01-24..01-30; the COVID-19 extension (1号) ran it to Sun 02-02, work resumed
      // Mon 02-03. That swallowed the make-up Saturday 02-01, so 02-01 is not listed below.
      { from: '2020-01-24', to: '2020-02-02', name: '春节（含延长假期）' },
      { from: '2020-04-04', to: '2020-04-06', name: '清明节' },
      { from: '2020-05-01', to: '2020-05-05', name: '劳动节' },
      { from: '2020-06-25', to: '2020-06-27', name: '端午节' },
      { from: '2020-10-01', to: '2020-10-08', name: '国庆节、中秋节' },
    ],
    makeUpWorkdays: ['2020-01-19', '2020-04-26', '2020-05-09', '2020-06-28', '2020-09-27', '2020-10-10'],
  },
  {
    year: 2021,
    source: '国务院办公厅关于2021年部分节假日安排的通知（国办发明电〔2020〕27号，2020-11-25）',
    holidays: [
      { from: '2021-01-01', to: '2021-01-03', name: '元旦' },
      { from: '2021-02-11', to: '2021-02-17', name: '春节' },
      { from: '2021-04-03', to: '2021-04-05', name: '清明节' },
      { from: '2021-05-01', to: '2021-05-05', name: '劳动节' },
      { from: '2021-06-12', to: '2021-06-14', name: '端午节' },
      { from: '2021-09-19', to: '2021-09-21', name: '中秋节' },
      { from: '2021-10-01', to: '2021-10-07', name: '国庆节' },
    ],
    makeUpWorkdays: ['2021-02-07', '2021-02-20', '2021-04-25', '2021-05-08', '2021-09-18', '2021-09-26', '2021-10-09'],
  },
  {
    year: 2022,
    source: '国务院办公厅关于2022年部分节假日安排的通知（国办发明电〔2021〕11号，2021-10-25）',
    holidays: [
      { from: '2022-01-01', to: '2022-01-03', name: '元旦' },
      { from: '2022-01-31', to: '2022-02-06', name: '春节' },
      { from: '2022-04-03', to: '2022-04-05', name: '清明节' },
      { from: '2022-04-30', to: '2022-05-04', name: '劳动节' },
      { from: '2022-06-03', to: '2022-06-05', name: '端午节' },
      { from: '2022-09-10', to: '2022-09-12', name: '中秋节' },
      { from: '2022-10-01', to: '2022-10-07', name: '国庆节' },
    ],
    makeUpWorkdays: ['2022-01-29', '2022-01-30', '2022-04-02', '2022-04-24', '2022-05-07', '2022-10-08', '2022-10-09'],
  },
  {
    year: 2023,
    source: '国务院办公厅关于2023年部分节假日安排的通知（国办发明电〔2022〕16号，2022-12-08）',
    holidays: [
      // the notice starts 元旦 on Sat 2022-12-31; it is a weekend day in 2022 either way
      { from: '2022-12-31', to: '2023-01-02', name: '元旦' },
      { from: '2023-01-21', to: '2023-01-27', name: '春节' },
      { from: '2023-04-05', to: '2023-04-05', name: '清明节' },
      { from: '2023-04-29', to: '2023-05-03', name: '劳动节' },
      { from: '2023-06-22', to: '2023-06-24', name: '端午节' },
      { from: '2023-09-29', to: '2023-10-06', name: '中秋节、国庆节' },
    ],
    makeUpWorkdays: ['2023-01-28', '2023-01-29', '2023-04-23', '2023-05-06', '2023-06-25', '2023-10-07', '2023-10-08'],
  },
  {
    year: 2024,
    source: '国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号，2023-10-25）',
    holidays: [
      { from: '2024-01-01', to: '2024-01-01', name: '元旦' },
      // 除夕 (Fri 02-09) was only "encouraged" off through annual leave: officially a working day
      { from: '2024-02-10', to: '2024-02-17', name: '春节' },
      { from: '2024-04-04', to: '2024-04-06', name: '清明节' },
      { from: '2024-05-01', to: '2024-05-05', name: '劳动节' },
      { from: '2024-06-10', to: '2024-06-10', name: '端午节' },
      { from: '2024-09-15', to: '2024-09-17', name: '中秋节' },
      { from: '2024-10-01', to: '2024-10-07', name: '国庆节' },
    ],
    makeUpWorkdays: [
      '2024-02-04',
      '2024-02-18',
      '2024-04-07',
      '2024-04-28',
      '2024-05-11',
      '2024-09-14',
      '2024-09-29',
      '2024-10-12',
    ],
  },
  {
    // first year under the 2024 revision of 《全国年节及纪念日放假办法》: 除夕 and 5月2日 became
    // statutory holidays (13 days a year instead of 11)
    year: 2025,
    source: '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024-11-12）',
    holidays: [
      { from: '2025-01-01', to: '2025-01-01', name: '元旦' },
      { from: '2025-01-28', to: '2025-02-04', name: '春节' },
      { from: '2025-04-04', to: '2025-04-06', name: '清明节' },
      { from: '2025-05-01', to: '2025-05-05', name: '劳动节' },
      { from: '2025-05-31', to: '2025-06-02', name: '端午节' },
      { from: '2025-10-01', to: '2025-10-08', name: '国庆节、中秋节' },
    ],
    makeUpWorkdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  {
    year: 2026,
    source: '国务院办公厅关于2026年部分节假日安排的通知（2025-11-04，新华社受权发布）',
    holidays: [
      { from: '2026-01-01', to: '2026-01-03', name: '元旦' },
      { from: '2026-02-15', to: '2026-02-23', name: '春节' },
      { from: '2026-04-04', to: '2026-04-06', name: '清明节' },
      { from: '2026-05-01', to: '2026-05-05', name: '劳动节' },
      { from: '2026-06-19', to: '2026-06-21', name: '端午节' },
      { from: '2026-09-25', to: '2026-09-27', name: '中秋节' },
      { from: '2026-10-01', to: '2026-10-07', name: '国庆节' },
    ],
    makeUpWorkdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
];
