import { Registry, RegistryError, regionOfAgency, regionOfCode, SEED_AGENCIES, type Agency, type Division, type RegistryData } from '.';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof RegistryError) return e.code;
    throw e;
  }
  return undefined;
}

describe('Registry on the seed data', () => {
  const registry = new Registry();

  describe('agencies over time', () => {
    it('shows 渝北区人社局 as it was in 2021', () => {
      expect(registry.agency('500112-rsj', '2021-06-01')).toEqual({
        id: '500112-rsj',
        name: '渝北区人力资源和社会保障局',
        shortName: '渝北区人社局',
        departmentCode: 'rsj',
        divisionCode: '500112',
        region: 'cq',
        kind: 'functional',
        validFrom: '2019-01-01',
        validTo: '2025-11-01',
        successorId: '500109-rsj',
      });
      expect(registry.isActive('500112-rsj', '2021-06-01')).toBe(true);
    });

    it('still returns 渝北区人社局 in 2026, but no longer in force', () => {
      expect(registry.agency('500112-rsj', '2026-01-01')?.name).toBe('渝北区人力资源和社会保障局');
      expect(registry.isActive('500112-rsj', '2026-01-01')).toBe(false);
    });

    it('ends 渝北区 agencies at the start of 2025-11-01 China time', () => {
      expect(registry.isActive('500112-rsj', '2025-10-31')).toBe(true);
      expect(registry.isActive('500112-rsj', '2025-10-31T15:59:59.999Z')).toBe(true);
      expect(registry.isActive('500112-rsj', '2025-10-31T16:00:00Z')).toBe(false);
      expect(registry.isActive('500112-rsj', '2025-11-01T00:00:00+08:00')).toBe(false);
      expect(registry.isActive('500112-rsj', new Date('2025-10-31T23:00:00+08:00'))).toBe(true);
      expect(registry.isActive('500109-rsj', '2025-11-01')).toBe(true);
    });

    it('answers undefined / false for an unknown agency', () => {
      expect(registry.agency('500112-xyz')).toBeUndefined();
      expect(registry.isActive('500112-xyz', '2021-01-01')).toBe(false);
    });

    it('lists the agencies in force at a moment, by id', () => {
      const in2021 = registry.agencies('2021-06-01').map((a) => a.id);
      const in2026 = registry.agencies('2026-01-01').map((a) => a.id);
      expect(in2021).toHaveLength(SEED_AGENCIES.length);
      expect(in2021).toEqual([...in2021].sort());
      expect(in2021).toContain('500112-rsj');
      expect(in2026.filter((id) => id.startsWith('500112-'))).toEqual([]);
      expect(in2026).toHaveLength(SEED_AGENCIES.length - 6);
      expect(in2026).toEqual(expect.arrayContaining(['500109-rsj', '511623-sw', '510000-xfj']));
      // the registry records nothing before its horizon
      expect(registry.agencies('2018-06-01')).toEqual([]);
    });

    it('holds every agency named in the brief', () => {
      const expected = [
        '500112-xfb', '500112-rsj', '500112-zjw', '500112-slj', '500112-zfw', '500112-jw',
        '500110-xfb', '500233-xfb', '500109-xfb', '500109-rsj', '500109-zjw', '500109-slj',
        '500000-xfb', '500000-rsj', '500000-zjw', '500000-slj', '500000-zfw',
        '510000-xfj', '510000-slt', '511600-xfj', '511600-slj', '511623-xfj', '511623-sw', '511623-zfw',
      ];
      for (const id of expected) expect([id, registry.agency(id)?.id]).toEqual([id, id]);
    });

    it('gives every 渝北区 agency its 北碚区 counterpart as successor', () => {
      for (const a of SEED_AGENCIES.filter((x) => x.divisionCode === '500112')) {
        expect([a.id, a.validTo, a.successorId]).toEqual([a.id, '2025-11-01', `500109-${a.departmentCode}`]);
      }
    });
  });

  describe('divisions', () => {
    it('places 渝北区 directly under 重庆市 (no city level in a 直辖市)', () => {
      expect(registry.division('500112', '2021-01-01')).toEqual({
        code: '500112',
        name: '渝北区',
        level: 'district',
        parentCode: '500000',
        region: 'cq',
        validFrom: '2019-01-01',
        validTo: '2025-11-01',
        successorCode: '500109',
      });
      expect(registry.parentDivision('500112')?.code).toBe('500000');
      expect(registry.parentDivision('500233')?.name).toBe('重庆市');
    });

    it('places 邻水县 under 广安市 under 四川省', () => {
      expect(registry.parentDivision('511623')?.code).toBe('511600');
      expect(registry.parentDivision('511600')?.code).toBe('510000');
      expect(registry.parentDivision('510000')).toBeUndefined();
      expect(registry.division('511623')?.level).toBe('county');
      expect(registry.division('510100')?.level).toBe('city');
    });

    it('knows 渝北区 was abolished on 2025-11-01', () => {
      expect(registry.isDivisionActive('500112', '2025-10-31')).toBe(true);
      expect(registry.isDivisionActive('500112', '2025-11-01')).toBe(false);
      expect(registry.divisions('2026-01-01').map((d) => d.code)).not.toContain('500112');
      expect(registry.divisions('2026-01-01').map((d) => d.code)).toContain('500109');
    });

    it('answers undefined for an unknown division, and refuses to find its parent', () => {
      expect(registry.division('500101')).toBeUndefined();
      expect(codeOf(() => registry.parentDivision('500101'))).toBe('UNKNOWN_DIVISION');
    });

    it('has a petition bureau in every division in force', () => {
      for (const at of ['2021-01-01', '2026-01-01']) {
        for (const d of registry.divisions(at)) {
          expect([at, d.code, registry.petitionBureauOf(d.code, at)?.kind]).toEqual([at, d.code, 'petition-bureau']);
        }
      }
    });
  });

  describe('regionOf', () => {
    it('reads the region from the first two digits', () => {
      expect(registry.regionOf('500112-rsj')).toBe('cq');
      expect(registry.regionOf('500000')).toBe('cq');
      expect(registry.regionOf('511623-sw')).toBe('sc');
      expect(registry.regionOf('510100')).toBe('sc');
      // also for codes the registry does not hold (万州区)
      expect(regionOfCode('500101-xfb')).toBe('cq');
    });

    it('refuses other provinces and malformed codes', () => {
      expect(codeOf(() => registry.regionOf('440100'))).toBe('UNKNOWN_REGION');
      expect(codeOf(() => registry.regionOf('5001'))).toBe('INVALID_CODE');
      expect(codeOf(() => registry.regionOf('500112_rsj'))).toBe('INVALID_CODE');
    });

    it('names no region, rather than refusing, for an agency id that has none', () => {
      expect(regionOfAgency('511623-sw')).toBe('sc');
      expect(regionOfAgency('500101-xfb')).toBe('cq');
      expect(regionOfAgency('440100-gaj')).toBeUndefined();
      expect(regionOfAgency('joint-conference')).toBeUndefined();
      expect(regionOfAgency('50abc')).toBeUndefined();
    });
  });

  describe('petitionBureauOf', () => {
    it('finds the 信访办 / 信访局 of a division', () => {
      expect(registry.petitionBureauOf('500112', '2021-01-01')?.id).toBe('500112-xfb');
      expect(registry.petitionBureauOf('511623', '2021-01-01')?.id).toBe('511623-xfj');
      expect(registry.petitionBureauOf('510000', '2021-01-01')?.name).toBe('四川省信访局');
    });

    it('sends 渝北区 matters to 北碚区 after the abolition', () => {
      expect(registry.petitionBureauOf('500112', '2026-01-01')?.id).toBe('500109-xfb');
    });

    it('refuses an unknown division', () => {
      expect(codeOf(() => registry.petitionBureauOf('500101', '2021-01-01'))).toBe('UNKNOWN_DIVISION');
    });
  });

  describe('successorAt', () => {
    it('follows 渝北区人社局 to 北碚区人社局 after 2025-11-01', () => {
      expect(registry.successorAt('500112-rsj', '2026-01-01')).toBe('500109-rsj');
      expect(registry.successorAt('500112-xfb', '2025-11-01')).toBe('500109-xfb');
    });

    it('is the agency itself while it is in force', () => {
      expect(registry.successorAt('500112-rsj', '2021-01-01')).toBe('500112-rsj');
      expect(registry.successorAt('500109-rsj', '2026-01-01')).toBe('500109-rsj');
    });

    it('is undefined before the agency existed', () => {
      expect(registry.successorAt('500112-rsj', '2018-01-01')).toBeUndefined();
    });

    it('refuses an unknown agency', () => {
      expect(codeOf(() => registry.successorAt('500112-xyz', '2026-01-01'))).toBe('UNKNOWN_AGENCY');
    });
  });

  describe('levelAbove', () => {
    it('takes the same department one level up: 500112-rsj → 500000-rsj', () => {
      expect(registry.levelAbove('500112-rsj', '2021-01-01')?.id).toBe('500000-rsj');
      expect(registry.levelAbove('500110-xfb', '2021-01-01')?.id).toBe('500000-xfb');
      expect(registry.levelAbove('511623-xfj', '2021-01-01')?.id).toBe('511600-xfj');
    });

    it('follows the sector when the code changes: 水务局 → 水利局 → 水利厅', () => {
      expect(registry.levelAbove('511623-sw', '2021-01-01')?.id).toBe('511600-slj');
      expect(registry.levelAbove('511600-slj', '2021-01-01')?.id).toBe('510000-slt');
    });

    it('falls back to the petition bureau of the parent division', () => {
      // 广安市 has no 政法委 in the registry
      expect(registry.levelAbove('511623-zfw', '2021-01-01')?.id).toBe('511600-xfj');
    });

    it('answers for the successor of an abolished agency', () => {
      expect(registry.levelAbove('500112-rsj', '2026-01-01')?.id).toBe('500000-rsj');
    });

    it('is undefined above a province', () => {
      expect(registry.levelAbove('500000-rsj', '2021-01-01')).toBeUndefined();
      expect(registry.levelAbove('510000-slt', '2021-01-01')).toBeUndefined();
    });

    it('refuses an unknown agency', () => {
      expect(codeOf(() => registry.levelAbove('500112-xyz', '2021-01-01'))).toBe('UNKNOWN_AGENCY');
    });
  });

  describe('commonSuperior', () => {
    it('two agencies of one district: that district, decided by its petition bureau', () => {
      expect(registry.commonSuperior(['500112-rsj', '500112-xfb'], '2021-01-01')).toEqual({
        kind: 'division',
        divisionCode: '500112',
        deciderId: '500112-xfb',
      });
      expect(registry.commonSuperior(['500112-rsj', '500112-zjw', '500112-slj'], '2021-01-01').deciderId).toBe('500112-xfb');
    });

    it('agencies of different districts of 重庆: the municipality', () => {
      expect(registry.commonSuperior(['500112-rsj', '500110-xfb'], '2021-01-01')).toEqual({
        kind: 'division',
        divisionCode: '500000',
        deciderId: '500000-xfb',
      });
      expect(registry.commonSuperior(['500112-rsj', '500000-rsj'], '2021-01-01').deciderId).toBe('500000-xfb');
    });

    it('agencies of a county and its city: the city', () => {
      expect(registry.commonSuperior(['511623-sw', '511600-slj'], '2021-01-01')).toEqual({
        kind: 'division',
        divisionCode: '511600',
        deciderId: '511600-xfj',
      });
      expect(registry.commonSuperior(['511623-sw', '510100-xfj'], '2021-01-01')).toEqual({
        kind: 'division',
        divisionCode: '510000',
        deciderId: '510000-xfj',
      });
    });

    it('agencies in 重庆 and 四川: the joint conference', () => {
      expect(registry.commonSuperior(['500112-slj', '511623-sw'], '2021-01-01')).toEqual({
        kind: 'joint-conference',
        deciderId: 'cy-lxhy',
      });
      expect(registry.decider('cy-lxhy')).toEqual({ kind: 'joint-conference', id: 'cy-lxhy', name: '川渝信访工作联席会议' });
    });

    it('after the abolition, 渝北区 agencies are represented by their 北碚区 successors', () => {
      expect(registry.commonSuperior(['500112-rsj', '500112-zjw'], '2026-01-01')).toEqual({
        kind: 'division',
        divisionCode: '500109',
        deciderId: '500109-xfb',
      });
      expect(registry.commonSuperior(['500112-rsj', '500110-xfb'], '2026-01-01').deciderId).toBe('500000-xfb');
    });

    it('refuses no agencies, unknown ones, and ones with no agency in force', () => {
      expect(codeOf(() => registry.commonSuperior([], '2021-01-01'))).toBe('INVALID_ARGUMENT');
      expect(codeOf(() => registry.commonSuperior(['500112-rsj', '500112-xyz'], '2021-01-01'))).toBe('UNKNOWN_AGENCY');
      expect(codeOf(() => registry.commonSuperior(['500112-rsj', '500112-xfb'], '2018-01-01'))).toBe('INACTIVE_AGENCY');
    });
  });

  describe('politicsLawAgencyFor and disciplineAgencyFor', () => {
    it('take the division’s own 政法委 / 纪委监委', () => {
      expect(registry.politicsLawAgencyFor('500112', '2021-01-01')?.id).toBe('500112-zfw');
      expect(registry.politicsLawAgencyFor('511623', '2021-01-01')?.id).toBe('511623-zfw');
      expect(registry.disciplineAgencyFor('500112', '2021-01-01')?.shortName).toBe('渝北区纪委监委');
    });

    it('fall back up the hierarchy', () => {
      expect(registry.politicsLawAgencyFor('500110', '2021-01-01')?.id).toBe('500000-zfw');
      expect(registry.politicsLawAgencyFor('511600', '2021-01-01')?.id).toBe('510000-zfw');
      expect(registry.disciplineAgencyFor('500233', '2021-01-01')?.id).toBe('500000-jw');
      expect(registry.disciplineAgencyFor('511623', '2021-01-01')?.id).toBe('510000-jw');
    });

    it('send 渝北区 matters to 北碚区 after the abolition', () => {
      expect(registry.politicsLawAgencyFor('500112', '2026-01-01')?.id).toBe('500109-zfw');
      expect(registry.disciplineAgencyFor('500112', '2026-01-01')?.id).toBe('500109-jw');
    });

    it('refuse an unknown division', () => {
      expect(codeOf(() => registry.disciplineAgencyFor('500101', '2021-01-01'))).toBe('UNKNOWN_DIVISION');
    });
  });

  describe('moments', () => {
    it('refuses what is not an ISO date or a moment with an offset', () => {
      expect(codeOf(() => registry.agencies('2021-13-01'))).toBe('INVALID_DATE');
      expect(codeOf(() => registry.agencies('2021-02-30'))).toBe('INVALID_DATE');
      // the machine's time zone must not decide the answer
      expect(codeOf(() => registry.isActive('500112-rsj', '2025-10-31T23:00:00'))).toBe('INVALID_DATE');
      expect(codeOf(() => registry.agency('500112-rsj', 'today'))).toBe('INVALID_DATE');
      expect(codeOf(() => registry.agencies(new Date(Number.NaN)))).toBe('INVALID_DATE');
    });
  });
});

