import type { Principal, TokenService } from '@lianban/auth';
import { CaseEventTypes } from '@lianban/domain';
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
  const numbers = { allocate: () => durable('number', 'CQ-2026-000001') } as unknown as CaseNumberAllocator;
  const runner = {
    run: async ({ command }: { command: { caseNumber: string } }) => {
      log.push('registration');
      return [{ type: CaseEventTypes.PetitionRegistered, data: { caseNumber: command.caseNumber } }];
    },
  } as unknown as CaseCommandRunner;
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

describe('RegisterPetitionHandler', () => {
  it('waits for the personal-data key and the case number together, and appends the registration only after both', async () => {
    const log: string[] = [];
    const result = await handlerRecording(log).execute(new RegisterPetitionCommand(body, '2026-03-02T09:00:00.000Z', clerk, undefined));
    expect(result).toMatchObject({ caseNumber: 'CQ-2026-000001', status: 'registered' });
    expect(log.slice(0, 2).sort()).toEqual(['number begun', 'seal begun']);
    expect(log.slice(2, 4).sort()).toEqual(['number done', 'seal done']);
    expect(log[4]).toBe('registration');
  });
});
