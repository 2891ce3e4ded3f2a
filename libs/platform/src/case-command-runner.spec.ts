import { StreamConflictError, type EventStore, type StreamAppend } from '@lianban/eventstore';
import { CaseCommandRunner } from './case-command-runner';
import type { LianbanConfig } from './config';
import { HlcService } from './hlc.service';
import { Metrics } from './metrics';

const decider = {
  initialState: () => null,
  evolve: () => null,
  decide: () => [{ type: 'lianban.test.decided.v1', data: {} }],
};

describe('CaseCommandRunner with streams written alongside the decision', () => {
  it('writes them in the same appendMany, and leaves their refusal to the caller instead of deciding again', async () => {
    const writes: StreamAppend[][] = [];
    let reads = 0;
    const counter = { streamId: 'casenumber-cq-2026', events: [], expected: 4 };
    const store = {
      headPosition: async () => 0,
      readByCase: async () => {
        reads++;
        return [];
      },
      appendMany: async (appends: StreamAppend[]) => {
        writes.push(appends);
        throw new StreamConflictError(counter.streamId, 4, 5);
      },
    } as unknown as EventStore;
    const hlc = new HlcService(store);
    await hlc.onModuleInit();
    const runner = new CaseCommandRunner(store, { region: 'cq', crossRegion: false } as LianbanConfig, hlc, new Metrics());
    const run = runner.run({
      caseId: 'c-1', streamId: 'case-c-1', decider, command: { at: '2026-03-02T09:00:00.000Z' }, actor: { id: 'clerk-1', role: 'clerk' },
      causationId: 'request:1', alongside: [counter],
    });
    await expect(run).rejects.toThrow(StreamConflictError);
    expect(writes).toHaveLength(1);
    expect(writes[0].map((a) => a.streamId)).toEqual(['case-c-1', counter.streamId]);
    expect(reads).toBe(1);
  });
});