/*
 * FIXTURE — invented divisions and agencies, NOT history. The codes 500190–500193 are unused
 * and the names (示例县/示例区, 甲区, 乙区, 丙区) are made up. They exist to exercise what the seed
 * does not contain: renames, a merge of two divisions into one, and a chain of successions.
 */
function fixture(): RegistryData {
  const division = (code: string, names: Division['names'], extra: Partial<Division> = {}): Division => ({
    code,
    names,
    parentCode: '500000',
    level: 'district',
    validFrom: names[0].from,
    ...extra,
  });
  const agency = (divisionCode: string, departmentCode: string, names: Agency['names'], extra: Partial<Agency> = {}): Agency => ({
    id: `${divisionCode}-${departmentCode}`,
    departmentCode,
    divisionCode,
    kind: departmentCode === 'xfb' ? 'petition-bureau' : 'functional',
    names,
    validFrom: names[0].from,
    ...extra,
  });
  const named = (from: string, name: string, shortName?: string) => [{ from, name, ...(shortName ? { shortName } : {}) }];
  return {
    divisions: [
      division('500000', named('2010-01-01', '重庆市'), { parentCode: undefined, level: 'province' }),
      division('500190', [
        { from: '2010-01-01', name: '示例县' },
        { from: '2020-06-01', name: '示例区' },
      ]),
      // 甲区 and 丙区 merge into 乙区 on 2022-01-01; 乙区 joins 示例区 on 2024-01-01
      division('500191', named('2010-01-01', '甲区'), { validTo: '2022-01-01', successorCode: '500192' }),
      division('500193', named('2010-01-01', '丙区'), { validTo: '2022-01-01', successorCode: '500192' }),
      division('500192', named('2022-01-01', '乙区'), { validTo: '2024-01-01', successorCode: '500190' }),
    ],
    departments: [
      { code: 'xfb', sector: 'petition', kind: 'petition-bureau', label: '信访办公室' },
      { code: 'rsj', sector: 'human-resources', kind: 'functional', label: '人力资源和社会保障局' },
    ],
    agencies: [
      agency('500000', 'xfb', named('2010-01-01', '重庆市信访办公室')),
      agency('500190', 'xfb', named('2010-01-01', '示例县信访办公室')),
      agency('500190', 'rsj', [
        { from: '2010-01-01', name: '示例县劳动局' },
        { from: '2019-03-01', name: '示例县人力资源和社会保障局', shortName: '示例县人社局' },
        { from: '2020-06-01', name: '示例区人力资源和社会保障局', shortName: '示例区人社局' },
      ]),
      agency('500191', 'xfb', named('2010-01-01', '甲区信访办公室'), { validTo: '2022-01-01', successorId: '500192-xfb' }),
      agency('500191', 'rsj', named('2010-01-01', '甲区人社局'), { validTo: '2022-01-01', successorId: '500192-rsj' }),
      agency('500193', 'xfb', named('2010-01-01', '丙区信访办公室'), { validTo: '2022-01-01', successorId: '500192-xfb' }),
      agency('500193', 'rsj', named('2010-01-01', '丙区人社局'), { validTo: '2022-01-01', successorId: '500192-rsj' }),
      agency('500192', 'xfb', named('2022-01-01', '乙区信访办公室'), { validTo: '2024-01-01', successorId: '500190-xfb' }),
      agency('500192', 'rsj', named('2022-01-01', '乙区人社局'), { validTo: '2024-01-01', successorId: '500190-rsj' }),
    ],
    jointConference: { kind: 'joint-conference', id: 'cy-lxhy', name: '川渝信访工作联席会议' },
  };
}

