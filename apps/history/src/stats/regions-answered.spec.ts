import type { Principal } from '@lianban/auth';
import type { Region } from '@lianban/contracts';
import { regionsAnswered, scopedRegion } from './stats';

/**
 * GET /v1/stats/regions tells the dashboard what to offer; the statistics routes decide what
 * they answer (scopedRegion). For every kind of caller and deployment the two must agree: each
 * region listed is answered, every other is refused, and `combined` is a question without
 * region summing both.
 */
describe('the regions a deployment answers for a caller agree with what the statistics routes answer', () => {
  const answers = (caller: Principal, asked: Region | undefined, config: { crossRegion: boolean; region: Region }) => {
    try {
      return { ok: true, region: scopedRegion(caller, asked, config) };
    } catch (e) {
      return { ok: false, status: (e as { status?: number }).status };
    }
  };

  for (const crossRegion of [false, true]) {
    for (const home of ['cq', 'sc'] as const) {
      for (const tokenRegion of [undefined, 'cq', 'sc'] as const) {
        const config = { crossRegion, region: home };
        const caller: Principal = { sub: 'a', role: 'analyst', ...(tokenRegion ? { region: tokenRegion } : {}) };
        it(`CROSS_REGION=${crossRegion ? 'on' : 'off'}, REGION=${home}, a token of ${tokenRegion ?? 'no region'}`, () => {
          const { regions, combined } = regionsAnswered(caller, config);
          for (const r of ['cq', 'sc'] as const) expect({ r, answered: answers(caller, r, config).ok }).toEqual({ r, answered: regions.includes(r) });
          const unasked = answers(caller, undefined, config);
          expect(unasked.ok).toBe(regions.length > 0);
          if (unasked.ok) expect(unasked.region).toBe(combined ? undefined : regions[0]);
          else expect(unasked.status).toBe(421);
        });
      }
    }
  }

  it('offers both regions and their sum only to a single deployment and a token of no region', () => {
    expect(regionsAnswered({ sub: 'a', role: 'analyst' }, { crossRegion: false, region: 'cq' })).toEqual({ regions: ['cq', 'sc'], combined: true });
    expect(regionsAnswered({ sub: 'a', role: 'analyst' }, { crossRegion: true, region: 'sc' })).toEqual({ regions: ['sc'], combined: false });
    expect(regionsAnswered({ sub: 'a', role: 'analyst', region: 'cq' }, { crossRegion: true, region: 'sc' })).toEqual({ regions: [], combined: false });
  });
});
