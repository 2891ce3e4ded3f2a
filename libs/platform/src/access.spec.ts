import type { Principal } from '@lianban/auth';
import type { CaseFile } from '@lianban/domain';
import { canReadCase } from './access';

/** Only the fields canReadCase looks at: a cq case worked by 500109-slj and, if joint, 511623-sw. */
function caseFile(agencies: string[]): CaseFile {
  return {
    caseId: 'c-1', region: 'cq', tasks: agencies.map((agencyId) => ({ agencyId })), appeals: [], supervisions: [], disputes: [],
  } as unknown as CaseFile;
}
const bureau = (role: Principal['role'], region: 'cq' | 'sc', agency?: string): Principal => ({ sub: `${role}-${region}`, role, region, ...(agency ? { agency } : {}) }) as Principal;

describe('who reads a case across the provincial line (DESIGN 6)', () => {
  const joint = caseFile(['500109-slj', '511623-sw']);
  const cqOnly = caseFile(['500109-slj']);

  it("lets Sichuan's bureau and analysts read a Chongqing case one of Sichuan's agencies works", () => {
    for (const role of ['analyst', 'coordinator', 'supervisor'] as const) expect(canReadCase(bureau(role, 'sc', '511623-xfj'), joint)).toBe(true);
  });

  it("keeps a Chongqing case with no Sichuan agency from Sichuan's bureau", () => {
    expect(canReadCase(bureau('analyst', 'sc'), cqOnly)).toBe(false);
    expect(canReadCase(bureau('coordinator', 'sc', '511623-xfj'), cqOnly)).toBe(false);
  });

  it('still gives a region its own cases and an agency only the cases it works', () => {
    expect(canReadCase(bureau('analyst', 'cq'), cqOnly)).toBe(true);
    expect(canReadCase({ sub: 'w', role: 'caseworker', agency: '511623-sw', region: 'sc' } as Principal, cqOnly)).toBe(false);
    expect(canReadCase({ sub: 'w', role: 'caseworker', agency: '511623-sw', region: 'sc' } as Principal, joint)).toBe(true);
  });

  it("lets the other province's bureau read a case before the joint conference, and looks its members up only then", () => {
    const disputed = { ...cqOnly, disputes: [{ deciderKind: 'joint-conference', deciderId: 'joint-conference', parties: ['500109-slj', '500112-rsj'] }] } as unknown as CaseFile;
    let lookups = 0;
    const members = () => {
      lookups++;
      return ['511600-xfj'];
    };
    expect(canReadCase(bureau('coordinator', 'sc', '511600-xfj'), disputed, members)).toBe(true);
    expect(canReadCase(bureau('coordinator', 'sc', '511623-xfj'), disputed, members)).toBe(false);
    expect(lookups).toBe(2);
    // a case of the caller's own region, or one with no dispute before the conference, needs no lookup
    expect(canReadCase(bureau('coordinator', 'cq', '500000-xfj'), disputed, members)).toBe(true);
    expect(canReadCase(bureau('coordinator', 'sc', '511600-xfj'), cqOnly, members)).toBe(false);
    expect(lookups).toBe(2);
  });
});
