import { randomUUID } from 'node:crypto';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { assertOwnAgency, type Principal } from '@lianban/auth';
import { refuse, taskDecider, taskStreamId, type Decider, type DomainEvent, type TaskCommand } from '@lianban/domain';
import { CaseCommandRunner, CaseReader, CONFIG, type LianbanConfig } from '@lianban/platform';
import { Registry } from '@lianban/registry';

/**
 * Runs a command in one agency's task stream: the caller must act for that agency, an agency
 * process (AGENCY_ID set) serves only its own agency, and an agency the registry says no longer
 * exists at the command's time acts no more — its successor does (Art. 24).
 */
@Injectable()
export class TaskCommands {
  constructor(
    private readonly runner: CaseCommandRunner,
    private readonly reader: CaseReader,
    private readonly registry: Registry,
    @Inject(CONFIG) private readonly config: LianbanConfig,
  ) {}

  run(caseId: string, agencyId: string, command: TaskCommand, caller: Principal) {
    return this.runWith(caseId, agencyId, taskDecider(agencyId), command, caller);
  }

  async runWith<C extends { at: string }, S, E extends DomainEvent>(caseId: string, agencyId: string, decider: Decider<C, S, E>, command: C, caller: Principal) {
    if (this.config.agencyId && this.config.agencyId !== agencyId) {
      throw new HttpException({ error: { code: 'WRONG_AGENCY_SERVICE', message: `this service serves ${this.config.agencyId}, not ${agencyId}` } }, 421);
    }
    assertOwnAgency(caller, agencyId);
    // the decision below starts from this very read (a conflict makes it read again)
    const history = await this.reader.eventsOr404(caseId);
    if (this.registry.agency(agencyId) && !this.registry.isActive(agencyId, command.at)) {
      const successor = this.registry.successorAt(agencyId, command.at);
      refuse('AGENCY_NOT_ACTIVE', `${agencyId} does not exist at ${command.at}${successor ? `; ${successor} holds its tasks` : ''}`, 'Art. 24', successor ? { successorId: successor } : undefined);
    }
    const events = await this.runner.run({
      caseId, streamId: taskStreamId(caseId, agencyId), decider, command, agencyId,
      actor: { id: caller.sub, role: caller.role }, causationId: `request:${randomUUID()}`, history,
    });
    const [event, ...more] = events;
    return { caseId, agencyId, eventId: event.id, type: event.type, ...(event.data as object), ...(more.length ? { also: more.map((e) => ({ eventId: e.id, type: e.type, data: e.data })) } : {}) };
  }
}
