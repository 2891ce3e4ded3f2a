import type { EventStore } from '@lianban/eventstore';
import { HlcService } from './hlc.service';

async function started(): Promise<HlcService> {
  const hlc = new HlcService({ headPosition: async () => 0 } as unknown as EventStore);
  await hlc.onModuleInit();
  return hlc;
}

describe('HlcService', () => {
  it('stamps after every stamp it observed, and leaves the clock as it is for one it is already past', async () => {
    const hlc = await started();
    const first = hlc.stamp('2026-03-02T09:00:00.000Z');
    const ahead = '000001900000000000.00007';
    hlc.observe(ahead);
    expect(hlc.current() > ahead).toBe(true);
    const afterAhead = hlc.current();
    hlc.observe(first);
    hlc.observe(afterAhead);
    expect(hlc.current()).toBe(afterAhead);
    const next = hlc.stamp('2026-03-02T09:00:01.000Z');
    expect(next > afterAhead).toBe(true);
  });
});
