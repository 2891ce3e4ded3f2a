import { normaliseIdNumber, normalisePhone, petitionerKeys } from './petitioner-keys';

describe('petitioner keys (Art. 19, DESIGN 3.3)', () => {
  it('normalises the ways people write the same ID number and phone', () => {
    expect(normaliseIdNumber('50011219800101001x')).toBe('50011219800101001X');
    expect(normaliseIdNumber(' 500112 19800101 001X ')).toBe('50011219800101001X');
    expect(normaliseIdNumber('123')).toBeNull();
    for (const written of ['13900000001', '+86 139-0000-0001', '0086 139 0000 0001', '86-13900000001']) expect(normalisePhone(written)).toBe('13900000001');
    expect(normalisePhone('023-6789-1234')).toBe('02367891234');
  });

  it('gives the same keys for the same person however written, and never the number in clear', () => {
    const a = petitionerKeys('secret-one-16chars', { idNumber: '50011219800101001x', phone: '+86 139 0000 0001' });
    const b = petitionerKeys('secret-one-16chars', { idNumber: '50011219800101001X', phone: '13900000001' });
    expect(a).toEqual(b);
    expect(a.map((k) => k.kind)).toEqual(['idNumber', 'phone']);
    expect(JSON.stringify(a)).not.toMatch(/13900000001|50011219800101001/);
  });

  it('keys under another secret differ, and an ID number never matches a phone', () => {
    const one = petitionerKeys('secret-one-16chars', { phone: '13900000001' });
    expect(petitionerKeys('secret-two-16chars', { phone: '13900000001' })).not.toEqual(one);
    expect(petitionerKeys('secret-one-16chars', {})).toEqual([]);
  });
});
