import type { Agency, AgencyKind, Department, Division, JointConference, RegistryData } from './model';

/**
 * The divisions and agencies Lianban serves (DESIGN 4.4), as data.
 *
 * Sources: division codes are the 行政区划代码 of GB/T 2260 as published by the Ministry of Civil
 * Affairs (民政部 县级以上行政区划代码). Agency names follow the names these bodies use for
 * themselves; department codes are this project's own (`xfb` 信访办, `xfj` 信访局, `rsj` 人社局,
 * `zjw` 住建委, `slj` 水利局, `slt` 水利厅, `sw` 水务局, `zfw` 政法委, `jw` 纪委监委).
 *
 * Horizon: every record below starts at REGISTRY_HORIZON. The registry records nothing before
 * it, and nothing in Lianban needs to: no case predates the 2020 working-day calendar. The real
 * founding dates are older (重庆直辖市 1997-06-18; 綦江区 in its present form 2011, when it took
 * over code 500110 from the former 万盛区) and are deliberately not written as validFrom:
 * a horizon that says "not recorded" is better than a guessed date.
 *
 * No rename is recorded here: we know of none within the horizon for these bodies that we can
 * source with certainty. Renames are supported (`names` over time) and exercised by a clearly
 * labelled fixture in the specs instead of invented history here.
 *
 * The one change recorded is the project's November 2025 reorganisation (DESIGN 4.4): 渝北区
 * was abolished and its northern towns (大湾, 统景, 大盛, 兴隆, 茨竹) moved to 北碚区. This project
 * uses 2025-11-01 as its effective date. 北碚区 (500109) is the successor of the division, and
 * each 渝北区 agency is succeeded by its 北碚区 counterpart, which inherits its open tasks.
 */

export const REGISTRY_HORIZON = '2019-01-01';
/** the date this project uses for the abolition of 渝北区 */
export const YUBEI_ABOLISHED = '2025-11-01';

export const SEED_DEPARTMENTS: readonly Department[] = [
  { code: 'xfb', sector: 'petition', kind: 'petition-bureau', label: '信访办公室' },
  { code: 'xfj', sector: 'petition', kind: 'petition-bureau', label: '信访局' },
  { code: 'rsj', sector: 'human-resources', kind: 'functional', label: '人力资源和社会保障局' },
  { code: 'zjw', sector: 'housing', kind: 'functional', label: '住房和城乡建设委员会' },
  { code: 'slj', sector: 'water', kind: 'functional', label: '水利局' },
  { code: 'slt', sector: 'water', kind: 'functional', label: '水利厅' },
  { code: 'sw', sector: 'water', kind: 'functional', label: '水务局' },
  { code: 'zfw', sector: 'politics-law', kind: 'politics-law', label: '党委政法委员会' },
  { code: 'jw', sector: 'discipline', kind: 'discipline', label: '纪律检查委员会、监察委员会' },
];

const KIND_OF: Record<string, AgencyKind> = Object.fromEntries(SEED_DEPARTMENTS.map((d) => [d.code, d.kind]));

function division(
  code: string,
  name: string,
  level: Division['level'],
  parentCode?: string,
  end?: { validTo: string; successorCode: string },
): Division {
  return {
    code,
    names: [{ from: REGISTRY_HORIZON, name }],
    ...(parentCode ? { parentCode } : {}),
    level,
    validFrom: REGISTRY_HORIZON,
    ...end,
  };
}

function agency(
  divisionCode: string,
  departmentCode: string,
  name: string,
  shortName: string,
  end?: { validTo: string; successorId: string },
): Agency {
  return {
    id: `${divisionCode}-${departmentCode}`,
    departmentCode,
    divisionCode,
    kind: KIND_OF[departmentCode],
    names: [{ from: REGISTRY_HORIZON, name, shortName }],
    validFrom: REGISTRY_HORIZON,
    ...end,
  };
}

const toBeibei = (department: string) => ({ validTo: YUBEI_ABOLISHED, successorId: `500109-${department}` });

