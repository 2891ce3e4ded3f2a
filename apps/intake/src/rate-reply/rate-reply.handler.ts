import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Principal } from '@lianban/auth';
import { caseDecider } from '@lianban/domain';
import { assertCanReadCase, CaseCommandRunner, CaseReader } from '@lianban/platform';
import type { RateReplyDto } from './rate-reply.dto';

export class RateReplyCommand {
  constructor(readonly caseId: string, readonly body: RateReplyDto, readonly at: string, readonly caller: Principal) {}
}

@CommandHandler(RateReplyCommand)
export class RateReplyHandler implements ICommandHandler<RateReplyCommand, { caseId: string; rating: string }> {
  constructor(private readonly runner: CaseCommandRunner, private readonly reader: CaseReader) {}

  async execute({ caseId, body, at, caller }: RateReplyCommand) {
    const { file } = await this.reader.fileOr404(caseId);
    assertCanReadCase(caller, file);
    await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: caseDecider, actor: { id: caller.sub, role: caller.role }, causationId: `request:${randomUUID()}`,
      command: { kind: 'RateReply', at, rating: body.rating, comment: body.comment ?? null },
    });
    return { caseId, rating: body.rating };
  }
}
