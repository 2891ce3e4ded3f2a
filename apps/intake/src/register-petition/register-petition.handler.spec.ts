import type { Principal, TokenService } from '@lianban/auth';
import { CaseEventTypes } from '@lianban/domain';
import { StreamConflictError } from '@lianban/eventstore';
import type { CaseCommandRunner, CaseFilesProjection, CaseReader, LianbanConfig, PersonalDataService } from '@lianban/platform';
import { Registry } from '@lianban/registry';
import type { CaseNumberAllocator } from './case-number';
import type { PetitionerIndex } from './petitioner-index';
import { RegisterPetitionCommand } from './register-petition.command';
import { RegisterPetitionHandler } from './register-petition.handler';

const clerk: Principal = { sub: 'clerk-1', role: 'clerk' } as Principal;
const body = {
  channel: 'visit' as const, regionCode: '500112', subject: '欠薪', content: '拖欠工资三个月',
  petitioner: { name: '张某', phone: '13800000000' },
};

function handler(runner: CaseCommandRunner, numbers: CaseNumberAllocator, personal: PersonalDataService): RegisterPetitionHandler {
  return new RegisterPetitionHandler(
    runner,
    { file: async () => null } as unknown as CaseReader,
    numbers,
    personal,
    new Registry(),
    { sign: () => 'token' } as unknown as TokenService,
    { lookup: async () => [] } as unknown as PetitionerIndex,
    {} as CaseFilesProjection,
    { petitionerKeySecret: 'secret' } as LianbanConfig,
  );
}

/** The durable writes a registration makes, in the order they began and ended. */
function handlerRecording(log: string[]): RegisterPetitionHandler {
  const durable = <T>(name: string, value: T) => {
    log.push(`${name} begun`);
    // settles on a later turn, as a write waiting for its sync does
    return new Promise<T>((resolve) => setImmediate(() => {
      log.push(`${name} done`);
      resolve(value);
    }));
  };
  const personal = { sealNew: () => durable('seal', { petitionerId: 'p-1', sealed: 'sealed' }) } as unknown as PersonalDataService;
  const numbers = { reservable: () => false, allocate: () => durable('number', 'CQ-2026-000001') } as unknown as CaseNumberAllocator;
  const runner = {
    run: async ({ command }: { command: { caseNumber: string } }) => {
      log.push('registration');
      return [{ type: CaseEventTypes.PetitionRegistered, data: { caseNumber: command.caseNumber } }];
    },
  } as unknown as CaseCommandRunner;
  return handler(runner, numbers, personal);
}

describe('RegisterPetitionHandler', () => {
  it('waits for the personal-data key and the case number together, and appends the registration only after both', async () => {
    const log: string[] = [];
    const result = await handlerRecording(log).execute(new RegisterPetitionCommand(body, '2026-03-02T09:00:00.000Z', clerk, undefined));
    expect(result).toMatchObject({ caseNumber: 'CQ-2026-000001', status: 'registered' });
    expect(log.slice(0, 2).sort()).toEqual(['number begun', 'seal begun']);
    expect(log.slice(2, 4).sort()).toEqual(['number done', 'seal done']);
    expect(log[4]).toBe('registration');
  });

  describe('where the store writes several streams atomically', () => {
    const numberAppend = { streamId: 'casenumber-cq-2026', events: [], expected: 6 };
    const personal = { sealNew: async () => ({ petitionerId: 'p-1', sealed: 'sealed' }) } as unknown as PersonalDataService;
    const numbersWith = (calls: string[]) => ({
      reservable: () => true,
      reserve: () => {
        calls.push('reserve');
        return { caseNumber: 'CQ-2026-000008', append: numberAppend };
      },
      lost: (_n: unknown, e: unknown) => {
        calls.push('lost');
        return e instanceof StreamConflictError && e.streamId === numberAppend.streamId;
      },
      allocate: async () => {
        calls.push('allocate');
        return 'CQ-2026-000009';
      },
    }) as unknown as CaseNumberAllocator;
    const command = () => new RegisterPetitionCommand(body, '2026-03-02T09:00:00.000Z', clerk, undefined);

    it('writes the reserved number with the registration, in one write, deciding on the new case\'s empty history', async () => {
      const calls: string[] = [];
      const runs: Array<{ alongside?: unknown; history?: unknown }> = [];
      const runner = {
        run: async (o: { command: { caseNumber: string }; alongside?: unknown; history?: unknown }) => {
          runs.push(o);
          return [{ type: CaseEventTypes.PetitionRegistered, data: { caseNumber: o.command.caseNumber } }];
        },
      } as unknown as CaseCommandRunner;
      const result = await handler(runner, numbersWith(calls), personal).execute(command());
      expect(result).toMatchObject({ caseNumber: 'CQ-2026-000008' });
      expect(calls).toEqual(['reserve']);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ alongside: [numberAppend], history: [] });
    });

    it('allocates a number afresh when another writer took the reserved one, and gives up on any other refusal', async () => {
      const calls: string[] = [];
      const runs: Array<{ alongside?: unknown }> = [];
      const runner = {
        run: async (o: { command: { caseNumber: string }; alongside?: unknown }) => {
          runs.push(o);
          if (o.alongside) throw new StreamConflictError(numberAppend.streamId, 6, 7);
          return [{ type: CaseEventTypes.PetitionRegistered, data: { caseNumber: o.command.caseNumber } }];
        },
      } as unknown as CaseCommandRunner;
      const result = await handler(runner, numbersWith(calls), personal).execute(command());
      expect(result).toMatchObject({ caseNumber: 'CQ-2026-000009' });
      expect(calls).toEqual(['reserve', 'lost', 'allocate']);
      expect(runs.map((r) => r.alongside)).toEqual([[numberAppend], undefined]);

      const refused = { run: async () => {
        throw new StreamConflictError('case-x', 'no-stream', 0);
      } } as unknown as CaseCommandRunner;
      const again: string[] = [];
      await expect(handler(refused, numbersWith(again), personal).execute(command())).rejects.toBeInstanceOf(StreamConflictError);
      expect(again).toEqual(['reserve', 'lost']);
    });
  });
});
