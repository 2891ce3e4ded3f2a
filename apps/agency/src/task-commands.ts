import { randomUUID } from 'node:crypto';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { assertOwnAgency, type Principal } from '@lianban/auth';
import { taskDecider, taskStreamId, type TaskCommand } from '@lianban/domain';
import { CaseCommandRunner, CaseReader, CONFIG, type LianbanConfig } from '@lianban/platform';

/**
 * Runs a command on one agency's task: the caller must act for that agency, and an agency
 * process (AGENCY_ID set) serves only its own agency.
 */
@Injectable()
export class TaskCommands {
  constructor(
    private readonly runner: CaseCommandRunner,
    private readonly reader: CaseReader,
    @Inject(CONFIG) private readonly config: LianbanConfig,
  ) {}

  async run(caseId: string, agencyId: string, command: TaskCommand, caller: Principal) {
    if (this.config.agencyId && this.config.agencyId !== agencyId) {
      throw new HttpException({ error: { code: 'WRONG_AGENCY_SERVICE', message: `this service serves ${this.config.agencyId}, not ${agencyId}` } }, 421);
    }
    assertOwnAgency(caller, agencyId);
    await this.reader.fileOr404(caseId);
    const [event] = await this.runner.run({
      caseId, streamId: taskStreamId(caseId, agencyId), decider: taskDecider(agencyId), command, agencyId,
      actor: { id: caller.sub, role: caller.role }, causationId: `request:${randomUUID()}`,
    });
    return { caseId, agencyId, eventId: event.id, type: event.type, ...(event.data as object) };
  }
}