export const SEED_DIVISIONS: readonly Division[] = [
  // 重庆市 is a 直辖市: its districts and counties sit directly under it, with no city level
  division('500000', '重庆市', 'province'),
  division('500109', '北碚区', 'district', '500000'),
  division('500110', '綦江区', 'district', '500000'),
  division('500112', '渝北区', 'district', '500000', { validTo: YUBEI_ABOLISHED, successorCode: '500109' }),
  division('500233', '忠县', 'county', '500000'),
  division('510000', '四川省', 'province'),
  division('510100', '成都市', 'city', '510000'),
  division('511600', '广安市', 'city', '510000'),
  division('511623', '邻水县', 'county', '511600'),
];

export const SEED_AGENCIES: readonly Agency[] = [
  // 重庆市
  agency('500000', 'xfb', '重庆市信访办公室', '重庆市信访办'),
  agency('500000', 'rsj', '重庆市人力资源和社会保障局', '重庆市人社局'),
  agency('500000', 'zjw', '重庆市住房和城乡建设委员会', '重庆市住建委'),
  agency('500000', 'slj', '重庆市水利局', '重庆市水利局'),
  agency('500000', 'zfw', '中共重庆市委政法委员会', '重庆市委政法委'),
  agency('500000', 'jw', '中共重庆市纪律检查委员会、重庆市监察委员会', '重庆市纪委监委'),

  // 渝北区, abolished 2025-11-01; each agency is succeeded by its 北碚区 counterpart
  agency('500112', 'xfb', '渝北区信访办公室', '渝北区信访办', toBeibei('xfb')),
  agency('500112', 'rsj', '渝北区人力资源和社会保障局', '渝北区人社局', toBeibei('rsj')),
  agency('500112', 'zjw', '渝北区住房和城乡建设委员会', '渝北区住建委', toBeibei('zjw')),
  agency('500112', 'slj', '渝北区水利局', '渝北区水利局', toBeibei('slj')),
  agency('500112', 'zfw', '中共渝北区委政法委员会', '渝北区委政法委', toBeibei('zfw')),
  agency('500112', 'jw', '中共渝北区纪律检查委员会、渝北区监察委员会', '渝北区纪委监委', toBeibei('jw')),

  // 北碚区: the counterparts, including 政法委 and 纪委监委 so that every 渝北区 agency has one
  agency('500109', 'xfb', '北碚区信访办公室', '北碚区信访办'),
  agency('500109', 'rsj', '北碚区人力资源和社会保障局', '北碚区人社局'),
  agency('500109', 'zjw', '北碚区住房和城乡建设委员会', '北碚区住建委'),
  agency('500109', 'slj', '北碚区水利局', '北碚区水利局'),
  agency('500109', 'zfw', '中共北碚区委政法委员会', '北碚区委政法委'),
  agency('500109', 'jw', '中共北碚区纪律检查委员会、北碚区监察委员会', '北碚区纪委监委'),

  agency('500110', 'xfb', '綦江区信访办公室', '綦江区信访办'),
  agency('500233', 'xfb', '忠县信访办公室', '忠县信访办'),

  // 四川省
  agency('510000', 'xfj', '四川省信访局', '四川省信访局'),
  agency('510000', 'slt', '四川省水利厅', '四川省水利厅'),
  agency('510000', 'zfw', '中共四川省委政法委员会', '四川省委政法委'),
  agency('510000', 'jw', '中共四川省纪律检查委员会、四川省监察委员会', '四川省纪委监委'),
  agency('510100', 'xfj', '成都市信访局', '成都市信访局'),
  agency('511600', 'xfj', '广安市信访局', '广安市信访局'),
  agency('511600', 'slj', '广安市水利局', '广安市水利局'),
  // a county's water agency is a 水务局 (code sw); its line above is 广安市水利局
  agency('511623', 'xfj', '邻水县信访局', '邻水县信访局'),
  agency('511623', 'sw', '邻水县水务局', '邻水县水务局'),
  agency('511623', 'zfw', '中共邻水县委政法委员会', '邻水县委政法委'),
];

export const JOINT_CONFERENCE: JointConference = {
  kind: 'joint-conference',
  id: 'cy-lxhy',
  name: '川渝信访工作联席会议',
};

export const SEED_DATA: RegistryData = {
  divisions: SEED_DIVISIONS,
  departments: SEED_DEPARTMENTS,
  agencies: SEED_AGENCIES,
  jointConference: JOINT_CONFERENCE,
};
