import type { StoredEvent } from '@lianban/contracts';
import type { CaseFile } from '@lianban/domain';
import { StreamConflictError } from '@lianban/eventstore';
import type { CaseCommandRunner, RunOptions } from './case-command-runner';
import type { CaseReader } from './case-reader';
import { reactOnCase } from './case-reaction';

const cause = { id: 'e-cause', caseId: 'c-1', occurredAt: '2026-03-02T09:00:00.000Z' } as StoredEvent;

describe('reactOnCase', () => {
  it('decides on the events it read (the runner does not read the case again), and on a conflict reads afresh', async () => {
    const reads: StoredEvent[][] = [];
    const reader = {
      file: async () => {
        const events = [{ id: `e-${reads.length}`, position: reads.length + 1 } as StoredEvent];
        reads.push(events);
        return { file: { lastEventAt: '2026-03-01T09:00:00.000Z' } as CaseFile, events };
      },
    } as unknown as CaseReader;
    const given: (readonly StoredEvent[] | undefined)[] = [];
    const runner = {
      run: async (o: RunOptions<{ at: string }, unknown, never>) => {
        given.push(o.history);
        if (given.length === 1) throw new StreamConflictError('case-c-1', 1, 2);
        return [{ id: 'e-reaction' }];
      },
    } as unknown as CaseCommandRunner;
    const outcome = await reactOnCase(reader, runner, {
      cause, caseId: 'c-1', eventId: 'e-reaction', actor: { id: 'coordinator/test', role: 'system' },
      command: (at) => ({ kind: 'RecordCaseConcluded', at, appealId: 'a-1', decisionEventId: cause.id }),
    });
    expect(outcome).toBe('applied');
    expect(reads).toHaveLength(2);
    expect(given).toEqual([reads[0], reads[1]]);
  });
});