describe('Registry on a FIXTURE with renames, a merge and a succession chain (invented data)', () => {
  const registry = new Registry(fixture());

  it('names an agency by the name valid at the moment asked', () => {
    expect(registry.agency('500190-rsj', '2018-12-31')?.name).toBe('示例县劳动局');
    expect(registry.agency('500190-rsj', '2018-12-31')?.shortName).toBe('示例县劳动局');
    expect(registry.agency('500190-rsj', '2019-03-01')?.shortName).toBe('示例县人社局');
    expect(registry.agency('500190-rsj', '2021-01-01')?.name).toBe('示例区人力资源和社会保障局');
    // without a moment: the latest name
    expect(registry.agency('500190-rsj')?.name).toBe('示例区人力资源和社会保障局');
    // a rename does not change identity or validity
    expect(registry.isActive('500190-rsj', '2018-12-31')).toBe(true);
  });

  it('names a division by the name valid at the moment asked', () => {
    expect(registry.division('500190', '2020-05-31')?.name).toBe('示例县');
    expect(registry.division('500190', '2020-06-01')?.name).toBe('示例区');
    expect(registry.parentDivision('500190', '2015-01-01')?.name).toBe('重庆市');
  });

  it('follows a chain of successions, and a merge, to the agency in force', () => {
    expect(registry.successorAt('500191-rsj', '2021-12-31')).toBe('500191-rsj');
    expect(registry.successorAt('500191-rsj', '2023-01-01')).toBe('500192-rsj');
    expect(registry.successorAt('500193-rsj', '2023-01-01')).toBe('500192-rsj');
    expect(registry.successorAt('500191-rsj', '2025-01-01')).toBe('500190-rsj');
    expect(registry.successorAt('500192-rsj', '2021-01-01')).toBeUndefined();
  });

  it('follows the succession of divisions', () => {
    expect(registry.petitionBureauOf('500191', '2021-01-01')?.id).toBe('500191-xfb');
    expect(registry.petitionBureauOf('500191', '2023-01-01')?.id).toBe('500192-xfb');
    expect(registry.petitionBureauOf('500191', '2025-01-01')?.id).toBe('500190-xfb');
  });

  it('finds the common superior before and after a merge', () => {
    expect(registry.commonSuperior(['500191-rsj', '500193-rsj'], '2021-01-01')).toEqual({
      kind: 'division',
      divisionCode: '500000',
      deciderId: '500000-xfb',
    });
    expect(registry.commonSuperior(['500191-rsj', '500193-rsj'], '2023-01-01')).toEqual({
      kind: 'division',
      divisionCode: '500192',
      deciderId: '500192-xfb',
    });
  });

  it('falls back to the parent’s petition bureau when the parent has no such department', () => {
    expect(registry.levelAbove('500190-rsj', '2021-01-01')?.id).toBe('500000-xfb');
  });

  it('has nothing in force before the data starts', () => {
    expect(registry.agencies('2009-12-31')).toEqual([]);
  });
});

describe('Registry refuses data that contradicts itself', () => {
  type Editable = RegistryData & { divisions: Division[]; agencies: Agency[] };
  const refusal = (edit: (d: Editable) => void): { code: string; message: string } | undefined => {
    const data = fixture() as Editable;
    data.divisions = data.divisions.map((d) => ({ ...d }));
    data.agencies = data.agencies.map((a) => ({ ...a }));
    edit(data);
    try {
      new Registry(data);
    } catch (e) {
      if (e instanceof RegistryError) return { code: e.code, message: e.message };
      throw e;
    }
    return undefined;
  };
  const agencyOf = (d: Editable, id: string) => d.agencies.find((a) => a.id === id)!;
  const divisionOf = (d: Editable, code: string) => d.divisions.find((x) => x.code === code)!;

  it('accepts the fixture as it is', () => {
    expect(refusal(() => undefined)).toBeUndefined();
  });

  // each case names the words of the reason, so a case cannot pass by tripping another check
  it.each<[string, string, (d: Editable) => void]>([
    ['an id that is not <division>-<department>', 'the id must be', (d) => void (agencyOf(d, '500190-rsj').id = '500190-hr')],
    ['an agency listed twice', 'listed twice', (d) => void d.agencies.push({ ...agencyOf(d, '500190-rsj') })],
    ['a department that is not listed', 'department slj is not listed', (d) =>
      void d.agencies.push({ ...agencyOf(d, '500190-rsj'), id: '500190-slj', departmentCode: 'slj' })],
    ['a kind that differs from the department', 'differs from its department', (d) => void (agencyOf(d, '500190-rsj').kind = 'discipline')],
    ['an agency in an unknown division', 'division 500199 is not listed', (d) =>
      void d.agencies.push({ ...agencyOf(d, '500190-rsj'), id: '500199-rsj', divisionCode: '500199' })],
    ['an agency outliving its division', "outside its division's validity", (d) => void (agencyOf(d, '500191-rsj').validTo = '2023-01-01')],
    ['a successor not in force when the predecessor ends', 'is not in force on 2021-06-01', (d) =>
      void (agencyOf(d, '500191-rsj').validTo = '2021-06-01')],
    ['a successor on a record that never ends', 'only a record that ends', (d) => void (agencyOf(d, '500190-rsj').successorId = '500000-xfb')],
    ['a successor that is not listed', 'successor 500199-rsj is not listed', (d) => void (agencyOf(d, '500191-rsj').successorId = '500199-rsj')],
    ['validTo not after validFrom', 'is not after validFrom', (d) => void (agencyOf(d, '500192-rsj').validTo = '2022-01-01')],
    ['a first name that does not start on validFrom', 'must start on validFrom', (d) => void (agencyOf(d, '500190-xfb').validFrom = '2011-01-01')],
    ['names out of date order', 'not in date order', (d) =>
      void (agencyOf(d, '500190-rsj').names = [
        { from: '2010-01-01', name: 'a' },
        { from: '2020-06-01', name: 'b' },
        { from: '2019-03-01', name: 'c' },
      ])],
    ['a name starting after the record ends', 'starts after the record ends', (d) =>
      void (agencyOf(d, '500191-rsj').names = [...agencyOf(d, '500191-rsj').names, { from: '2022-01-01', name: 'x' }])],
    ['a malformed date', 'not a date', (d) => void (agencyOf(d, '500190-xfb').names = [{ from: '2010-1-1', name: 'x' }])],
    ['a division with an unknown parent', 'parent 500199 is not listed', (d) => void (divisionOf(d, '500190').parentCode = '500199')],
    ['a division in a province Lianban does not serve', 'no region', (d) =>
      void d.divisions.push({ ...divisionOf(d, '500190'), code: '440100', parentCode: undefined, level: 'province' })],
    ['a province with a parent', 'a province has no parent', (d) => void (divisionOf(d, '500000').parentCode = '500190')],
    ['a division whose parent is in another province', 'in another province', (d) => {
      d.divisions.push({ ...divisionOf(d, '500000'), code: '510000', names: [{ from: '2010-01-01', name: '四川省' }] });
      divisionOf(d, '500190').parentCode = '510000';
    }],
    ['a division outliving its parent', "outside its parent's validity", (d) =>
      void Object.assign(divisionOf(d, '500190'), { validFrom: '2009-01-01', names: [{ from: '2009-01-01', name: '示例县' }] })],
    ['a joint conference id taken by an agency', 'its id is taken', (d) =>
      void (d.jointConference = { ...d.jointConference, id: '500000-xfb' })],
  ])('refuses %s', (_what, reason, edit) => {
    const refused = refusal(edit);
    expect(refused?.code).toBe('INVALID_DATA');
    expect(refused?.message).toContain(reason);
  });
});
